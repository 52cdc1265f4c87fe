"""Follow-up questions: bring in what the earlier turns were about.

Without an LLM to rewrite the question, a follow-up ("Why did he visit?")
is answered by searching with the question plus the most recent earlier
turn, when the question leans on it (a pronoun, "that", or too few words of
its own). A personal pronoun is replaced by the person it points at
(:func:`resolve`): the one the earlier turn asked about ("Who is Sergey
Krikalev?"), or else the one the engine's answer to it named ("Who was the
NASA Administrator?" then "What did he tell Rogozin?"); and "it" by the
thing the earlier turn asked what it is ("What is uvicorn?" then "Which
protocols does it support?", :func:`resolve_thing`), or else the thing the
answer to a "which" question named ("Which room has a hearing loop?" then
"How many people does it seat?"); and a closing "there" by the place the
answer to a "where" question named ("Where is loan equipment kept?" then
"What are the opening hours there?", :func:`resolve_place`). The earlier turn's
words steer the search and the similarity it ranks by; coverage reads the
question's own, and the earlier turn's too when the question asks that turn
again (:func:`asks_again`: "Why not?", "What about the Russian side?"). (A
ranking signal for how much of the earlier turn a sentence holds was tried:
fitted on the few follow-ups there are labels for, it came out negative and
cost "And what was its high?" its answer.)
"""

from __future__ import annotations

import re
from typing import Sequence

from qa.lexical import STOPWORDS, terms, words
from qa.question import ENTITY, Token, answer_spans, names_given, near_question_words

# Words that point back at an earlier turn. "that" only where it cannot be
# a relative pronoun or a conjunction ("the file that configures ...", "said
# that ..."): last, or after an auxiliary or a preposition ("Do I need a
# login for that?", "When did that happen?", "in that year"); "there" only
# last ("Who lives there?", not "Is there a limit?").
ANAPHORA = frozenset("he him his she her hers they them their theirs it its this these those such".split())
_POINTING_THAT = re.compile(
    r"\b(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|about|after|before|since|for|from|"
    r"with|without|of|in|on|at|by|to|like|than|under|over|during)\s+that\b|\b(?:that|there)\s*[?.!]*\s*$",
    re.I,
)
MAX_TURNS = 2


def needs_context(question: str) -> bool:
    """Whether the question leans on the earlier turns: it points back at them
    ("Why did he ...?", "this flag", "... for that?"), has no words of its own ("Why?"), or
    goes on from them ("And Russia?", "What about Soyuz?"). A question that
    names what it asks about ("What is rustdoc?") stands alone, whatever was
    asked before."""
    ws = words(question)
    return (
        any(w in ANAPHORA for w in ws)
        or bool(_POINTING_THAT.search(question))
        or not terms(question)
        or ws[:1] in (["and"], ["also"])
        or ws[:2] in (["what", "about"], ["how", "about"])
    )


def search_text(question: str, history: Sequence[str]) -> tuple[str, list[str]]:
    """The text to retrieve with, and the context terms taken from history."""
    recent = [h for h in history if h and h.strip()][-MAX_TURNS:]
    if not recent or not needs_context(question):
        return question, []
    context_terms = [t for h in recent for t in terms(h)]
    own = set(terms(question))
    return " ".join(recent + [question]), [t for t in dict.fromkeys(context_terms) if t not in own]


# "What about the Russian side?", "And in 1998?": the earlier question asked
# again of something else. Not a question of its own that opens with "and"
# ("And what did he say?").
_ASKING_WORD = r"(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)"
_ASKED_AGAIN = re.compile(
    rf"^\s*(?:(?:and|but|so)\s+)?(?:what|how)\s+about\b|^\s*and\s+(?!{_ASKING_WORD}\b)[^?]*\??\s*$",
    re.I,
)


def asks_again(question: str) -> bool:
    """Whether ``question`` is the earlier turn asked again, of something else or
    without words of its own ("Why?", "When was that?", "What about Soyuz?").
    Then what the earlier turn asked about is what this one asks about too."""
    return not terms(question) or bool(_ASKED_AGAIN.match(question))


_PERSONAL = re.compile(r"\b(he|she|him|her|his|hers)\b", re.I)


def resolve(question: str, person: str) -> str:
    """``question`` with its personal pronouns replaced by ``person`` ("his" by
    "Person's", and "her" before a noun: "What is her extension?")."""
    if not person:
        return question

    def swap(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        if word == "her":
            after = _NEXT_WORD.match(question, m.end())
            return f"{person}'s" if after and after.group(1).lower() not in STOPWORDS else person
        return f"{person}'s" if word in ("his", "hers") else person

    return _PERSONAL.sub(swap, question)


_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")


# "What is uvicorn?": asks what the thing it names is; a follow-up's "it" is that
# thing ("Which protocols does it support?"). Not an "it" that stands for what
# follows it ("Is it possible to ...", "does it take to ...").
_WHAT_IS = re.compile(r"^\s*(?i:(?:and\s+)?what\s+(?:is|are|was|were))\s+(?:(?i:an?|the)\s+)?([^?]+?)\s*\??\s*$")
_THING = re.compile(r"\b(it|its)\b(?!(?:\s+[\w'-]+){0,2}\s+(?:to|that)\b)", re.I)
THING_WORDS = 4  # longer than this, "What is ...?" asks about more than one thing


# Words that show "What is X ...?" asks what X does, not what it is ("What is
# zlib used for?", "What is NASA doing?"): then no thing is named. A word in
# "-ing" after a lower-case one names a thing ("packet switching", "load
# balancing") unless it is one of the verbs such questions ask with.
_NOT_A_THING = re.compile(r"\b(?:[a-z]+(?:ing|ed)|for|about|of|in|on|with|to|from|like|by)$")
_GERUND = re.compile(r"[a-z]+ing$")
_PROGRESSIVE = frozenset("doing going happening saying planning trying making getting using building working".split())


def thing_asked(question: str) -> str:
    """What a "What is X?" question asks about (X), or ""."""
    m = _WHAT_IS.match(question)
    if not m:
        return ""
    ws = m.group(1).split()
    if len(ws) > THING_WORDS:
        return ""
    for k, w in enumerate(ws):
        noun = _GERUND.fullmatch(w) and k > 0 and ws[k - 1].islower() and w not in _PROGRESSIVE
        if _NOT_A_THING.search(w) and not noun:
            return ""
    return m.group(1)


def resolve_thing(question: str, thing: str) -> str:
    """``question`` with its "it" replaced by ``thing`` ("its" by "thing's")."""
    if not thing:
        return question
    return _THING.sub(lambda m: f"{thing}'s" if m.group(1).lower() == "its" else thing, question)


# "Who is Sergey Krikalev?": asks about the person it names, not for another.
_WHO_IS = re.compile(r"^\s*(?i:(?:and\s+)?who\s+(?:is|was|are|were))\s+[A-Z][^?]*\??\s*$")


def asks_who_is(question: str) -> bool:
    return bool(_WHO_IS.match(question))


def names_another(span_text: str, question: str) -> bool:
    """Whether a name found in an answer is not one the ``question`` already
    gives, in full or by its last word: asked "Who was acting NASA
    Administrator when Bakanov visited?", "Dmitry Bakanov" is who visited, not
    the answer ("Administrator Sean Duffy" is, though the question writes
    "Administrator" too)."""
    last = words(span_text)[-1:]
    return not (last and last[0] in names_given(question))


def refers_to_person(question: str) -> bool:
    return bool(_PERSONAL.search(question))


def refers_to_thing(question: str) -> bool:
    return bool(_THING.search(question))


# "Which room has a hearing loop?", "What system do drivers use?": asks which
# thing, and its answer names it (a follow-up's "it" is then that thing).
_WHICH_THING = re.compile(rf"^\s*(?:and\s+)?(?:which|what)\s+(?!{_ASKING_WORD}\b)[a-z]+\b", re.I)


def asks_which_thing(question: str) -> bool:
    return bool(_WHICH_THING.match(question))


# A follow-up's closing "there" ("What are the opening hours there?"), after a
# "where" question: the place the answer to it named.
_THERE = re.compile(r"\bthere(?=\s*[?.!]*\s*$)", re.I)
_WHERE = re.compile(r"^\s*(?:and\s+)?where\b", re.I)


def refers_to_place(question: str) -> bool:
    return bool(_THERE.search(question))


def asks_where(question: str) -> bool:
    return bool(_WHERE.match(question))


def resolve_place(question: str, place: str) -> str:
    """``question`` with its closing "there" replaced by "at ``place``"."""
    return _THERE.sub(f"at {place}", question) if place else question


_OPENING_NAME = re.compile(r"\W*([A-Z][\w.-]*[A-Za-z])")


def thing_named(sentence: str, tokens: tuple[Token, ...], question: str, question_terms: Sequence[str]) -> str:
    """The first name in an answer's ``sentence`` that the ``question`` does not
    hold, beside the question's words: "Terminus" in "Terminus has a hearing
    loop; ask Reception ..." for "Which room has a hearing loop?", or ""."""
    spans = answer_spans(ENTITY, sentence, question)
    # One that opens the sentence names a thing too, unless it is a common word ("The", "It").
    opening = _OPENING_NAME.match(sentence)
    if opening and opening.group(1).lower() not in STOPWORDS and opening.group(1).lower() not in question.lower():
        spans = [opening.span(1), *spans]
    near = [span for span in spans if near_question_words([span], tokens, set(question_terms))]
    return _whole_name(sentence, near[0]) if near else ""


# What stands before a place's name: "kept by the Service Desk", "arrive at Harbour House".
_AT_PLACE = re.compile(r"\b(?:at|in|on|by|from|to|near|inside|outside|behind|beside|opposite)\s+(?:the\s+)?$", re.I)


def place_named(sentence: str, tokens: tuple[Token, ...], question: str, question_terms: Sequence[str]) -> str:
    """The first place an answer's ``sentence`` names after a preposition, beside
    one of the ``question``'s words: "Service Desk" in "Loan equipment is kept by
    the Service Desk on Floor 2" for "Where is loan equipment kept?", or ""."""
    spans = [
        span
        for span in answer_spans(ENTITY, sentence, question)
        if _AT_PLACE.search(sentence, 0, span[0]) and near_question_words([span], tokens, set(question_terms), most=1)
    ]
    return _whole_name(sentence, spans[0]) if spans else ""


def _whole_name(sentence: str, span: tuple[int, int]) -> str:
    """The whole name a word of it stands in: "International Scientific Lunar Station", not "International"."""
    start = span[0]
    whole = next((m for m in _CAPITALISED_RUN.finditer(sentence) if m.start() <= start < m.end()), None)
    name = whole.group(0).split() if whole else [sentence[start : span[1]]]
    while len(name) > 1 and name[0].lower() in STOPWORDS:
        name = name[1:]  # "The IAF's Global Space Exploration": a sentence's first word
    return " ".join(name)


_CAPITALISED_RUN = re.compile(r"[A-Z][\w.'’-]*(?:\s+(?:of\s+|the\s+|and\s+)?[A-Z][\w.'’-]*)*")
