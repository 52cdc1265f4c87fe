"""Hybrid retrieval: dense (embedding) and keyword (BM25) chunk rankings, fused.

:class:`IndexReader` opens the generation the manifest names. Answering a
question costs one embedding, one dense ranking of the chunks and one BM25
lookup, each shared with the questions asked at the same moment (see
:meth:`IndexReader.search` and qa.concurrency), then one read of the
retrieved chunks' sentences from the generation's sentence store
(index.sentence_store): the reader never holds the corpus's sentences, so
its memory and opening time do not grow with them. The dense ranking is
exact, one product with every chunk vector, for an index small enough to
scan its sentences (its sentence store holds the chunk vectors too), and
one Chroma query, approximate (HNSW), above that.
"""

from __future__ import annotations

import bisect
import functools
import json
import operator
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import overload

import numpy as np

from index.chunking import sentence_words
from index.embedding import Embedder
from index.keyword import KeywordIndex
from index.lock import pin_generation
from index.manifest import Manifest
from index.sentence_store import FOLDER as SENTENCE_FOLDER
from index.sentence_store import ChunkLayout, SentenceStore, joins_name
from index.store import CHUNKS, ChromaStore
from index.types import Sentence
from qa.errors import IndexStoreError
from qa.lexical import STOPWORDS, SYNONYM_CREDIT, SYNONYMS, TermWeights, bigrams, is_english_word, terms, words
from qa.question import tokens, written_out, year_span
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
    def shown(self) -> str:
        """The sentence as a reader sees it, a web page's markup and entities off:
        what its answer, negation and dates are read from ("&pound;9" is "£9")."""
        return sentence_words(self)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        """Every word, stop words too: for spotting near-duplicates."""
        return frozenset(words(self.shown))

    @functools.cached_property
    def tokens(self) -> tuple:
        """Words of ``shown`` with their offsets there, and terms: for answer proximity (qa.question)."""
        return tokens(self.shown)


def _record(s: Sentence) -> SentenceRecord:
    term_list = terms(sentence_words(s))  # as the index's postings hold them
    return SentenceRecord(**{f.name: getattr(s, f.name) for f in fields(Sentence)}, terms=frozenset(term_list), bigrams=bigrams(term_list))


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


class SentenceTable(Sequence[SentenceRecord]):
    """The generation's sentences by row, read from disk as they are asked for.

    Rows are in document order, so ``table[i - 1]`` and ``table[i + 1]`` are
    the sentences around ``table[i]`` when they share its source. The records
    of the last few questions are kept (with the words and tokens made for
    them); iterating reads every sentence in turn and keeps none.
    """

    def __init__(self, store: SentenceStore, keep: int = 4096) -> None:
        self._store = store
        self._n = len(store)
        self._keep = keep
        self._recent: OrderedDict[int, SentenceRecord] = OrderedDict()
        self._row_of: dict[str, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> SentenceRecord: ...
    @overload
    def __getitem__(self, i: slice) -> list[SentenceRecord]: ...
    def __getitem__(self, i: int | slice) -> SentenceRecord | list[SentenceRecord]:
        if isinstance(i, slice):
            rows = range(len(self))[i]
            found = self.load(rows)
            return [found[r] for r in rows]
        i = operator.index(i)  # numpy integers too
        row = i + self._n if i < 0 else i
        # Scoring asks for the same few rows many times: a kept one is returned as it is.
        found = self._recent.get(row)
        if found is not None:
            return found
        if not 0 <= row < self._n:
            raise IndexError(f"sentence row {i} out of range")
        return self.load([row])[row]

    def __iter__(self) -> Iterator[SentenceRecord]:
        for _, s in self._store.scan():
            yield _record(s)

    def load(self, rows: Iterable[int]) -> dict[int, SentenceRecord]:
        """The records at ``rows`` (in range), read in one go for those not already kept."""
        rows = [r for r in map(operator.index, rows) if 0 <= r < self._n]
        with self._lock:
            out = {r: self._recent[r] for r in rows if r in self._recent}
        missing = [r for r in rows if r not in out]
        if missing:
            out.update((r, _record(s)) for r, s in self._store.read(missing).items())
        with self._lock:
            for r in rows:
                self._recent[r] = out[r]
                self._recent.move_to_end(r)
                self._row_of[out[r].id] = r
            while len(self._recent) > self._keep:
                _, old = self._recent.popitem(last=False)
                self._row_of.pop(old.id, None)
        return out

    def row_of(self, sentence_id: str) -> int:
        """The row of the sentence with this id (KeyError if the index has none)."""
        with self._lock:
            row = self._row_of.get(sentence_id)
        if row is None:
            row = self._store.rows_of([sentence_id])[sentence_id]
        return row

    def by_id(self, sentence_id: str) -> SentenceRecord:
        return self[self.row_of(sentence_id)]


class Similarities:
    """The question's cosine similarity to sentences, by row.

    Up to ``scan_max`` sentences every row is scored at once (one product
    with the mapped vectors, and the nearest sentences are exact); above,
    only the rows asked for are read and scored (see
    :meth:`IndexReader.nearest`).
    """

    def __init__(self, store: SentenceStore, query: np.ndarray, scan_max: int) -> None:
        vectors = store.vectors
        self._store = store
        self._query = query
        self.all: np.ndarray | None = (vectors @ query if len(vectors) else np.zeros(0, np.float32)) if len(vectors) <= scan_max else None
        self._some: dict[int, np.float32] = {}

    def need(self, rows: Iterable[int]) -> None:
        """Score ``rows`` now, in one read (nothing to do when every row is scored)."""
        if self.all is not None:
            return
        missing = sorted({int(r) for r in rows if 0 <= r < len(self._store)} - self._some.keys())
        if missing:
            # Summed row by row, so a row's score is the same whatever else is read with it.
            got = (self._store.vector_rows(missing) * self._query).sum(axis=1, dtype=np.float32)
            self._some.update(zip(missing, got))

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The sentence vectors at ``rows``, in that order."""
        if self.all is not None:
            return np.asarray(self._store.vectors[list(rows)])  # every page was just read: a copy from the map costs nothing more
        return self._store.vector_rows(rows)

    def __getitem__(self, row: int) -> np.float32:
        if self.all is not None:
            return self.all[row]
        if row not in self._some:
            self.need([row])
        return self._some[row]


class IndexReader:
    """Read access to one generation of an index.

    Held in memory: the chunk count, the article metadata, the keyword index
    and the term weights (one number per distinct term), and, for an index
    whose chunks are scanned, the chunk ids. Sentences, their vectors and
    chunk layouts stay on disk (index.sentence_store) and are read for the
    chunks a question retrieves; scanned chunk vectors are mapped, and every
    question reads them all.
    """

    def __init__(self, index_dir: Path, manifest: Manifest, store: ChromaStore, sentence_scan_max: int = 50_000) -> None:
        self.manifest = manifest
        self.store = store
        self.sentence_scan_max = sentence_scan_max
        gen_dir = Path(index_dir) / "generations" / manifest.generation
        # Held for this reader's life, so no build prunes the generation under it.
        self._pin = pin_generation(index_dir, manifest.generation)
        try:
            self.sentence_store = SentenceStore(gen_dir / SENTENCE_FOLDER)
            self.keyword = KeywordIndex(gen_dir / "bm25")
            self.documents: dict[str, dict[str, str]] = json.loads((gen_dir / "documents.json").read_text(encoding="utf-8"))
        except IndexStoreError:
            raise
        except Exception as exc:
            raise IndexStoreError(
                f"The index in {index_dir} cannot be read ({type(exc).__name__}: {exc}).",
                "Rebuild it with: qa index --rebuild",
            ) from None
        self.sentences = SentenceTable(self.sentence_store)
        self.vectors = self.sentence_store.vectors  # mapped, not read
        self.chunk_count = self.sentence_store.chunk_count
        self.weights = TermWeights.from_counts(self.sentence_store.document_frequencies(), len(self.sentences))

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
        """Both rankings for each query: one embedding call, one dense ranking (:meth:`dense_rankings`), one BM25 pass for all."""
        unembedded = [q for q in queries if q.vector is None]
        for q, vector in zip(unembedded, embedder.embed_queries([q.search_text for q in unembedded])):
            q.vector = np.asarray(vector, dtype=np.float32)
        if not queries or not self.chunk_count:
            return [Hits([], []) for _ in queries]
        dense = self.dense_rankings(np.asarray([q.vector for q in queries], dtype=np.float32), dense_k)
        keyword = self.keyword.search_many([q.search_text for q in queries], keyword_k)
        return [Hits(d, [cid for cid, _ in k]) for d, k in zip(dense, keyword)]

    def dense_rankings(self, query_vectors: np.ndarray, k: int) -> list[list[str]]:
        """The ids of the ``k`` chunks nearest each query vector (by cosine), best first.

        Every chunk is scored when the sentence store holds their vectors (see
        :func:`_top_rows`); otherwise, above the scan limit or for a generation
        written before the store held them, Chroma's index is asked.
        """
        k = min(k, self.chunk_count)
        vectors = self.sentence_store.chunk_vectors
        if vectors is None:
            # An array, not lists of floats: Chroma converts lists back into one (0.15 ms a question).
            got = self._chunk_collection.query(query_embeddings=query_vectors, n_results=k, include=["distances"])
            return [list(ids) for ids in got["ids"]]
        ids = self.sentence_store.chunk_ids
        scores = query_vectors @ vectors.T  # one product for the batch
        return [[ids[r] for r in _top_rows(vectors, q, row, k)] for q, row in zip(query_vectors, scores)]

    @functools.cached_property
    def _chunk_collection(self):
        # Opened on first use: a scanned index never asks Chroma, and a
        # process that only answers from one does not import chromadb (~0.8 s).
        return self.store.collection(self.manifest.generation, CHUNKS)

    def fuse(self, query: Query, hits: Hits, rrf_k: int, limit: int) -> list[Passage]:
        """The best ``limit`` chunks by reciprocal-rank fusion of both rankings."""
        fused: dict[str, float] = {}
        for ranking in (hits.dense, hits.keyword):
            for rank, cid in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (rrf_k + rank + 1)
        chunks = self.chunk_layouts(fused)
        scored = []
        for cid, score in fused.items():
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            scored.append((score * query.prior(chunk.source), cid))
        scored.sort(reverse=True)
        return [
            Passage(chunk_id=cid, source=chunks[cid].source, kind=chunks[cid].kind, score=score, rank=rank)
            for rank, (score, cid) in enumerate(scored[:limit])
        ]

    def chunk_layouts(self, ids: Iterable[str]) -> dict[str, ChunkLayout]:
        """Source, kind and sentence rows of the chunks with ``ids``."""
        return self.sentence_store.chunks(ids)

    def retrieve(self, query: Query, embedder: Embedder, dense_k: int, keyword_k: int, rrf_k: int, limit: int) -> list[Passage]:
        """:meth:`search` and :meth:`fuse` for one query."""
        return self.fuse(query, self.search([query], embedder, dense_k, keyword_k)[0], rrf_k, limit)

    def unknown_names(self, question: str) -> list[str]:
        """Capitalised words of the question (not its first word) the corpus never uses,
        code identifiers no sentence writes and years no article reaches;
        an abbreviation of two letters ("Jr", "Dr", "St") is no name. (A word a
        letter away from one the corpus uses still counts: read as a misspelling,
        the Wikipedia set's abstentions fell from 0.194 to 0.188 at the same
        false_abstain, cross-validated by article.)"""
        out = []
        for m in _NAME_WORD.finditer(question):
            word = m.group(0)
            if m.start() == 0 or len(word) == 2 and not word.isupper():
                continue
            ts = terms(word)
            if ts and not any(self.weights.known(t) for t in ts):
                out.append(word)
        # A code identifier is a name too ("ffi_prep_closure_loc", "--clean",
        # "windowBits"): written as the articles would write it, and one the
        # documentation never writes is something it does not cover.
        written: dict[str, bool] = {}
        for m in _IDENTIFIER.finditer(question):
            name = m.group(1)
            if name not in written and len(written) < IDENTIFIERS_READ:
                written[name] = self._writes(name)
            if written.get(name) is False and m.group(0) not in out:
                out.append(m.group(0))
        # A year is a name too: "in 2010" of articles that never reach 2010.
        for m in _YEAR_WORD.finditer(question):
            year, decade = m.group(1) or m.group(2), m.group(3)
            first, last = year_span(int(year), bool(decade))
            k = bisect.bisect_left(self._years, first)
            if k == len(self._years) or self._years[k] > last:
                out.append(year + (decade or ""))
        return out

    def _writes(self, identifier: str) -> bool:
        """Whether some sentence writes ``identifier`` (in any case), as a reader sees it
        (Markdown's "ffi\\_prep\\_cif" is "ffi_prep_cif"); read from the sentences holding
        all its words, the first IDENTIFIER_ROWS of them."""
        ts = terms(identifier)
        if not ts or not all(self.weights.known(t) for t in ts):
            return False
        if len(ts) == 1:
            return True
        rows = functools.reduce(np.intersect1d, (self.sentence_store.postings(t) for t in ts))[:IDENTIFIER_ROWS]
        wanted = identifier.lower()
        return any(wanted in sentence_words(s).lower() for s in self.sentence_store.read(rows.tolist()).values())

    @functools.cached_property
    def _years(self) -> list[int]:
        """The years the corpus's sentences name ("1990s" as 1990) and its articles are dated, sorted.

        Only years: an article on "the 1980s" or "the 17th century" does not
        say what happened in 1983."""
        out = set()
        # Built on the first question that names a year: a large corpus has
        # hundreds of thousands of terms, and only four- or five-character
        # ones starting 1 or 2 can be years.
        for t in self.weights.df:
            if len(t) in (4, 5) and t[0] in "12" and (m := _YEAR_TERM.fullmatch(t)):
                out.add(int(m.group(1)))
        for d in self.documents.values():
            if m := _YEAR_TERM.match(d.get("date", "")):
                out.add(int(m.group(1)))
        return sorted(out)

    def similarities(self, query_vector: np.ndarray) -> Similarities:
        """The question's similarity to the sentences (see :class:`Similarities`)."""
        return Similarities(self.sentence_store, query_vector, self.sentence_scan_max)

    def nearest(self, sims: Similarities, n: int, dense: Sequence[str]) -> list[int]:
        """The rows of the ``n`` sentences nearest the question in embedding space.

        Up to the scan limit, of the whole corpus; above it, of the chunks of
        the question's dense ranking (``dense``, chunk ids), which is where
        the corpus's nearest sentences are found anyway: on the Wikipedia
        set, the answers cross-validated by article were the same either way
        (2,805 questions: answer_accuracy 0.840 against 0.839, evidence_hit
        0.868 against 0.869; the seed sets the same), and no HNSW index of
        every sentence (most of the memory at 100k chunks) is needed.
        """
        if n <= 0:
            return []
        if sims.all is not None:
            return [int(i) for i in np.argsort(-sims.all)[:n]]
        layouts = self.chunk_layouts(dense)
        rows = sorted({r for cid in dense if cid in layouts for r in layouts[cid].rows})
        if not rows:
            return []
        sims.need(rows)
        scores = np.array([sims[r] for r in rows], dtype=np.float32)
        return [rows[k] for k in np.lexsort((np.array(rows), -scores))[:n]]

    def best_covering(self, query_terms: list[str], n: int, sims: Similarities) -> list[int]:
        """The ``n`` sentences covering most of the question's weighted terms.

        Chunk retrieval can miss a sentence whose chunk is about something
        else ("NASA Administrator Bill Nelson has made various remarks ...");
        this finds it by its words, from the index's term postings: the
        coverage (as TermWeights.coverage counts it) of every sentence holding
        a word of the question, with ties broken by embedding similarity and
        then row, for which only the sentences tied at the cut are scored.
        """
        q = dict.fromkeys(query_terms)  # in coverage()'s order
        total = sum(self.weights.idf(t) for t in q)
        wanted = set(q) | {syn for t in query_terms for syn in SYNONYMS.get(t, ())}
        postings = {t: self.sentence_store.postings(t) for t in wanted}
        seen = np.unique(np.concatenate([np.zeros(0, np.int32), *postings.values()])) if postings else np.zeros(0, np.int32)
        if not total or not len(seen):
            return []
        # Summed term by term in the order coverage() sums, so the figures are the same to the last bit.
        got = np.zeros(len(seen), dtype=np.float64)
        for t in q:
            has = np.zeros(len(seen), dtype=bool)
            has[np.searchsorted(seen, postings[t])] = True  # each posting is a subset of seen
            got[has] += self.weights.idf(t)
            if t in SYNONYMS:
                syn = np.zeros(len(seen), dtype=bool)
                for other in SYNONYMS[t]:
                    syn[np.searchsorted(seen, postings[other])] = True
                got[syn & ~has] += SYNONYM_CREDIT * self.weights.idf(t)
        cov = got / total
        keep = cov > 0
        seen, cov = seen[keep], cov[keep]
        if len(seen) > n:
            cut = np.partition(cov, len(cov) - n)[len(cov) - n]
            seen, cov = seen[cov >= cut], cov[cov >= cut]
        sims.need(seen.tolist())
        scored = sorted(((float(c), float(sims[int(i)]), int(i)) for c, i in zip(cov, seen)), reverse=True)
        return [i for _, _, i in scored[:n]]

    def sentence(self, sentence_id: str) -> SentenceRecord:
        """The sentence with this id."""
        return self.sentences.by_id(sentence_id)

    def lead_row(self, i: int) -> int | None:
        """The row of the sentence that sentence ``i`` is read under (see index.types.Sentence.lead), or None."""
        return self._row_in_document(i, self.sentences[i].lead)

    def section_row(self, i: int) -> int | None:
        """The row of the heading of the section sentence ``i`` stands in (see index.types.Sentence.section), or None."""
        return self._row_in_document(i, self.sentences[i].section)

    def _row_in_document(self, i: int, position: int) -> int | None:
        """The row of the sentence at ``position`` (-1: none) in sentence ``i``'s document."""
        # A document's sentences are consecutive rows, in position order.
        return i - (self.sentences[i].position - position) if position >= 0 else None

    def lead(self, i: int) -> SentenceRecord | None:
        """The sentence that sentence ``i`` is read under, or None."""
        j = self.lead_row(i)
        return self.sentences[j] if j is not None else None

    def neighbours(self, i: int) -> tuple[SentenceRecord | None, SentenceRecord | None]:
        """The sentences before and after sentence ``i`` in its document."""
        s = self.sentences[i]
        prev = self.sentences[i - 1] if i > 0 else None
        nxt = self.sentences[i + 1] if i + 1 < len(self.sentences) else None
        return (prev if prev is not None and prev.source == s.source else None, nxt if nxt is not None and nxt.source == s.source else None)

    def as_meant(self, text: str) -> str:
        """``text`` read as its asker meant it: chat shorthand written out
        (qa.question.written_out), a misspelt word as the corpus spells it
        (:meth:`spelled`), a question typed all in lower case with its names'
        capitals (:meth:`cased`)."""
        return self.cased(self.spelled(written_out(text)))

    def _knows(self, word: str) -> bool:
        """Whether the corpus uses one of ``word``'s terms, or an English dictionary holds it."""
        return any(self.weights.known(t) for t in terms(word)) or is_english_word(word)

    def spelled(self, text: str) -> str:
        """``text`` with each word of five letters or more that the corpus never
        uses ("probaton", "statoin") replaced by the corpus's most frequent
        word a letter away ("probation", "station"): a letter left out,
        added or changed, or two swapped.

        Read as words, not terms: a misspelling changes the stem too
        ("probaton" against "probat"), so the terms the corpus uses are no
        guide to what was meant. Words with digits, stop words and words an
        English dictionary holds ("lends", however rare here: see
        qa.lexical.is_english_word) are left as written. A capitalised word is
        a name: it is respelled only as a name the corpus writes with a capital
        ("Hugueont" as "Huguenot", "Toytoa" as "Toyota"), since a name the
        corpus never mentions is what many an unanswerable question asks about
        and a lower-case word is no name; :meth:`correct` still reads the terms
        of one left as written."""
        return _NAME_SPELLABLE.sub(self._renamed, _SPELLABLE.sub(self._respelled, text))

    def _renamed(self, m: re.Match[str]) -> str:
        word = m.group(0)
        near = self._nearest(word.lower(), self._name_words.__contains__)
        return self._name_words[near] if near else word

    def _nearest(self, low: str, allowed: Callable[[str], bool]) -> str | None:
        """The corpus's most frequent ``allowed`` word a letter away from ``low`` (lower case), or
        None when the corpus or a dictionary knows ``low`` itself, or no such word is that near."""
        counts = self.sentence_store.word_counts
        if low in counts or self._knows(low):
            return None
        near = [k for k in _sharing_deletion(low, counts, self._word_letters) if allowed(k)]
        # Several candidates: the most frequent one is the likelier word.
        return max(near, key=lambda k: (counts[k], k)) if near else None

    @functools.cached_property
    def _publication_refs(self) -> list[tuple[re.Pattern[str], set[str]]]:
        # On the first question, not on opening: it reads the corpus's words and names.
        return _publication_refs(self.documents, self.common_word)

    def common_word(self, word: str) -> bool:
        """Whether the sentences use ``word`` (lower case) as a word, not mostly capitalised alone as a name is."""
        return word in self.sentence_store.word_counts and word not in self.sentence_store.names["alone"]

    @functools.cached_property
    def _name_words(self) -> dict[str, str]:
        """Each word the corpus capitalises, alone or within a longer name, as it writes it."""
        names = self.sentence_store.names
        return {**names["joined"], **names["alone"]}

    def _respelled(self, m: re.Match[str]) -> str:
        word = m.group(0)
        if word in STOPWORDS:
            return word
        return self._nearest(word, lambda k: k not in STOPWORDS) or word

    def cased(self, text: str) -> str:
        """``text``, when typed all in lower case, with capitals where a name has them:
        a word the corpus mostly capitalises as the corpus writes it ("who heads
        roscosmos" reads "who heads Roscosmos", "nasa" "NASA"; a word it also writes
        in lower case and capitalises mostly as part of a longer name, only beside a
        word it capitalises it beside: "service desk" reads "Service Desk", "marlowe
        bikes" "Marlowe Bikes", "claim for food" stays as typed), and a word of five
        letters or more that neither the corpus nor an English dictionary knows
        capitalised, as the name the corpus lacks it likely is ("jared isaacman";
        a shorter one is as likely shorthand: "wifi", "pls").

        A name is told by its capitals (a name the corpus never mentions is what
        many unanswerable questions ask about; "he" points back at one): typed
        all in lower case, the questions of the project's sets lost 6 of their 42
        abstentions and 4 answers of 468."""
        if any(c.isupper() for c in text):
            return text
        names = self.sentence_store.names
        alone, joined, beside = names["alone"], names["joined"], names["beside"]
        found = list(_LOWER_WORD.finditer(text))
        out, at = [], 0
        for k, m in enumerate(found):
            word = m.group(0)
            written = alone.get(word) or _in_name_beside(text, found, k, joined, beside)
            if written is None and len(word) >= 5 and not self._knows(word):
                written = word[0].upper() + word[1:]
            out += [text[at : m.start()], written or word]
            at = m.end()
        return "".join(out) + text[at:]

    def correct(self, query_terms: list[str]) -> list[str]:
        """Terms the corpus never uses replaced by the one known term a letter away
        ("arpnet" in "ARPNET", "telnet" of "Telnet" for the corpus's Telenet)."""
        out = []
        df = self.weights.df
        for t in query_terms:
            if self.weights.known(t) or len(t) < 5 or t.isdigit():
                out.append(t)
                continue
            near = {k for k in _sharing_deletion(t, df, self._term_letters) if len(k) >= 4 and not k.isdigit()}
            # Several candidates: the most frequent one is the likelier word.
            out.append(max(near, key=lambda k: (df[k], k)) if near else t)
        return out

    @functools.cached_property
    def _word_letters(self) -> str:
        return "".join(sorted(set().union(*self.sentence_store.word_counts)))

    @functools.cached_property
    def _term_letters(self) -> str:
        return "".join(sorted(set().union(*self.weights.df)))

    def unknown_share(self, query_terms: list[str]) -> float:
        """Share of the question's term weight in terms the corpus never uses."""
        q = dict.fromkeys(query_terms)  # a set would sum in an order that changes between processes
        total = sum(self.weights.idf(t) for t in q)
        return sum(self.weights.idf(t) for t in q if not self.weights.known(t)) / total if total else 0.0

    def document_missing(self, query_terms: list[str], i: int) -> float:
        """Share of the question's term weight that the article holding sentence ``i`` never uses."""
        q = dict.fromkeys(query_terms)
        total = sum(self.weights.idf(t) for t in q)
        if i < 0 or not total:
            return 1.0 if total else 0.0
        rows = self.sentence_store.document_rows(self.sentences[i].source)
        return sum(self.weights.idf(t) for t in q if not self.sentence_store.term_in(t, rows)) / total

    def meta(self, source: str) -> dict[str, str]:
        return self.documents.get(source, {})


# "the 2021 article", "2025 reporting", "the 2021 Putin interview": the year
# and the noun (the words between are kept: "Putin" still matters).
_PUB_YEAR = re.compile(
    r"\b((?:19|20)\d\d)\b(?=(?:\s+[\w'’-]+){0,2}?\s+(?:articles?|reporting|reports?|pieces?|stor(?:y|ies)|coverage|interview|op-?eds?|posts?)\b)",
    re.I,
)


def _top_rows(vectors: np.ndarray, query: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
    """The rows of the ``k`` unit ``vectors`` nearest ``query``, best first, equal scores by row.

    ``scores`` are the rows' dot products with the query from a product
    over the whole batch, whose last bits depend on the batch's size (BLAS
    sums in another order): the rows within rounding of the ``k``-th are
    scored again row by row, so a question's ranking is the same whatever
    is asked with it. The cosine order is Chroma's (its collections use
    that space): the vectors are unit-length and the query's length scales
    every score alike.
    """
    k = min(k, len(scores))
    if k <= 0:
        return []
    cut = np.partition(scores, len(scores) - k)[len(scores) - k]
    # Twice what the two products' rounding can part a row's scores by (d * u * |query|
    # each, at worst): no row of the true k is left out.
    margin = 2 * len(query) * np.finfo(np.float32).eps * float(np.linalg.norm(query))
    near = np.flatnonzero(scores >= cut - margin)
    exact = (vectors[near] * query).sum(axis=1, dtype=np.float32)
    return near[np.lexsort((near, -exact))][:k].tolist()


def _sharing_deletion(word: str, vocabulary: Collection[str], letters: str) -> set[str]:
    """What of ``vocabulary`` shares ``word`` or one of its one-letter deletions, within a letter of its length.

    The symmetric-deletion match, found by generating what could match: an
    entry ``k`` shares the key ``d`` when ``k == d`` or ``d`` is ``k`` less a
    letter, i.e. ``k`` is ``d`` with one of ``letters`` inserted.
    """
    out = set()
    for key in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
        for k in (key, *(key[:i] + c + key[i:] for i in range(len(key) + 1) for c in letters)):
            if k in vocabulary and abs(len(k) - len(word)) <= 1:
                out.add(k)
    return out


def _in_name_beside(text: str, found: list[re.Match[str]], k: int, joined: dict[str, str], beside: dict[str, dict[str, str]]) -> str | None:
    """How the corpus writes ``found[k]`` as part of a longer name, when a word next to it is one
    the corpus capitalises it beside: "desk" is the Service Desk's only beside "service", and
    "bikes" Marlowe Bikes' beside "marlowe"; "claim for food" names no Food Partnership."""
    word = found[k].group(0)
    for j in (k - 1, k + 1):
        if not 0 <= j < len(found):
            continue
        other = found[j].group(0)
        between = text[found[j].end() : found[k].start()] if j < k else text[found[k].end() : found[j].start()]
        if joins_name(between) and (other in beside.get(word, {}) or word in beside.get(other, {})):
            return joined.get(word) or beside.get(other, {}).get(word)
    return None


# A word of a question typed in lower case (see IndexReader.cased).
_LOWER_WORD = re.compile(r"(?<![\w'’.-])[^\W\d_]+(?![\w'’-]|\.\w)")
# A word spelling correction may change: five letters or more, in lower case
# ("probaton"), alone or as part of a hyphenated one ("flete-wide"). A
# capitalised word is a name, and a name the corpus lacks may be another name
# ("Lavietes Pavillion"): its terms are still read by correct().
_SPELLABLE = re.compile(r"(?<![\w'’.])[a-z]{5,}(?![\w'’]|\.\w)")
# A capitalised word, possessive or not ("Margaret's"): not a run of capitals ("NASA"), nor part of a
# hyphenated or dotted one.
_NAME_SPELLABLE = re.compile(r"(?<![\w'’.-])[A-Z][a-z]{4,}(?=['’]s\b|(?![\w'’-]|\.\w))")


# A year or decade as a question writes it ("in 2010", "the 1990s", "the 1000's"; not the
# number in "1500 people", which an article may write "1,500"), and as the index stores its term.
_YEAR_WORD = re.compile(
    r"\b(?:(?:in|since|by|from|until|till|before|after|during|between|around|circa|year|may"
    r"|(?:jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)\s+(?:the\s+)?(?:early\s+|late\s+|mid-?)?"
    r"(1\d{3}|20\d{2})\b|(1\d{3}|20\d{2})(['’]?s)\b)",
    re.I,
)
_YEAR_TERM = re.compile(r"(1\d{3}|20\d{2})(s)?")
_NAME_WORD = re.compile(r"(?<![\w'’-])[A-Z][\w'’.-]*[\w]")
# A code identifier as documentation writes it: an option ("--clean", "-k"),
# a call ("gzprintf()", "os.path.join()"), a name joined by underscores
# ("ffi_prep_cif", "Z_STREAM_ERROR") or in camel case ("windowBits"), with a
# file's suffix ("playTest.sh"); group 1 without a call's brackets.
_IDENTIFIER = re.compile(
    r"(?<![\w'’.-])("
    r"--?[A-Za-z][\w-]*"
    r"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?=\(\))"
    r"|(?:[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]+)(?:\.[A-Za-z]\w*)*"
    r")(?:\(\))?"
)
# Sentences read to find an identifier written: they hold all its words, which may
# each be common ("max_width"), so a large corpus can have thousands. And the
# identifiers looked for: a question with a listing pasted in may hold dozens.
IDENTIFIER_ROWS = 2000
IDENTIFIERS_READ = 8


# A web site's domain at the end of its name: ".com", ".co.uk", ".ru".
_WEB_DOMAIN = re.compile(r"\.(?:com|org|net|info|news|co\.uk|org\.uk|[a-z]{2})$", re.I)


def _publication_refs(documents: dict[str, dict[str, str]], common: Callable[[str], bool]) -> list[tuple[re.Pattern[str], set[str]]]:
    """Patterns naming an outlet or author, and the articles they point at.

    ``common`` says whether a word (lower case) is one the corpus uses as a
    word, not a name (IndexReader.common_word): an outlet so named counts only
    as written, and such a surname names no writer alone.
    """
    by_name: dict[str, set[str]] = {}
    as_written: set[str] = set()
    for source, meta in documents.items():
        for key in ("publisher", "author"):
            value = meta.get(key, "")
            # "RT (first published by Gazeta.ru)" names RT; the parenthesis is a note.
            name = re.split(r"[(,]", value)[0].strip()
            if len(name) >= 2:
                by_name.setdefault(name, set()).add(source)
                # A site is named without its domain too: "SpacePolicyOnline" for "SpacePolicyOnline.com".
                if key == "publisher" and len(bare := _WEB_DOMAIN.sub("", name)) >= 3 and bare != name:
                    by_name.setdefault(bare, set()).add(source)
                if key == "publisher" and " " not in name and common(name.lower()):
                    as_written.add(name)  # an outlet called "Medium" or "Time": not "what time", "a medium-risk change"
                last = name.split()[-1]
                if key == "author" and " " in name and not common(last.lower()):
                    # "according to Zimmerman": a surname alone names its writer, but not a
                    # common word ("the Team plan" names no page by its "Platform Team").
                    by_name.setdefault(last, set()).add(source)
    refs = []
    for name, sources in by_name.items():
        escaped = re.escape(name)
        # Short names (RT) and an outlet's name that is a word must match as written; others in any case.
        flags = 0 if len(name) <= 3 or name in as_written else re.I
        refs.append((re.compile(rf"(?<![\w.]){escaped}(?![\w])", flags), sources))
    return refs

