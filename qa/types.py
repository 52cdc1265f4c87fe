"""The objects that cross from retrieval to answering to the surfaces.

:meth:`Answer.to_dict` is the answer contract every surface speaks (CLI,
HTTP API, chat); nothing else builds that JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal


@dataclass(frozen=True)
class Evidence:
    """A candidate sentence, scored against the question."""

    sentence_id: str
    source: str
    start: int
    end: int
    text: str
    kind: str  # "article", "related" or "comment"
    heading: str  # title of an embedded related article, else ""
    score: float  # ranking score, see qa.evidence
    coverage: float  # share of the question's weighted terms the sentence holds
    similarity: float  # cosine between question and sentence embeddings
    position: int
    relevance: float = 0.0  # how well it matches the question, before answer-type weighting
    code: bool = False  # a code block's text, shown as written (index.types.Sentence.code)
    shown_row: str = ""  # a table row as its table shows it, cells spanned into it in place (index.types.Sentence.shown_row)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: its fused retrieval score, rank, and scored sentences.

    ``sentences`` are in document order, so ``text`` reads as the chunk does.
    """

    chunk_id: str
    source: str
    kind: str
    score: float
    rank: int
    sentences: tuple[Evidence, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(" ".join(s.text.split()) for s in self.sentences)


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str
    quote: str  # the file's text exactly: text[start:end], markup and line breaks included
    shown: str  # the quote as a reader sees it (index.chunking.readable): what a surface displays
    start: int
    end: int
    score: float
    publisher: str = ""
    date: str = ""
    kind: str = "article"  # "article", "related" (another article on the same page) or "comment"


_CITATION_FIELDS = tuple(f.name for f in fields(Citation))


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of the answer and the citations that support it."""

    text: str
    citations: tuple[int, ...] = ()
    supported: bool = True


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: Literal["extractive", "llm"] = "extractive"
    sentences: list[AnswerSentence] = field(default_factory=list)
    # Why the requested mode was not used (e.g. the LLM server was down), else "".
    fallback: str = ""
    # A reply to a greeting, thanks or "What can you do?" (qa.conversation):
    # it claims nothing from the articles, cites nothing, and is abstained.
    conversation: bool = False
    # The probability that the articles answer the question (qa.scorer); None where the
    # answer rests on no weighed sentence (a reply to a greeting, an article's record).
    answerable: float | None = None
    # Said beside an answer the scorer is unsure of (see Settings.unsure_below), else "".
    caution: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            # Every field is a str or a number: no need for asdict's deep copies.
            "citations": [{name: getattr(c, name) for name in _CITATION_FIELDS} for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "mode": self.mode,
            "sentences": [
                {"text": s.text, "citations": list(s.citations), "supported": s.supported} for s in self.sentences
            ],
            "fallback": self.fallback,
            "conversation": self.conversation,
            "answerable": None if self.answerable is None else round(self.answerable, 3),
            "caution": self.caution,
        }


@dataclass(frozen=True)
class AnswerEvent:
    """One step of a streamed answer: text as it is produced, then the answer.

    ``kind == "token"`` carries ``text``; the last event has ``kind ==
    "answer"`` and the final, verified :class:`Answer`. A token with
    ``verified`` false is a model's draft, not yet checked against the
    articles: the chat and the widget show progress for it, never the text.
    """

    kind: Literal["token", "answer"]
    text: str = ""
    answer: Answer | None = None
    verified: bool = True
