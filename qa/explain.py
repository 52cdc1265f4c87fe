"""Why an answer came out as it did: the trace of one question through every stage.

For the person who runs the service. It shows how the question was read, the
chunks retrieved (dense, BM25 and fused rank), every candidate sentence with
its signals and probability, the answerability probability against its
threshold, and a verdict naming the stage to look at. Tracing reads what
answering computed; it never changes the answer.

With a labelled question (its evidence phrases), the verdict says where a
wrong answer went wrong: ``cleaning`` (the evidence is not indexed as article
text), ``retrieval`` (no candidate holds it), ``sentence choice`` (a candidate
holds it, the answer cites others), ``abstained below threshold``; a greeting
or "What can you do?" is ``not a question about the articles``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from index.chunking import readable, sentence_words
from index.types import Sentence
from qa.answerer import AnswerRequest
from qa.conversation import turn_kind
from qa.features import QUESTION_FEATURES, SENTENCE_FEATURES
from qa.metrics import norm
from qa.retrieve import IndexReader
from qa.types import Answer

ANSWERED, ABSTAINED, CHOICE, RETRIEVAL, CLEANING, CONVERSATION = (
    "answered",
    "abstained below threshold",
    "sentence choice",
    "retrieval",
    "cleaning",
    "not a question about the articles",  # a greeting, thanks, "What can you do?" (qa.conversation)
)
VERDICTS = (ANSWERED, ABSTAINED, CHOICE, RETRIEVAL, CLEANING, CONVERSATION)
SHOWN_CANDIDATES = 12
OPENING_WORDS = 8  # of a chunk, to tell apart the chunks of one file


def explain(request: AnswerRequest, answer: Answer, evidence: Sequence[str] = ()) -> dict[str, Any]:
    """The trace of ``request`` (as answered by ``answer``); ``evidence``: phrases that prove a right answer."""
    reader, query, ev = request.reader, request.query, request.evidence
    hits = request.hits
    dense = {cid: r + 1 for r, cid in enumerate(hits.dense)} if hits else {}
    keyword = {cid: r + 1 for r, cid in enumerate(hits.keyword)} if hits else {}
    layouts = reader.chunk_layouts(p.chunk_id for p in ev.passages)
    chunks = [
        {
            "chunk_id": p.chunk_id,
            "source": p.source,
            "kind": p.kind,
            "opening": _opening(reader, layouts[p.chunk_id].rows if p.chunk_id in layouts else ()),
            "fused_rank": p.rank + 1,
            "dense_rank": dense.get(p.chunk_id),
            "bm25_rank": keyword.get(p.chunk_id),
            "fused_score": round(p.score, 5),
        }
        for p in ev.passages
    ]
    cited = {(c.source, c.start) for c in answer.citations} if not answer.abstained else set()
    cands = ev.candidates
    candidates = []
    if cands is not None and len(cands.rows):
        probs = 1.0 / (1.0 + np.exp(-cands.logits))
        for k in np.argsort(-cands.logits):
            s = reader.sentences[cands.rows[k]]
            candidates.append(
                {
                    "source": s.source,
                    "start": s.start,
                    "end": s.end,
                    "text": s.text,
                    "kind": s.kind,
                    "code": s.code,
                    "probability": round(float(probs[k]), 4),
                    "features": {name: round(float(v), 4) for name, v in zip(SENTENCE_FEATURES, cands.features[k])},
                    "chosen": (s.source, s.start) in cited,
                }
            )
    trace: dict[str, Any] = {
        "question": {
            "text": request.question,
            "answer_type": query.answer_type,
            "terms": query.terms,
            "search_text": query.search_text,
            "rewritten": query.asked if query.asked != request.question else "",
            "context_terms": query.context_terms,
            "preferred_sources": sorted(s for s, w in query.source_prior.items() if w >= 1.0),
            "unknown_names": query.unknown_names,
            # A question that asks two things (qa.compound): the trace is its first part's.
            "parts": [p.question for p in request.parts],
        },
        "chunks": chunks,
        "candidates": candidates,
        "question_features": {n: round(float(v), 4) for n, v in zip(QUESTION_FEATURES, cands.question)} if cands is not None else {},
        # Unrounded: compared with the threshold (the chat's "at or above", `qa eval --curve`'s
        # choice of one), a rounded value can fall on the other side of it than the answer did.
        "answerable": ev.answerable,
        "threshold": ev.threshold,
        "verdict": verdict(request, answer, evidence),
    }
    return trace


def _opening(reader: IndexReader, rows: Sequence[int]) -> str:
    """A chunk's first words as a reader sees them."""
    if not rows:
        return ""
    first = reader.sentences[rows[0]]
    words = sentence_words(first).split()
    return " ".join(words[:OPENING_WORDS]) + (" …" if len(words) > OPENING_WORDS else "")


def verdict(request: AnswerRequest, answer: Answer, evidence: Sequence[str] = ()) -> str:
    """The stage to look at; without ``evidence``, only whether it answered."""
    if turn_kind(request.question):
        return CONVERSATION
    wanted = [norm(e) for e in evidence if e]
    if not wanted:
        return ABSTAINED if answer.abstained else ANSWERED
    if not answer.abstained and any(_holds(w, c.quote, c.shown) for c in answer.citations for w in wanted):
        return ANSWERED
    reader = request.reader
    cands = request.evidence.candidates
    rows = cands.rows if cands is not None else []

    def holds(s: Sentence) -> bool:
        return any(_holds(w, s.text, sentence_words(s)) for w in wanted)

    if any(holds(reader.sentences[i]) for i in rows):
        return ABSTAINED if answer.abstained else CHOICE
    indexed = any(s.kind in ("article", "related") and holds(s) for s in reader.sentences)
    return RETRIEVAL if indexed else CLEANING


def _holds(phrase: str, *texts: str) -> bool:
    # As qa.metrics scores it: evidence may be written as the source has it or
    # as a reader sees it (a Markdown page's `code` without its ticks).
    return any(phrase in norm(t) for t in texts)


def render_trace(trace: dict[str, Any]) -> str:
    """The trace as text, for ``qa ask --explain``."""
    q = trace["question"]
    lines = [f"question: {q['text']}", f"  answer type: {q['answer_type'] or 'open'}; terms: {', '.join(q['terms'])}"]
    if q.get("parts"):
        lines.append(f"  asked as {len(q['parts'])} questions: {' | '.join(q['parts'])} (traced: the first)")
    if q["rewritten"]:
        lines.append(f"  read as: {q['rewritten']}")
    if q["context_terms"]:
        lines.append(f"  from earlier turns: {', '.join(q['context_terms'])}")
    if q["preferred_sources"]:
        lines.append(f"  prefers: {', '.join(q['preferred_sources'])}")
    if q["unknown_names"]:
        lines.append(f"  names the articles never use: {', '.join(q['unknown_names'])}")
    lines.append("chunks (fused rank, dense rank, BM25 rank):")
    for c in trace["chunks"]:
        lines.append(
            f"  #{c['fused_rank']:<2} dense {c['dense_rank'] or '-':<3} bm25 {c['bm25_rank'] or '-':<3} {c['source']} ({c['kind']})"
            f"  {c['opening']}"
        )
    lines.append(f"candidates (best {SHOWN_CANDIDATES} of {len(trace['candidates'])}; * = cited):")
    for c in trace["candidates"][:SHOWN_CANDIDATES]:
        f = c["features"]
        mark = "*" if c["chosen"] else " "
        lines.append(
            f" {mark} p={c['probability']:.3f} sim={f['similarity']:.2f} cov={f['coverage']:.2f} "
            f"type={int(f['type_span'])} missing={f['names_missing_here']:.2f}  {' '.join(readable(c['source'], c['text'], c['code']).split())[:90]}"
        )
    lines.append(f"answerable: {trace['answerable']:.3f} against threshold {trace['threshold']:.3f}")
    lines.append(f"verdict: {trace['verdict']}")
    return "\n".join(lines)
