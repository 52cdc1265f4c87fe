"""Hybrid retrieval: dense (Chroma) and keyword (BM25) chunk rankings, fused.

:class:`IndexReader` opens the generation the manifest names and keeps what a
question needs in memory (sentence vectors and terms, chunk layout, article
metadata), so answering a question costs one embedding, one Chroma query and
one BM25 lookup, each shared with the questions asked at the same moment
(see :meth:`IndexReader.search` and qa.concurrency).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.embedding import Embedder
from index.keyword import KeywordIndex
from index.lock import pin_generation
from index.manifest import Manifest
from index.store import CHUNKS, SENTENCES, ChromaStore, read_all
from index.types import Sentence
from qa.errors import IndexStoreError
from qa.lexical import SYNONYMS, TermWeights, bigrams, terms, words
from qa.question import tokens
from qa.types import Passage


@dataclass(frozen=True)
class SentenceRecord(Sentence):
    """A stored sentence with its content terms, ready for scoring."""

    terms: frozenset[str] = frozenset()
    bigrams: frozenset[tuple[str, str]] = frozenset()

    # Only the few sentences that compete for a question need these, so they
    # are made on first use: made for every sentence when the index opens,
    # they took most of its time and memory (10k chunks: 17 s and 1.3 GB).
    @functools.cached_property
    def words(self) -> frozenset[str]:
        """Every word, stop words too: for spotting near-duplicates."""
        return frozenset(words(self.text))

    @functools.cached_property
    def tokens(self) -> tuple:
        """Words with offsets and terms: for answer proximity (qa.question)."""
        return tokens(self.text)


@dataclass(frozen=True)
class ChunkRecord:
    id: str
    source: str
    kind: str
    sentence_ids: tuple[str, ...]


@dataclass(frozen=True)
class Hits:
    """A query's chunk ids as each ranking orders them, best first."""

    dense: list[str]
    keyword: list[str]


@dataclass
class Query:
    """A question prepared for retrieval."""

    question: str
    search_text: str  # what is embedded and keyword-searched (may carry earlier turns)
    terms: list[str]  # content terms of the question itself, in order
    context_terms: list[str] = field(default_factory=list)  # from earlier turns
    answer_type: str = ""  # see qa.question
    unknown_names: list[str] = field(default_factory=list)  # names in the question the corpus never uses
    source_prior: dict[str, float] = field(default_factory=dict)  # source -> weight (1.0 when absent)
    vector: np.ndarray | None = None
    asked: str = ""  # the question as read: a follow-up's pronoun resolved, else the question

    def prior(self, source: str) -> float:
        return self.source_prior.get(source, 1.0) if self.source_prior else 1.0


class IndexReader:
    """Read access to one generation of an index."""

    def __init__(self, index_dir: Path, manifest: Manifest, store: ChromaStore) -> None:
        self.manifest = manifest
        self.store = store
        gen_dir = Path(index_dir) / "generations" / manifest.generation
        # Held for this reader's life, so no build prunes the generation under it.
        self._pin = pin_generation(index_dir, manifest.generation)
        try:
            self._chunks = store.collection(manifest.generation, CHUNKS)
            sents = read_all(store.collection(manifest.generation, SENTENCES), ["embeddings", "metadatas", "documents"])
            chunk_meta = read_all(self._chunks, ["metadatas"])
            self.keyword = KeywordIndex(gen_dir / "bm25")
            self.documents: dict[str, dict[str, str]] = json.loads((gen_dir / "documents.json").read_text(encoding="utf-8"))
        except IndexStoreError:
            raise
        except Exception as exc:
            raise IndexStoreError(
                f"The index in {index_dir} cannot be read ({type(exc).__name__}: {exc}).",
                "Rebuild it with: qa index --rebuild",
            ) from None

        order = sorted(range(len(sents["ids"])), key=lambda i: (sents["metadatas"][i]["source"], sents["metadatas"][i]["position"]))
        self.sentences: list[SentenceRecord] = []
        for i in order:
            m = sents["metadatas"][i]
            text = sents["documents"][i]
            term_list = terms(text)
            self.sentences.append(
                SentenceRecord(
                    id=sents["ids"][i],
                    source=m["source"],
                    start=int(m["start"]),
                    end=int(m["end"]),
                    text=text,
                    kind=m["kind"],
                    heading=m.get("heading", ""),
                    position=int(m["position"]),
                    terms=frozenset(term_list),
                    bigrams=bigrams(term_list),
                )
            )
        vectors = np.asarray([sents["embeddings"][i] for i in order], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else np.ones((0, 1), np.float32)
        self.vectors = vectors / np.maximum(norms, 1e-12)
        self.sentence_index = {s.id: i for i, s in enumerate(self.sentences)}
        self.chunks = {
            cid: ChunkRecord(cid, m["source"], m["kind"], tuple(json.loads(m["sentence_ids"])))
            for cid, m in zip(chunk_meta["ids"], chunk_meta["metadatas"])
        }
        self.weights = TermWeights(s.terms for s in self.sentences)
        self.postings: dict[str, list[int]] = {}
        for i, s in enumerate(self.sentences):
            for t in s.terms:
                self.postings.setdefault(t, []).append(i)
        self._publication_refs = _publication_refs(self.documents)
        self._document_terms: dict[str, frozenset[str]] = {}
        # Every known term of five letters or more under each of its one-letter deletions and itself:
        # two terms one edit apart share a key (a symmetric-deletion index).
        self._by_deletion: dict[str, list[str]] = {}
        for t in self.weights.df:
            if len(t) >= 4 and not t.isdigit():
                for d in {t, *_deletions(t)}:
                    self._by_deletion.setdefault(d, []).append(t)

    # -- questions ---------------------------------------------------------
    def source_prior(self, question: str) -> tuple[dict[str, float], str]:
        """Weights for articles the question points at by year, outlet or author.

        "in the 2025 articles", "according to the Behind the Black article":
        such a question is about what particular articles say, so those
        articles are preferred (others are down-weighted, not excluded).
        Returns the weights and the question with those references blanked
        out, since their words are about the source, not the answer.
        """
        wanted: set[str] = set()
        rest = question
        for m in _PUB_YEAR.finditer(question):
            year = m.group(1)
            wanted |= {s for s, d in self.documents.items() if d.get("date", "").startswith(year)}
            rest = rest.replace(m.group(0), " ")
        for pattern, sources in self._publication_refs:
            if pattern.search(rest):
                wanted |= sources
                rest = pattern.sub(" ", rest)
        if not wanted or len(wanted) == len(self.documents):
            return {}, question
        return {s: (1.0 if s in wanted else 0.55) for s in self.documents}, rest

    def search(self, queries: list[Query], embedder: Embedder, dense_k: int, keyword_k: int) -> list[Hits]:
        """Both rankings for each query: one embedding call, one Chroma query, one BM25 pass for all."""
        unembedded = [q for q in queries if q.vector is None]
        for q, vector in zip(unembedded, embedder.embed_queries([q.search_text for q in unembedded])):
            q.vector = np.asarray(vector, dtype=np.float32)
        n_chunks = len(self.chunks)
        if not queries or not n_chunks:
            return [Hits([], []) for _ in queries]
        dense = self._chunks.query(
            query_embeddings=[q.vector.tolist() for q in queries],  # type: ignore[union-attr]
            n_results=min(dense_k, n_chunks),
            include=["distances"],
        )
        keyword = self.keyword.search_many([q.search_text for q in queries], keyword_k)
        return [Hits(list(d), [cid for cid, _ in k]) for d, k in zip(dense["ids"], keyword)]

    def fuse(self, query: Query, hits: Hits, rrf_k: int, limit: int) -> list[Passage]:
        """The best ``limit`` chunks by reciprocal-rank fusion of both rankings."""
        fused: dict[str, float] = {}
        for ranking in (hits.dense, hits.keyword):
            for rank, cid in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (rrf_k + rank + 1)
        scored = []
        for cid, score in fused.items():
            chunk = self.chunks.get(cid)
            if chunk is None:
                continue
            scored.append((score * query.prior(chunk.source), cid))
        scored.sort(reverse=True)
        return [
            Passage(chunk_id=cid, source=self.chunks[cid].source, kind=self.chunks[cid].kind, score=score, rank=rank)
            for rank, (score, cid) in enumerate(scored[:limit])
        ]

    def retrieve(self, query: Query, embedder: Embedder, dense_k: int, keyword_k: int, rrf_k: int, limit: int) -> list[Passage]:
        """:meth:`search` and :meth:`fuse` for one query."""
        return self.fuse(query, self.search([query], embedder, dense_k, keyword_k)[0], rrf_k, limit)

    def unknown_names(self, question: str) -> list[str]:
        """Capitalised words of the question (not its first word) the corpus never uses."""
        out = []
        for i, m in enumerate(_NAME_WORD.finditer(question)):
            word = m.group(0)
            if m.start() == 0 or word.isupper() and len(word) <= 1:
                continue
            ts = terms(word)
            if ts and not any(self.weights.known(t) for t in ts):
                out.append(word)
        return out

    def best_covering(self, query_terms: list[str], n: int, sims: np.ndarray | None = None) -> list[int]:
        """The ``n`` sentences covering most of the question's weighted terms.

        Chunk retrieval can miss a sentence whose chunk is about something
        else ("NASA Administrator Bill Nelson has made various remarks ...");
        this finds it by its words.
        """
        wanted = set(query_terms) | {syn for t in query_terms for syn in SYNONYMS.get(t, ())}
        seen = {i for t in wanted for i in self.postings.get(t, ())}
        # Ties in coverage are common; embedding similarity breaks them.
        scored = sorted(
            ((self.weights.coverage(query_terms, self.sentences[i].terms), float(sims[i]) if sims is not None else 0.0, i) for i in seen),
            reverse=True,
        )
        return [i for cov, _, i in scored[:n] if cov > 0]

    def previous(self, s: SentenceRecord) -> SentenceRecord | None:
        """The sentence before ``s`` in its document, if any."""
        i = self.sentence_index[s.id]
        if i > 0 and self.sentences[i - 1].source == s.source:
            return self.sentences[i - 1]
        return None

    def neighbours(self, i: int) -> tuple[SentenceRecord | None, SentenceRecord | None]:
        """The sentences before and after sentence ``i`` in its document."""
        s = self.sentences[i]
        prev = self.sentences[i - 1] if i > 0 and self.sentences[i - 1].source == s.source else None
        nxt = self.sentences[i + 1] if i + 1 < len(self.sentences) and self.sentences[i + 1].source == s.source else None
        return prev, nxt

    def correct(self, query_terms: list[str]) -> list[str]:
        """Terms the corpus never uses replaced by the one known term a letter away ("maastrich")."""
        out = []
        for t in query_terms:
            if self.weights.known(t) or len(t) < 5 or t.isdigit():
                out.append(t)
                continue
            near = {k for d in _deletions(t) for k in self._by_deletion.get(d, ())} | set(self._by_deletion.get(t, ()))
            near = {k for k in near if abs(len(k) - len(t)) <= 1}
            # Several candidates: the most frequent one is the likelier word.
            out.append(max(near, key=lambda k: (self.weights.df[k], k)) if near else t)
        return out

    def unknown_share(self, query_terms: list[str]) -> float:
        """Share of the question's term weight in terms the corpus never uses."""
        q = set(query_terms)
        total = sum(self.weights.idf(t) for t in q)
        return sum(self.weights.idf(t) for t in q if not self.weights.known(t)) / total if total else 0.0

    def document_missing(self, query_terms: list[str], i: int) -> float:
        """Share of the question's term weight that the article holding sentence ``i`` never uses."""
        q = set(query_terms)
        total = sum(self.weights.idf(t) for t in q)
        if i < 0 or not total:
            return 1.0 if total else 0.0
        source = self.sentences[i].source
        if source not in self._document_terms:
            self._document_terms[source] = frozenset().union(*(s.terms for s in self.sentences if s.source == source))
        have = self._document_terms[source]
        return sum(self.weights.idf(t) for t in q if t not in have) / total

    def meta(self, source: str) -> dict[str, str]:
        return self.documents.get(source, {})


# "the 2021 article", "2025 reporting", "the 2021 Putin interview": the year
# and the noun (the words between are kept: "Putin" still matters).
_PUB_YEAR = re.compile(
    r"\b((?:19|20)\d\d)\b(?=(?:\s+[\w'’-]+){0,2}?\s+(?:articles?|reporting|reports?|pieces?|stor(?:y|ies)|coverage|interview|op-?eds?|posts?)\b)",
    re.I,
)


def _deletions(term: str) -> set[str]:
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


_NAME_WORD = re.compile(r"(?<![\w'’-])[A-Z][\w'’.-]*[\w]")


def _publication_refs(documents: dict[str, dict[str, str]]) -> list[tuple[re.Pattern[str], set[str]]]:
    """Patterns naming an outlet or author, and the articles they point at."""
    by_name: dict[str, set[str]] = {}
    for source, meta in documents.items():
        for key in ("publisher", "author"):
            value = meta.get(key, "")
            # "RT (first published by Gazeta.ru)" names RT; the parenthesis is a note.
            name = re.split(r"[(,]", value)[0].strip()
            if len(name) >= 2:
                by_name.setdefault(name, set()).add(source)
                if key == "author" and " " in name:
                    by_name.setdefault(name.split()[-1], set()).add(source)
    refs = []
    for name, sources in by_name.items():
        escaped = re.escape(name)
        # Short names (RT) must match in capitals; longer ones in any case.
        flags = 0 if len(name) <= 3 else re.I
        refs.append((re.compile(rf"(?<![\w.]){escaped}(?![\w])", flags), sources))
    return refs

