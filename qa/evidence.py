"""Sentence-level evidence: which sentences answer the question, and how well.

Every candidate sentence (those of the retrieved chunks, plus the sentences
closest to the question in embedding space) gets a *relevance*, roughly 0-1,
from

* ``similarity``: cosine between question and sentence embeddings, rescaled;
* ``coverage``: the share of the question's IDF-weighted terms the sentence
  itself contains (or, for a sentence that refers back, with the one before),
  so a sentence on the right topic that lacks the asked-for specifics
  ("sample return", "France") scores low;
* the question's word pairs found as phrases in the sentence;
* the fused retrieval score of the best chunk holding it (its context);
* for follow-ups, coverage of the earlier turns' terms.

The article a question points at (by year or outlet) weighs more; reader
comments weigh less (more when readers are asked about); headlines and
fragments weigh less. The ranking *score* then weighs in the kind of answer
asked for (qa.question): a "who" question's answer names someone, best right
beside the question's words. Near-duplicates (a page that repeats itself, an
article and its condensed version) collapse to the most informative copy.

``supported`` is whether the best relevance clears ``min_support`` and the
question names nothing the corpus never mentions (a question about "France"
cannot be answered from articles that never say "France"); otherwise the
answer abstains. Citations show the score capped at 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from index.chunking import normalize, opens_with_reference
from qa.lexical import bigrams
from qa.question import AUTHOR, MISMATCH_FACTOR, PROXIMITY_FACTOR, answer_spans, has_answer, near_question_words
from qa.retrieve import IndexReader, Query, SentenceRecord
from qa.types import Citation, Evidence, Passage

# Weights of the score's parts; they sum to 1 (before the follow-up bonus).
W_SIMILARITY = 0.45
W_COVERAGE = 0.40
W_CONTEXT = 0.15
W_FOLLOWUP = 0.10
W_PHRASE = 0.10  # the question's word pairs found as phrases in the sentence

COMMENT_WEIGHT = 0.8  # and 1/COMMENT_WEIGHT when the question asks what readers said
# Headlines and fragments ("Roscosmos: a paper tiger") name a topic but state nothing.
FRAGMENT_WEIGHT = 0.75
_ASKS_READERS = re.compile(r"\b(readers?|comments?|commenters?|commenting)\b", re.I)
# Cosine below LOW says nothing; above HIGH is as good as it gets for MiniLM.
SIM_LOW, SIM_HIGH = 0.15, 0.70
NEAR_DUPLICATE_JACCARD = 0.6
NEAR_DUPLICATE_COSINE = 0.92
JACCARD_PREFILTER_COSINE = 0.5
EXTRA_CANDIDATES = 8  # sentences added by embedding similarity, and as many by word coverage
RANKED_LIMIT = 30  # candidates kept after ranking; answers use a handful
WINDOW_DISCOUNT = 0.85


@dataclass
class EvidenceSet:
    ranked: list[Evidence]  # best first, near-duplicates collapsed
    passages: list[Passage]  # retrieved chunks with their scored sentences
    supported: bool


def gather(reader: IndexReader, query: Query, passages: list[Passage], min_support: float, include_comments: bool = True) -> EvidenceSet:
    assert query.vector is not None
    qvec = query.vector / max(float(np.linalg.norm(query.vector)), 1e-12)
    sims = reader.vectors @ qvec if len(reader.vectors) else np.zeros(0, np.float32)

    top_chunk = max((p.score for p in passages), default=0.0) or 1.0
    context: dict[int, float] = {}
    for p in passages:
        for sid in reader.chunks[p.chunk_id].sentence_ids:
            i = reader.sentence_index.get(sid)
            if i is not None:
                context[i] = max(context.get(i, 0.0), p.score / top_chunk)
    candidates = set(context)
    if len(sims):
        candidates.update(int(i) for i in np.argsort(-sims)[:EXTRA_CANDIDATES])
    candidates.update(reader.best_covering(query.terms, EXTRA_CANDIDATES, sims))

    scored: dict[int, Evidence] = {}
    for i in candidates:
        s = reader.sentences[i]
        if s.kind == "comment" and not include_comments:
            continue
        scored[i] = _score(reader, query, s, float(sims[i]), context.get(i, 0.0))

    if query.answer_type == AUTHOR:
        _credit_bylines(scored, passages, reader)
    ranked = _collapse_duplicates(reader, sorted(scored.values(), key=lambda e: -e.score))
    scored_passages = [
        Passage(
            chunk_id=p.chunk_id,
            source=p.source,
            kind=p.kind,
            score=p.score,
            rank=p.rank,
            sentences=tuple(scored[reader.sentence_index[sid]] for sid in reader.chunks[p.chunk_id].sentence_ids if reader.sentence_index.get(sid) in scored),
        )
        for p in passages
    ]
    supported = bool(ranked) and max(e.relevance for e in ranked) >= min_support and not query.unknown_names
    return EvidenceSet(ranked=ranked, passages=scored_passages, supported=supported)


def _score(reader: IndexReader, query: Query, s: SentenceRecord, sim: float, context: float) -> Evidence:
    sim_n = min(max((sim - SIM_LOW) / (SIM_HIGH - SIM_LOW), 0.0), 1.0)
    if query.terms:
        coverage = reader.weights.coverage(query.terms, s.terms)
        prev = reader.previous(s)
        if prev is not None and opens_with_reference(s.text):
            # "All he agreed to was ..." covers what the sentence before names.
            coverage = max(coverage, WINDOW_DISCOUNT * reader.weights.coverage(query.terms, s.terms | prev.terms))
    else:
        coverage = sim_n
    score = W_SIMILARITY * sim_n + W_COVERAGE * coverage + W_CONTEXT * context
    q_pairs = bigrams(query.terms)
    if q_pairs:
        score += W_PHRASE * len(q_pairs & s.bigrams) / len(q_pairs)
    if query.context_terms:
        score += W_FOLLOWUP * reader.weights.coverage(query.context_terms, s.terms)
    score *= query.prior(s.source)
    if s.kind == "comment":
        score *= 1 / COMMENT_WEIGHT if _ASKS_READERS.search(query.question) else COMMENT_WEIGHT
    if len(s.text.split()) < 4:
        score *= 0.7  # "The occasion?" is never an answer on its own
    elif _is_fragment(s.text) or _is_title(reader, s):
        score *= FRAGMENT_WEIGHT
    relevance = score
    if query.answer_type:
        # Ranking only: a "who" question's answer names someone, best right
        # beside the question's words. Whether the corpus answers at all is
        # judged on relevance, before this.
        spans = answer_spans(query.answer_type, s.text, query.question)
        if not spans:
            score *= MISMATCH_FACTOR[query.answer_type]
        elif near_question_words(spans, s.tokens, set(query.terms)):
            score *= PROXIMITY_FACTOR
    return Evidence(
        sentence_id=s.id,
        source=s.source,
        start=s.start,
        end=s.end,
        text=s.text,
        kind=s.kind,
        heading=s.heading,
        score=round(score, 4),
        relevance=round(relevance, 4),
        coverage=round(coverage, 4),
        similarity=round(sim, 4),
        position=s.position,
    )


def _is_fragment(text: str) -> bool:
    return len(text.split()) <= 6 and not re.search(r"[.!?][\"'”’)]*$", text.strip())


def _is_title(reader: IndexReader, s: SentenceRecord) -> bool:
    if s.position > 2:
        return False
    title = reader.meta(s.source).get("title", "")
    return bool(title) and normalize(s.text) in normalize(title)


def _credit_bylines(scored: dict[int, Evidence], passages: list[Passage], reader: IndexReader) -> None:
    """For "who wrote ...": the byline of the best-matching article is the answer.

    Relevance here is the article's, not the byline's own words, so a byline
    inherits the best score of its article's sentences.
    """
    best_by_source: dict[str, float] = {}
    for ev in scored.values():
        best_by_source[ev.source] = max(best_by_source.get(ev.source, 0.0), ev.relevance)
    for i, s in enumerate(reader.sentences):
        if s.source in best_by_source and s.kind == "article" and has_answer(AUTHOR, s.text, ""):
            base = scored.get(i) or _score(reader, Query(question="", search_text="", terms=[]), s, 0.0, 0.0)
            credit = best_by_source[s.source] + 0.01
            scored[i] = replace(base, score=credit, relevance=credit)


def _collapse_duplicates(reader: IndexReader, ranked: list[Evidence]) -> list[Evidence]:
    """Keep one sentence per group of near-duplicates.

    The best-scoring copy stands for the group, unless a copy scoring almost
    as well says more (the original beside its condensed version).
    """
    top = ranked[:RANKED_LIMIT]
    rows = [reader.sentence_index[ev.sentence_id] for ev in top]
    cosines = reader.vectors[rows] @ reader.vectors[rows].T if rows else np.zeros((0, 0))
    kept: list[int] = []  # positions in ``top``
    for i, ev in enumerate(top):
        dup = next((j for j, k in enumerate(kept) if _near_duplicate(reader, top[i], top[k], float(cosines[i, k]))), None)
        if dup is None:
            kept.append(i)
            continue
        k = kept[dup]
        if ev.score >= top[k].score - 0.03 and len(_words(reader, ev)) > len(_words(reader, top[k])):
            kept[dup] = i
    return [top[i] for i in kept]


def _words(reader: IndexReader, ev: Evidence) -> frozenset[str]:
    return reader.sentences[reader.sentence_index[ev.sentence_id]].words


def _near_duplicate(reader: IndexReader, a: Evidence, b: Evidence, cosine: float) -> bool:
    if cosine >= NEAR_DUPLICATE_COSINE:
        return True
    if cosine < JACCARD_PREFILTER_COSINE:
        return False  # sentences sharing most words are never this far apart
    wa, wb = _words(reader, a), _words(reader, b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= NEAR_DUPLICATE_JACCARD


def cite(n: int, ev: Evidence, reader: IndexReader) -> Citation:
    """The contract's citation for a piece of evidence."""
    meta = reader.meta(ev.source)
    title = ev.heading or meta.get("title", "") or ev.source
    return Citation(
        n=n,
        source=ev.source,
        title=title,
        quote=ev.text,
        start=ev.start,
        end=ev.end,
        score=round(min(ev.score, 1.0), 3),
        publisher=meta.get("publisher", ""),
        date=meta.get("date", ""),
        kind=ev.kind,
    )
