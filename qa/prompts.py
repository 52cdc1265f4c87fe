"""What the LLM is shown: numbered passages and the question, or a conversation to condense.

Prompts are kept short on purpose: the smallest models this must work with
have a 2k-token context and lose the instruction in a long one, and on a
CPU every prompt token costs time. So each passage is the best few
sentences of a retrieved chunk rather than the whole chunk, the strongest
passage comes first (small models cite [1] most), and there are at most
:data:`MAX_SOURCES` of them.
"""

from __future__ import annotations

from typing import Callable, Sequence

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from qa.evidence import EvidenceSet, with_leads
from qa.types import Evidence
from qa.verify import Source

MAX_SOURCES = 4
SENTENCES_PER_SOURCE = 3
# The best sentences overall are shown even when they lie outside the retrieved chunks.
TOP_SENTENCES = 2

ANSWER_SYSTEM = (
    "You answer questions about news articles using only the numbered passages. "
    "Answer in one to three short sentences. "
    "End each sentence with the number of the passage it comes from in brackets, like [1]. "
    "If the passages do not answer the question, say that the articles do not say."
)
CONDENSE_SYSTEM = (
    "Rewrite the last question so that it can be understood without the earlier ones. "
    "Replace words like he, she, it, they and that with what they refer to. "
    "Reply with the rewritten question only."
)


def select_sources(evidence: EvidenceSet, reader) -> list[Source]:
    """Numbered passages for the prompt, strongest first; a table row or list
    item with its lead (qa.evidence.with_leads)."""
    used: set[str] = set()
    groups: list[tuple[float, tuple[Evidence, ...]]] = []
    for passage in evidence.passages:
        fresh = [s for s in passage.sentences if s.sentence_id not in used]
        best = {s.sentence_id for s in sorted(fresh, key=lambda e: -e.score)[:SENTENCES_PER_SOURCE]}
        keep = tuple(s for s in fresh if s.sentence_id in best)  # document order reads naturally
        if keep:
            used.update(best)
            groups.append((max(s.score for s in keep), keep))
    for ev in evidence.ranked[:TOP_SENTENCES]:
        if ev.sentence_id not in used:
            used.add(ev.sentence_id)
            groups.append((ev.score, (ev,)))
    groups.sort(key=lambda g: -g[0])
    return [
        Source(n=i, sentences=tuple(with_leads(g[1], reader)))
        for i, g in enumerate(groups[:MAX_SOURCES], start=1)
    ]


def answer_messages(
    question: str, sources: Sequence[Source], meta: Callable[[str], dict[str, str]]
) -> list[ChatMessage]:
    """System instruction, then the passages (with outlet and date) and the question."""
    lines = ["Passages:"]
    for src in sources:
        lines.append(f"[{src.n}] ({_label(src, meta)}) {src.text}")
    lines.append("")
    lines.append(f"Question: {question}")
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=ANSWER_SYSTEM),
        ChatMessage(role=MessageRole.USER, content="\n".join(lines)),
    ]


def condense_messages(question: str, history: Sequence[str]) -> list[ChatMessage]:
    earlier = "\n".join(f"- {turn}" for turn in history[-3:])
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=CONDENSE_SYSTEM),
        ChatMessage(role=MessageRole.USER, content=f"Earlier questions:\n{earlier}\n\nLast question: {question}"),
    ]


def _label(src: Source, meta: Callable[[str], dict[str, str]]) -> str:
    first = src.sentences[0]
    m = meta(first.source)
    outlet = (m.get("publisher", "") or m.get("title", "") or first.source).split(" (")[0]
    label = ", ".join(x for x in (outlet, m.get("date", "")) if x)
    if first.kind == "comment":
        label += ", reader comment"
    return label
