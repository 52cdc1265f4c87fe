"""Questions that ask two things at once ("How much notice do I need to give,
and who do I tell?", or two questions in one message): asked as questions
of their own, each later one leaning on those before it as a follow-up
does, and their answers joined into one.

Searched whole, such a question finds the sentences that answer one half
best and leaves the other unanswered. A part the articles do not answer is
said so in the joined answer (unless it leans on the part before, whose
answer may hold its own); a sentence that answers two parts is given once.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from index.sentences import split_spans
from qa.evidence import attribution
from qa.lexical import terms
from qa.question import ASKING_WORD, WH_WORD, asking_sentence, question_spans
from qa.types import Answer, AnswerSentence, Citation

_OPENS_ASKING = re.compile(
    rf"^\s*(?:(?:in|on|at|for|from|by|to|with|during|since|until)\s+)?"
    rf"(?:how\s+(?:long|much|many|far|often|old|big)|{ASKING_WORD})\b",
    re.I,
)
# "..., and who do I tell?", "... maintained and who were they monitored by?"
_SECOND = re.compile(rf"(?:,\s*|\s+)and\s+(?={WH_WORD}\b)", re.I)
# "the difference between rustfmt and what clippy suggests": the "and" pairs two things of one question.
_PAIRED = re.compile(r"\b(?:between|both)\b", re.I)


MAX_PARTS = 5  # questions of one message answered; of a longer list, the first five, and the rest named


def parts(question: str) -> list[str]:
    """The questions ``question`` asks, in order: itself, its questions (a
    message of several, "Who heads Roscosmos? When did Russia join the
    ISS?"), or the two halves of its asking sentence.

    Each question of a message must ask (open with a question word or an
    auxiliary) and name something of its own ("... in July? For how long?"
    is one question); so must the first half of a sentence, and the second
    must open with a question word: "When and where did it happen?" and
    "Europe and which country ...?" are one question. A later part may lean
    on an earlier one ("and who do I tell?", "how much did it put out that
    day?"). What comes before the first question ("I'm working from Spain in
    October.") goes with each."""
    spans = question_spans(question)
    asking = [(a, b) for a, b in spans if question[a:b].rstrip().endswith("?") and _asks_of_its_own(question[a:b])]
    if len(asking) > 1:
        scene = question[: asking[0][0]]
        return [scene + question[a:b] for a, b in asking]
    asked = asking_sentence(question)
    scene = question[: question.rfind(asked)] if asked in question else ""
    m = _SECOND.search(asked)
    if m is None:
        return [question]
    first, second = asked[: m.start()].rstrip(" ,;"), asked[m.end() :]
    if not _asks_of_its_own(first) or _PAIRED.search(first):
        return [question]
    return [f"{scene}{first}?", f"{scene}{second}"]


def _asks_of_its_own(sentence: str) -> bool:
    """Whether ``sentence`` opens as a question and names something after its question word ("Really?" does not)."""
    return bool(_OPENS_ASKING.match(sentence)) and bool(terms(_OPENS_ASKING.sub("", sentence, count=1)))


def join(question: str, asked: Sequence[str], answers: Sequence[Answer]) -> Answer:
    """One answer to ``question`` from the ``answers`` to its parts ``asked``.

    Citations are numbered anew in order of first use; sentences say their
    outlet and date when the articles cited differ in date, as in one answer;
    a part's sentence whose citations an earlier part already gave is left
    out, and a part the
    articles do not answer is said so, if it names something of its own (the
    answer to "and who do I tell?" may be in the earlier part's). With no
    part answered, the first part's abstention stands for the whole. Of a
    message that asks more than ``MAX_PARTS`` questions, ``asked`` are the
    first; the answer ends by naming the rest, to be asked again."""
    left = _left_unasked(question, len(asked))
    if all(a.abstained and not a.conversation for a in answers):
        first = answers[0]
        return dataclasses.replace(first, question=question, answer=f"{first.answer} {left}" if left else first.answer)
    citations: list[Citation] = []
    number: dict[tuple[str, int, int], int] = {}
    pieces: list[AnswerSentence] = []
    # As in one answer: when the joined answer cites articles of different
    # dates, each sentence says which outlet and date it is from.
    dated = len({c.date[:4] for a in answers if not a.abstained for c in a.citations}) > 1
    for part, answer in zip(asked, answers):
        if answer.conversation:
            # What the collection records of an article ("... and who wrote it?", qa.articles): said as it
            # is, its closing note ("This is what the collection records ...") once if the part before ends so too.
            if pieces:
                pieces[-1] = dataclasses.replace(pieces[-1], text=_without_closing(pieces[-1].text, answer.answer))
            pieces.append(AnswerSentence(text=answer.answer, supported=False))
            continue
        if answer.abstained:
            if _asks_of_its_own(asking_sentence(part)):
                text = f"I could not find an answer to “{asking_sentence(part).strip()}” in the articles."
                pieces.append(AnswerSentence(text=text, supported=False))
            continue
        given = {n for p in pieces for n in p.citations}
        renumber: dict[int, int] = {}
        for c in answer.citations:
            key = (c.source, c.start, c.end)
            if key not in number:
                number[key] = len(citations) + 1
                citations.append(dataclasses.replace(c, n=number[key]))
            renumber[c.n] = number[key]
        labelled = len({c.date[:4] for c in answer.citations}) > 1  # its sentences say their dates already
        by_n = {c.n: c for c in answer.citations}
        for s in answer.sentences:
            new = tuple(renumber[n] for n in s.citations if n in renumber)
            if new and set(new) <= given:
                continue  # the earlier part's answer already says it
            text = _renumbered(s.text, renumber)
            if dated and not labelled and s.citations and s.citations[0] in by_n:
                c = by_n[s.citations[0]]
                text = attribution(c.publisher, c.title, c.source, c.date) + text
            pieces.append(AnswerSentence(text=text, citations=new, supported=s.supported))
    if left:
        pieces.append(AnswerSentence(text=left, supported=False))
    replies = all(a.conversation or a.abstained for a in answers)
    return Answer(
        question=question,
        answer=" ".join(p.text for p in pieces),
        abstained=replies,
        citations=citations,
        mode=answers[0].mode,
        sentences=pieces,
        conversation=replies and not citations,
    )


def _left_unasked(question: str, answered: int) -> str:
    """What to say of the questions of ``question`` after the first ``answered``: nothing, when there are none."""
    rest = parts(question)[answered:]
    if not rest:
        return ""
    quoted = ", ".join(f"“{asking_sentence(r).strip()}”" for r in rest)
    return f"Only the first {answered} questions of the message are answered here; please ask {quoted} separately."


def _without_closing(text: str, after: str) -> str:
    """``text`` without its last sentence when ``after`` ends with that sentence too (and ``text`` says more)."""
    said = [text[a:b] for a, b in split_spans(text)]
    closing = [after[a:b] for a, b in split_spans(after)][-1:]
    return " ".join(said[:-1]) if len(said) > 1 and said[-1:] == closing else text


def _renumbered(text: str, renumber: dict[int, int]) -> str:
    """``text`` with its answer markers ("[2]") given their joined numbers."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else m.group(0), text)
