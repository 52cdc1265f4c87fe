"""Answerers turn evidence into an answer; each mode is one subclass.

Built-in answerers register in :data:`ANSWERERS` exactly as a deployment's
own would, and the engine picks one by the ``mode`` setting or request.
"""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from qa.config import Settings
from qa.registry import registrar
from qa.evidence import EvidenceSet
from qa.retrieve import Hits, IndexReader, Query
from qa.scorer import Scorer, load_scorer
from qa.types import Answer, AnswerEvent


@dataclass
class AnswerRequest:
    """Everything an answerer may use to answer one question."""

    question: str
    history: Sequence[str]
    query: Query
    evidence: EvidenceSet
    reader: IndexReader
    settings: Settings
    timings_ms: dict[str, float] = field(default_factory=dict)
    # A follow-up rewritten to stand alone by the answerer's ``condense``, else "".
    standalone: str = ""
    scorer: Scorer = field(default_factory=load_scorer)
    hits: Hits | None = None  # the chunk rankings before fusion (for tracing)
    # A question that asks two things (qa.compound): each part prepared as a
    # question of its own; ``evidence`` and ``query`` are then the first's.
    parts: Sequence["AnswerRequest"] = ()
    # The answerer a part goes to when it is not the whole question's
    # ("... and who wrote it?": qa.articles), else None.
    by: "Answerer | None" = None
    # Whether the answer rests on the sentences the scorer weighed, and so is as
    # sure as their P(answerable): not so a reply to a greeting, an article's own
    # record (its date, author, lead) nor a byline of its text naming who wrote it.
    weighed: bool = True


class Answerer(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def answer(self, request: AnswerRequest) -> Answer:
        """The complete answer to ``request``."""

    # An answerer that can rewrite a follow-up into a standalone question
    # defines ``condense(question, history) -> str | None``; the engine then
    # retrieves with the rewrite (None: use the built-in follow-up handling).

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        """Text as it is produced, then the final answer.

        The default streams the finished answer word by word; answerers that
        generate text override this to stream as they go.
        """
        answer = self.answer(request)
        for piece in re.findall(r"\S+\s*", answer.answer):
            yield AnswerEvent(kind="token", text=piece)
        yield AnswerEvent(kind="answer", answer=answer)


# mode name -> factory(settings)
ANSWERERS: dict[str, Callable[[Settings], Answerer]] = {}

register = registrar(ANSWERERS)
