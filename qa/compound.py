"""Questions that ask two things at once ("How much notice do I need to give,
and who do I tell?"): asked as two questions, the second leaning on the
first as a follow-up does, and their answers joined into one.

Searched whole, such a question finds the sentences that answer one half
best and leaves the other unanswered. A part the articles do not answer is
said so in the joined answer; a sentence that answers both parts is given
once.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from qa.lexical import terms
from qa.question import asking_sentence
from qa.types import Answer, AnswerSentence, Citation

_WH = r"(?:who|whom|whose|what|which|when|where|why|how)"
_OPENS_ASKING = re.compile(
    rf"^\s*(?:(?:in|on|at|for|from|by|to|with|during|since|until)\s+)?(?:{_WH}|is|are|was|were|do|does|did|can|could|should|will|would|has|have|had)\b",
    re.I,
)
# "..., and who do I tell?", "... maintained and who were they monitored by?"
_SECOND = re.compile(rf"(?:,\s*|\s+)and\s+(?={_WH}\b)", re.I)


def parts(question: str) -> list[str]:
    """The questions ``question`` asks, in order: itself, or its two halves.

    Both halves must ask (the first opens with a question word or an
    auxiliary, the second with a question word) and the first name something
    of its own: "When and where did it happen?" and "Europe and which country
    ...?" are one question. The second may lean on the first ("and who do I
    tell?"). What comes before the asking sentence ("I'm working from Spain
    in October.") goes with both."""
    asked = asking_sentence(question)
    scene = question[: question.rfind(asked)] if asked in question else ""
    m = _SECOND.search(asked)
    if m is None or not _OPENS_ASKING.match(asked):
        return [question]
    first, second = asked[: m.start()].rstrip(" ,;"), asked[m.end() :]
    if not terms(_OPENS_ASKING.sub("", first, count=1)):
        return [question]
    return [f"{scene}{first}?", f"{scene}{second}"]


def join(question: str, asked: Sequence[str], answers: Sequence[Answer]) -> Answer:
    """One answer to ``question`` from the ``answers`` to its parts ``asked``.

    Citations are numbered anew in order of first use; a part's sentence
    whose citations an earlier part already gave is left out, and a part the
    articles do not answer is said so. With no part answered, the first
    part's abstention stands for the whole."""
    if all(a.abstained for a in answers):
        return dataclasses.replace(answers[0], question=question)
    citations: list[Citation] = []
    number: dict[tuple[str, int, int], int] = {}
    pieces: list[AnswerSentence] = []
    for part, answer in zip(asked, answers):
        if answer.abstained:
            text = f"I could not find an answer to “{part.strip()}” in the articles."
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
        for s in answer.sentences:
            new = tuple(renumber[n] for n in s.citations if n in renumber)
            if new and set(new) <= given:
                continue  # the earlier part's answer already says it
            pieces.append(AnswerSentence(text=_renumbered(s.text, renumber), citations=new, supported=s.supported))
    return Answer(
        question=question,
        answer=" ".join(p.text for p in pieces),
        abstained=False,
        citations=citations,
        mode=answers[0].mode,
        sentences=pieces,
    )


def _renumbered(text: str, renumber: dict[int, int]) -> str:
    """``text`` with its answer markers ("[2]") given their joined numbers."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else m.group(0), text)
