"""Turns of a chat that ask nothing of the articles: a greeting, thanks, or a
question about the assistant and its collection ("What can you do?", "What
are these articles about?").

Searched as questions, they find whatever sentence happens to be nearest and
abstain beside passages that have nothing to do with them. They are answered
instead with what the assistant can do: how many articles it holds, their
titles, and the corpus's own example questions. Such a reply claims nothing
from the articles, so it cites nothing and counts as an abstention. Only a
whole message is read this way: "Thanks. Who heads Roscosmos?" is a
question.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from qa.answerer import Answerer, AnswerRequest
from qa.types import Answer, AnswerSentence

GREETING, THANKS, ABOUT = "greeting", "thanks", "about"
LISTED = 5  # titles named in a reply; a larger collection is counted, and a few named

_ADDRESSEE = r"(?:\s+(?:there|all|everyone|team|bot|again))?"
_GREETING = re.compile(
    rf"(?:hi|hello|hey|hiya|howdy|greetings|good\s+(?:morning|afternoon|evening|day)){_ADDRESSEE}"
    r"(?:[\s,]+how\s+are\s+you(?:\s+doing)?(?:\s+today)?)?",
    re.I,
)
_THANKS = re.compile(
    r"(?:(?:ok(?:ay)?|great|perfect|cool|nice|awesome|brilliant|excellent|good)[\s,]+)?"
    r"(?:thanks|thank\s+you|thank\s+u|thx|ty|cheers|many\s+thanks)(?:\s+(?:a\s+lot|so\s+much|very\s+much|again))?"
    r"(?:[\s,]+(?:that(?:'s|\s+is)\s+(?:helpful|great|perfect|useful)))?|"
    r"(?:ok(?:ay)?|great|perfect|cool|nice|awesome|brilliant|excellent|got\s+it|understood)",
    re.I,
)
# About the assistant itself, or the collection as a whole ("these articles", "your documents").
_COLLECTION = r"(?:these|the|this|your|those|all\s+the)\s+(?:articles?|documents?|pages?|files?|sources?|texts?|collection|corpus)"
_ABOUT = re.compile(
    r"(?:help|what\s+can\s+(?:you|i)\s+(?:do|ask(?:\s+you)?|ask\s+about)|how\s+(?:does\s+this|do\s+(?:i|you))\s+work|"
    r"what\s+(?:do|can)\s+you\s+(?:know|answer|help\s+with|cover)(?:\s+about)?|who\s+are\s+you|what\s+are\s+you|"
    r"what\s+(?:is|are)\s+(?:in\s+)?" + _COLLECTION + r"(?:\s+about)?|"
    r"(?:summari[sz]e|give\s+me\s+an\s+overview\s+of|overview\s+of)\s+" + _COLLECTION + r"|"
    r"what\s+(?:articles|documents|pages|sources|topics)\s+(?:do\s+you\s+have|can\s+you\s+(?:search|answer\s+from|cover)|are\s+(?:there|in\s+here|available))|"
    r"which\s+(?:articles|documents|pages|sources)\s+(?:do\s+you\s+have|can\s+you\s+search|are\s+there)|"
    # "List the articles", "How many documents are there?", "Which sources do you use?"
    r"(?:list|show(?:\s+me)?|name)\s+(?:(?:all\s+)?(?:the|your)\s+|all\s+)?(?:articles|documents|pages|sources|files)|"
    r"how\s+many\s+(?:articles|documents|pages|sources|files)\s+(?:are\s+(?:there|in\s+(?:here|the\s+collection))|do\s+you\s+have|can\s+you\s+search)|"
    r"(?:which|what)\s+(?:sources|topics)\s+do\s+you\s+(?:use|have|cover|know\s+about))",
    re.I,
)
_TRIM = re.compile(r"^[\s\W_]+|[\s\W_]+$")
# What a chat message may open with before it asks: a greeting or thanks, and
# words that only say a question is coming ("quick one", "one more"), each
# closed by a stop, a comma, a colon or a dash.
_FILLER = re.compile(
    r"(?:quick\s+(?:one|question)|one\s+more(?:\s+(?:thing|question))?|another\s+(?:one|question)|"
    r"(?:a\s+)?question(?:\s+for\s+you)?|sorry|btw|by\s+the\s+way|that\s+helps|that\s+helped|"
    r"(?:i\s+)?hope\s+(?:you(?:['’]re|\s+are)\s+(?:well|ok(?:ay)?|good)|all\s+is\s+well))",
    re.I,
)
_OPENING = re.compile(rf"\s*(?:{_GREETING.pattern}|{_THANKS.pattern}|{_FILLER.pattern})\s*(?::-?\)|[🙂😊]|[!.,:;]+|\s[-\u2013\u2014]+)\s*", re.I)
# Thanks after the question has ended: "... in 2025? Many thanks :)", "... ext.? Thanks in advance!",
# or typed without the question mark, as a sentence of its own: "what was the crisis called Thanks"
# (not "Who sang Thank You", a title).
_CLOSING = re.compile(
    rf"(?:(?<=[?!.])|(?<=[?!.][\"'”’)]))\s*(?:{_THANKS.pattern})(?:\s+(?:in\s+advance|for\s+(?:your|the)\s+help))?[\s!.]*(?::-?\)|🙂|😊|🙏)?\s*$|"
    r"(?-i:(?<=[\w)])\s+(?:Thanks|Many thanks|Cheers|Thx|Thank you)(?: so much| very much| in advance)?)[\s!.]*(?::-?\)|🙂|😊|🙏)?\s*$",
    re.I,
)


def turn_kind(message: str) -> str:
    """``GREETING``, ``THANKS`` or ``ABOUT`` when the whole message is one, else ""."""
    text = _TRIM.sub("", message)
    if not text or len(text) > 80:
        return ""
    for kind, pattern in ((GREETING, _GREETING), (THANKS, _THANKS), (ABOUT, _ABOUT)):
        if pattern.fullmatch(text):
            return kind
    return ""


def asked_part(message: str) -> str:
    """``message`` without the greeting, thanks or filler it opens with, or the
    thanks it closes with: "hi there! quick one - how many seats does Terminus
    have?" asks "how many seats does Terminus have?", "Thanks, that helps. And
    who approves it?" asks "And who approves it?", and "Who approves it? Many
    thanks!" asks "Who approves it?". Read whole, their words were searched
    for and counted as the question's, and "who" after "one more -" went
    unread. A message that is nothing else is left as it is (see turn_kind)."""
    rest = message
    while True:
        m = _OPENING.match(rest)
        if m is None or not _TRIM.sub("", rest[m.end() :]):
            break
        rest = rest[m.end() :]
    m = _CLOSING.search(rest)
    return rest[: m.start()] if m and _TRIM.sub("", rest[: m.start()]) else rest


def reply(kind: str, documents: Mapping[str, Mapping[str, str]], examples: Sequence[str]) -> str:
    """What to say to a turn of ``kind``, given the collection's ``documents``
    (source -> its title, publisher and date) and its example questions."""
    if kind == THANKS:
        return "You're welcome. Ask another question whenever you like; every answer quotes the sentences it comes from."
    return ("Hello! " if kind == GREETING else "") + collection(documents) + suggestion(examples)


def collection(documents: Mapping[str, Mapping[str, str]]) -> str:
    """What the assistant answers from, in a sentence or two."""
    n = len(documents)
    if n == 0:
        return "I answer questions from a collection of articles, but it holds none yet."
    titles = [_label(source, meta) for source, meta in sorted(documents.items())]
    noun = "article" if n == 1 else "articles"
    said = f"I answer questions from {n} {noun}, quoting the sentences each answer comes from"
    if n <= LISTED:
        return f"{said}: {_series(titles)}."
    return f"{said}, among them {'; '.join(titles[:LISTED])}; and {n - LISTED} more."


def suggestion(examples: Sequence[str]) -> str:
    if not examples:
        return " Ask a question about them."
    asked = " or ".join(f"“{q}”" for q in examples[:2])
    return f" You could ask, for example, {asked}"


def _label(source: str, meta: Mapping[str, str]) -> str:
    title = meta.get("title", "").strip() or source
    outlet = ", ".join(v for v in (meta.get("publisher", "").strip(), meta.get("date", "").strip()) if v)
    return f"“{title}” ({outlet})" if outlet else f"“{title}”"


def _series(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


class ConversationAnswerer(Answerer):
    """Answers a turn :func:`turn_kind` recognises, from the collection's titles and examples."""

    name = "conversation"

    def __init__(self, examples: Sequence[str]) -> None:
        self.examples = list(examples)

    def answer(self, request: AnswerRequest) -> Answer:
        return as_reply(request.question, reply(turn_kind(request.question), request.reader.documents, self.examples))


def as_reply(question: str, text: str) -> Answer:
    """``text`` as the assistant's reply to ``question``: no claim of the articles, so no citation, and an abstention."""
    return Answer(
        question=question,
        answer=text,
        abstained=True,
        mode="extractive",
        sentences=[AnswerSentence(text=text, supported=False)],
        conversation=True,
    )
