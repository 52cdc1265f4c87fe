"""Sentence-level evidence: which sentences answer the question, and whether any does.

The candidates are the sentences of the retrieved chunks, plus the sentences
closest to the question in embedding space and those covering most of its
weighted words (chunk retrieval can miss a sentence whose chunk is about
something else). Each gets a row of signals (qa.features) and, from the
fitted ranker (qa.scorer), the probability that it holds the answer. The
best candidates' signals then give the probability that the corpus answers
the question at all; below the scorer's threshold the answer abstains.

Near-duplicates (a page that repeats itself, an article and its condensed
version) collapse to the most informative copy, so one fact is cited once.
Citations show the ranker's probability as their score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from index.chunking import sentence_words
from qa.features import QUESTION_FEATURES, SENTENCE_FEATURES, question_row, question_signals, sentence_rows
from qa.retrieve import IndexReader, Query, SentenceRecord, Similarities
from qa.scorer import Composition, Scorer
from qa.types import Citation, Evidence, Passage


@dataclass
class Candidates:
    """Every candidate sentence with its signals and ranker logit: what training reads."""

    rows: list[int]  # sentence indices in the reader
    features: np.ndarray  # one row of SENTENCE_FEATURES each
    logits: np.ndarray
    question: np.ndarray  # the row of QUESTION_FEATURES
    document_missing: float = 0.0  # see QUESTION_FEATURES
    date_support: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per candidate, see qa.features.sentence_rows


@dataclass
class EvidenceSet:
    ranked: list[Evidence]  # best first, near-duplicates collapsed
    passages: list[Passage]  # retrieved chunks with their scored sentences
    supported: bool  # whether the corpus answers the question (answerable >= threshold)
    answerable: float = 0.0  # probability that the corpus answers the question
    threshold: float = 0.0
    candidates: Candidates | None = field(default=None, repr=False)


def gather(
    reader: IndexReader, query: Query, passages: list[Passage], scorer: Scorer, include_comments: bool = True, dense: Sequence[str] = ()
) -> EvidenceSet:
    """Score the candidate sentences for ``query`` and whether the corpus answers it.

    Candidates are the sentences of the retrieved ``passages``, those nearest
    the question (among the chunks of its ``dense`` ranking above the scan
    limit, see IndexReader.nearest) and those covering most of its words.
    """
    assert query.vector is not None
    comp = scorer.composition
    qvec = query.vector / max(float(np.linalg.norm(query.vector)), 1e-12)
    sims = reader.similarities(qvec)

    top_chunk = max((p.score for p in passages), default=0.0) or 1.0
    context: dict[int, float] = {}
    chunk_rank: dict[int, int] = {}
    layouts = reader.chunk_layouts(p.chunk_id for p in passages)
    for p in passages:
        for i in layouts[p.chunk_id].rows if p.chunk_id in layouts else ():
            context[i] = max(context.get(i, 0.0), p.score / top_chunk)
            chunk_rank[i] = min(chunk_rank.get(i, p.rank), p.rank)
    candidates = set(context)
    if len(reader.sentences):
        candidates.update(reader.nearest(sims, comp.extra_candidates, dense))
    candidates.update(reader.best_covering(query.terms, comp.extra_candidates, sims))
    # Only the candidates and the sentences around them are read and scored.
    around = candidates | {j for i in candidates for j in (i - 1, i + 1)}
    records = reader.sentences.load(around)
    # A lead found by its words ("-c, --create" for "What does -c do?") says
    # little itself; the sentence it leads says what it is.
    led = {i + 1 for i in candidates if i + 1 in records and reader.lead_row(i + 1) == i} - candidates
    if led:
        candidates |= led
        after = {i + 1 for i in led} - around  # the rest of their neighbours are read already
        around |= after
        records.update(reader.sentences.load(after))
    # What a candidate is read under (its lead, its section's heading) is read
    # in the same go, not a row at a time as scoring comes to it.
    heads = {h for i in candidates for h in (reader.lead_row(i), reader.section_row(i)) if h is not None} - around
    if heads:
        around |= heads
        records.update(reader.sentences.load(heads))
    sims.need(around)
    rows = sorted(i for i in candidates if include_comments or records[i].kind != "comment")

    features, date_support = sentence_rows(reader, query, question_signals(query.question), rows, sims, context, chunk_rank)
    logits = scorer.ranker.logits(features) if rows else np.zeros(0)
    probs = (1.0 / (1.0 + np.exp(-logits))).tolist()
    cov = features[:, SENTENCE_FEATURES.index("coverage")].tolist()
    sim = features[:, SENTENCE_FEATURES.index("similarity")].tolist()
    scored: dict[int, Evidence] = {}
    for r, i in enumerate(rows):
        p = round(probs[r], 4)
        scored[i] = evidence_of(records[i], score=p, relevance=p, coverage=round(cov[r], 4), similarity=round(sim[r], 4))
    ranked = _collapse_duplicates(sims, sorted(scored.values(), key=lambda e: -e.score), comp, {records[i].id: (i, records[i]) for i in rows})
    scored_passages = [
        Passage(
            chunk_id=p.chunk_id,
            source=p.source,
            kind=p.kind,
            score=p.score,
            rank=p.rank,
            sentences=tuple(scored[i] for i in (layouts[p.chunk_id].rows if p.chunk_id in layouts else ()) if i in scored),
        )
        for p in passages
    ]
    top = rows[int(np.argmax(logits))] if rows else -1
    q_row = question_row(query, reader.unknown_share(query.terms), features, logits, reader.document_missing(query.terms, top), date_support=date_support)
    answerable = float(scorer.answerable.probabilities(q_row[None, :])[0])
    return EvidenceSet(
        ranked=ranked,
        passages=scored_passages,
        supported=bool(ranked) and answerable >= scorer.threshold,
        answerable=answerable,
        threshold=scorer.threshold,
        candidates=Candidates(
            rows=rows, features=features, logits=logits, question=q_row, document_missing=float(q_row[QUESTION_FEATURES.index("document_missing")]),
            date_support=date_support,
        ),
    )


def _collapse_duplicates(sims: Similarities, ranked: list[Evidence], comp: Composition, by_id: dict[str, tuple[int, SentenceRecord]]) -> list[Evidence]:
    """Keep one sentence per group of near-duplicates.

    The best-scoring copy stands for the group, unless a copy scoring almost
    as well says more (the original beside its condensed version).
    """
    top = ranked[: comp.ranked_limit]
    records = [by_id[ev.sentence_id] for ev in top]
    duplicate = _near_duplicates(sims.vectors([i for i, _ in records]), [s.words for _, s in records], comp)
    kept: list[int] = []  # positions in ``top``
    for i, ev in enumerate(top):
        dup = next((j for j, k in enumerate(kept) if duplicate[i][k]), None)
        if dup is None:
            kept.append(i)
            continue
        k = kept[dup]
        if ev.score >= top[k].score - 0.03 and len(records[i][1].words) > len(records[k][1].words):
            kept[dup] = i
    return [top[i] for i in kept]


# Sentences sharing most of their words are never this far apart in embedding space.
_UNRELATED = 0.5


def _near_duplicates(vectors: np.ndarray, words: list[frozenset[str]], comp: Composition) -> list[list[bool]]:
    """Which pairs of sentences (with these normalised ``vectors`` and ``words``) are one sentence said twice.

    Every pair at once: most candidates of a question are close enough in
    embedding space that their words must be compared, and pair by pair in
    Python that took a millisecond a question.
    """
    cosine = (vectors @ vectors.T).astype(np.float64)  # against the thresholds as Python floats, not rounded to float32
    vocabulary: dict[str, int] = {}
    columns = [vocabulary.setdefault(w, len(vocabulary)) for ws in words for w in ws]
    size = np.array([len(ws) for ws in words], dtype=np.float64)
    member = np.zeros((len(words), len(vocabulary)), dtype=np.float64)
    member[np.repeat(np.arange(len(words)), size.astype(np.intp)), columns] = 1.0
    shared = member @ member.T  # whole numbers, exactly
    union = size[:, None] + size[None, :] - shared
    with np.errstate(divide="ignore", invalid="ignore"):
        similar_words = (size[:, None] > 0) & (size[None, :] > 0) & (shared / union >= comp.near_duplicate_jaccard)
    # Copies state the same numbers (a condensed copy may drop some): "a 4 GB
    # limit if long is 32 bits" and "16 exabytes if long is 64 bits" are two facts.
    numbers = member[:, [c for w, c in vocabulary.items() if w[:1].isdigit()]]
    extra = numbers @ (1.0 - numbers).T  # [i, j]: numbers of i that j lacks
    same_numbers = (extra == 0) | (extra.T == 0)
    return (((cosine >= comp.near_duplicate_cosine) | ((cosine >= _UNRELATED) & similar_words)) & same_numbers).tolist()


def evidence_of(s: SentenceRecord, score: float, coverage: float = 0.0, similarity: float = 0.0, relevance: float = 0.0) -> Evidence:
    """Sentence ``s`` as evidence with these scores."""
    return Evidence(
        sentence_id=s.id, source=s.source, start=s.start, end=s.end, text=s.text, kind=s.kind, heading=s.heading,
        score=score, relevance=relevance, coverage=coverage, similarity=similarity, position=s.position, code=s.code,
        shown_row=s.shown_row,
    )


def cite(n: int, ev: Evidence, reader: IndexReader) -> Citation:
    """The contract's citation for a piece of evidence."""
    meta = reader.meta(ev.source)
    title = ev.heading or meta.get("title", "") or ev.source
    return Citation(
        n=n,
        source=ev.source,
        title=title,
        quote=ev.text,
        shown=sentence_words(ev),
        start=ev.start,
        end=ev.end,
        score=round(min(ev.score, 1.0), 3),
        publisher=meta.get("publisher", ""),
        date=meta.get("date", ""),
        kind=ev.kind,
    )


def attribution(publisher: str, title: str, source: str, date: str, undated: str = "undated") -> str:
    """What an answer sentence opens with when its answer cites articles of
    different dates: "Behind the Black (2025-08): "; ``undated`` stands in
    for a missing date ("" leaves it out)."""
    label = (publisher or title or source).split(" (")[0]
    return f"{label} ({date or undated}): " if date or undated else f"{label}: "


def shown_beside(ev: Evidence, sentence) -> Evidence:
    """``sentence`` as evidence shown beside ``ev`` for what it adds (a lead, a list a colon opens), not for its own score."""
    return replace(
        ev, sentence_id=sentence.id, start=sentence.start, end=sentence.end, text=sentence.text, position=sentence.position, code=sentence.code,
        shown_row=sentence.shown_row, coverage=0.0, similarity=0.0,
    )


def with_leads(chosen: Sequence[Evidence], reader) -> list[Evidence]:
    """``chosen`` with each sentence after the sentence it is read under.

    "Compound engine | 2 | Mills" answers "how many expansion stages?" only
    beside "Engine | Expansion stages | Inventor", and "Added SSH
    certificates." says when only under "## 2.3.0 (2024-11-18)": the lead
    (index.types.Sentence.lead) comes before the first sentence it leads
    (moved there when ``chosen`` holds it further on), and the sentences it
    leads follow it in their document's order: a procedure's steps, a
    table's rows.
    """
    by_id = {ev.sentence_id: ev for ev in chosen}
    leads = {ev.sentence_id: reader.lead(reader.sentences.row_of(ev.sentence_id)) for ev in chosen}
    led: dict[str, list[Evidence]] = {}
    for ev in chosen:
        lead = leads[ev.sentence_id]
        if lead is not None:
            led.setdefault(lead.id, []).append(ev)
    shown: set[str] = set()
    out: list[Evidence] = []
    for ev in chosen:
        if ev.sentence_id in shown:
            continue  # shown already: as a lead, or with the others of its lead
        lead = leads[ev.sentence_id]
        if lead is None:
            out.append(ev)
            shown.add(ev.sentence_id)
            continue
        if lead.id not in shown:
            out.append(by_id.get(lead.id) or shown_beside(ev, lead))
            shown.add(lead.id)
        for member in sorted(led[lead.id], key=lambda e: (e.source, e.position)):
            if member.sentence_id not in shown:
                out.append(member)
                shown.add(member.sentence_id)
    return out
