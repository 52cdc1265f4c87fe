"""A generation's sentences on disk, read a few at a time.

A question needs the sentences of a handful of chunks, not the corpus; held
in memory, every sentence with its vector and terms took 5 GB and 77 s to
load at 100k chunks. The build writes them beside the keyword index
(``generations/<g>/sentences/``), numbered in document order (by source,
then position), so an article's sentences are consecutive rows:

* ``vectors.npy``: each sentence's vector, normalised, float32, one row per
  sentence; memory-mapped, so only the rows a question asks for are read;
* ``sentences.sqlite``: each sentence's text, offsets and kind by row and by
  id, each chunk's rows, each article's first and last row;
* ``terms.json``, ``postings.npy``, ``offsets.npy``: every term (index.terms)
  with the rows of the sentences holding it, so document frequencies and the
  search for sentences covering a question's words need no sentence text at
  all;
* ``words.json``: every word of letters alone as the sentences write it (in
  lower case, not stemmed) with the number of sentences holding it: the
  vocabulary a misspelt question word is corrected to;
* ``names.json``: the words the sentences mostly capitalise where a sentence
  does not open with them ("roscosmos": "Roscosmos", "nasa": "NASA"), as
  most often written, apart from those mostly capitalised only as part of a
  longer name ("desk" of "Service Desk"): how a question typed all in lower
  case is read;
* ``acronyms.json``: each acronym the sentences define ("lost-time injury
  (LTI)"), as a term, with the terms of the words it stands for
  (index.acronyms): a sentence that writes one holds the other too;
* ``chunk_vectors.npy``, ``chunk_ids.json``: for an index small enough to be
  scanned (at most ``scan_max`` sentences, index.build), each
  chunk's vector, normalised, float32, and its id, row by row, so that a
  reader ranks the chunks exactly, with one product, instead of asking Chroma.
"""

from __future__ import annotations

import functools
import json
import mmap
import re
import os
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from index.acronyms import Acronyms, acronym_terms
from index.chunking import sentence_words
from index.errors import IndexStoreError
from index.terms import terms_of, words
from index.types import Sentence

FOLDER = "sentences"
_DB = "sentences.sqlite"
_VECTORS = "vectors.npy"
_TERMS = "terms.json"
_WORDS = "words.json"
_NAMES = "names.json"
_ACRONYMS = "acronyms.json"
# A word as written, with its case: letters alone ("NASA", "Roscosmos", "fiancée").
_WRITTEN_WORD = re.compile(r"[^\W\d_]+")
_STATEMENT = re.compile(r"[.!?][\"'”’)\]]*$")
_POSTINGS = "postings.npy"
_OFFSETS = "offsets.npy"
_CHUNK_VECTORS = "chunk_vectors.npy"
_CHUNK_IDS = "chunk_ids.json"
_COLUMNS = "row, id, source, start, end_, text, kind, heading, position, lead, section, code, shown_row"
# Rows asked of SQLite at once: one SQL variable each.
_PAGE = 900
_KEEP_LAYOUTS = 4096  # chunk layouts kept in memory (a few hundred bytes each)


@dataclass(frozen=True)
class ChunkLayout:
    """A chunk as retrieval needs it: where it comes from and the rows of its sentences, in order."""

    id: str
    source: str
    kind: str
    rows: tuple[int, ...]


def write_sentence_store(
    folder: Path,
    sentences: Sequence[Sentence],
    vectors: Sequence[np.ndarray],
    chunks: Sequence[tuple[str, str, str, Sequence[str]]],
    chunk_vectors: Sequence[np.ndarray] | None = None,
) -> None:
    """Write ``sentences`` (with their ``vectors``, in the same order) and the layout of ``chunks`` to ``folder``.

    ``chunks`` are ``(id, source, kind, sentence_ids)``; ``chunk_vectors``,
    when given, are theirs, in the same order, and are written too. An id
    given twice keeps its last record, as the vector store's upsert does.
    """
    latest = {s.id: k for k, s in enumerate(sentences)}
    order = sorted(latest.values(), key=lambda k: (sentences[k].source, sentences[k].position))
    folder.mkdir(parents=True, exist_ok=True)
    _write_unit_rows(folder / _VECTORS, vectors, order)
    if chunk_vectors is not None:
        last = sorted({c[0]: k for k, c in enumerate(chunks)}.values())
        _write_unit_rows(folder / _CHUNK_VECTORS, chunk_vectors, last)
        (folder / _CHUNK_IDS).write_text(json.dumps([chunks[k][0] for k in last]), encoding="utf-8")

    row_of = {sentences[k].id: row for row, k in enumerate(order)}
    postings: dict[str, list[int]] = {}
    word_counts: dict[str, int] = {}
    written: dict[str, dict[str, int]] = {}  # a word in lower case -> how it is written where no sentence opens with it
    beside: dict[str, dict[str, dict[str, int]]] = {}  # a word in lower case -> the capitalised words it is capitalised beside
    db = sqlite3.connect(folder / _DB)
    try:
        db.executescript(
            """
            CREATE TABLE sentences (row INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL, start INTEGER NOT NULL,
                end_ INTEGER NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, heading TEXT NOT NULL, position INTEGER NOT NULL,
                lead INTEGER NOT NULL, section INTEGER NOT NULL, code INTEGER NOT NULL, shown_row TEXT NOT NULL);
            CREATE TABLE chunks (id TEXT PRIMARY KEY, source TEXT NOT NULL, kind TEXT NOT NULL, rows BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE documents (source TEXT PRIMARY KEY, first INTEGER NOT NULL, last INTEGER NOT NULL) WITHOUT ROWID;
            """
        )
        records = []
        shown_texts: list[str] = []  # as a reader sees each sentence, for the acronyms it defines
        for row, k in enumerate(order):
            s = sentences[k]
            records.append((row, s.id, s.source, s.start, s.end, s.text, s.kind, s.heading, s.position, s.lead, s.section, int(s.code), s.shown_row))
            shown = sentence_words(s)
            shown_texts.append(shown)
            # Running text only: a heading or a title capitalises its common words too.
            found = list(_WRITTEN_WORD.finditer(shown))[1:] if _STATEMENT.search(shown) else []
            for i, m in enumerate(found):
                forms = written.setdefault(m.group(0).lower(), {})
                forms[m.group(0)] = forms.get(m.group(0), 0) + 1
                for j in (i - 1, i + 1) if m.group(0)[0].isupper() else ():
                    if 0 <= j < len(found) and _beside(shown, m, found[j]):
                        near = beside.setdefault(m.group(0).lower(), {}).setdefault(found[j].group(0).lower(), {})
                        near[found[j].group(0)] = near.get(found[j].group(0), 0) + 1
            read = words(shown)
            for t in set(terms_of(read)):
                postings.setdefault(t, []).append(row)
            for w in set(read):
                if w.isalpha():
                    word_counts[w] = word_counts.get(w, 0) + 1
        db.executemany(f"INSERT INTO sentences ({_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMNS.split(',')))})", records)
        db.execute("CREATE UNIQUE INDEX sentences_id ON sentences (id)")
        db.executemany(
            "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?)",
            ((cid, source, kind, np.asarray([row_of[i] for i in ids if i in row_of], dtype=np.int32).tobytes()) for cid, source, kind, ids in chunks),
        )
        db.execute("INSERT INTO documents SELECT source, min(row), max(row) FROM sentences GROUP BY source")
        db.commit()
    finally:
        db.close()

    vocabulary = sorted(postings)
    lengths = np.asarray([len(postings[t]) for t in vocabulary], dtype=np.int64)
    np.save(folder / _OFFSETS, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
    np.save(folder / _POSTINGS, np.asarray([r for t in vocabulary for r in postings[t]], dtype=np.int32))
    (folder / _TERMS).write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    (folder / _WORDS).write_text(json.dumps(dict(sorted(word_counts.items())), ensure_ascii=False), encoding="utf-8")
    (folder / _NAMES).write_text(json.dumps(_names(written, beside), ensure_ascii=False), encoding="utf-8")
    (folder / _ACRONYMS).write_text(json.dumps(acronym_terms(shown_texts), ensure_ascii=False), encoding="utf-8")


def _names(written: dict[str, dict[str, int]], beside: dict[str, dict[str, dict[str, int]]]) -> dict[str, dict]:
    """How the sentences capitalise words, as a question typed in lower case is read (IndexReader.cased).

    "alone": each word capitalised in most of the places it is written and never in lower case, or
    mostly by itself, and its commonest capitalised form ("Russia", "NASA"); "joined": such a word
    also written in lower case that is capitalised mostly beside another capitalised word, as part of
    a longer name ("Desk" of "Service Desk" and "the desk"); "beside": for each of them, the words it
    is capitalised beside, as most often written ("desk": {"service": "Service"}; "marlowe":
    {"bikes": "Bikes"}, though "bikes" is mostly written in lower case).
    """
    out: dict[str, dict] = {"alone": {}, "joined": {}, "beside": {}}
    for low, forms in sorted(written.items()):
        capital = {f: n for f, n in forms.items() if f[0].isupper()}
        n = sum(capital.values())
        if 2 * n <= sum(forms.values()):
            continue
        near = beside.get(low, {})
        in_names = sum(c for f in near.values() for c in f.values())
        part = "joined" if 2 * in_names > n and n < sum(forms.values()) else "alone"
        out[part][low] = max(capital, key=lambda f: (capital[f], f))
        if near:
            out["beside"][low] = {w: max(f, key=lambda x: (f[x], x)) for w, f in sorted(near.items())}
    return out


def _beside(text: str, m: re.Match[str], other: re.Match[str]) -> bool:
    """Whether ``other`` is a capitalised word next to ``m`` in ``text``, one name with it (see :func:`joins_name`)."""
    a, b = (m, other) if m.start() < other.start() else (other, m)
    return other.group(0)[0].isupper() and joins_name(text[a.end() : b.start()])


def joins_name(between: str) -> bool:
    """Whether two words with ``between`` them may be one name: a space, or an
    ampersand ("People & Culture", "AT&T"), whose words are no more names
    alone than "Desk" of "Service Desk" is."""
    return bool(between) and (between.isspace() or between.strip() == "&")


def _write_unit_rows(path: Path, vectors: Sequence[np.ndarray], order: Sequence[int]) -> None:
    """``vectors[k]`` for each ``k`` of ``order``, normalised, as the rows of a float32 ``.npy`` file."""
    dim = len(vectors[order[0]]) if order else 0
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(len(order), dim))
    block = 50_000
    for a in range(0, len(order), block):
        part = np.asarray([vectors[k] for k in order[a : a + block]], dtype=np.float32)
        # The same arithmetic the reader applied to the whole matrix: the norm is per row.
        out[a : a + len(part)] = part / np.maximum(np.linalg.norm(part, axis=1, keepdims=True), 1e-12)
    out.flush()
    del out


def has_chunk_vectors(folder: Path) -> bool:
    """Whether the store in ``folder`` holds its chunks' vectors (an index small enough to be scanned)."""
    return (folder / _CHUNK_VECTORS).exists()


class SentenceStore:
    """Read access to what :func:`write_sentence_store` wrote; safe to share between threads."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        try:
            self.vectors: np.ndarray = np.load(folder / _VECTORS, mmap_mode="r")
            vocabulary = json.loads((folder / _TERMS).read_text(encoding="utf-8"))
            self._offsets = np.load(folder / _OFFSETS)
            # Still mapped, as a plain array: slicing a np.memmap runs Python code, a dozen times a question.
            self._postings = np.asarray(np.load(folder / _POSTINGS, mmap_mode="r"))
            # Written once by the build and never changed: no locking needed.
            self._db = sqlite3.connect(f"file:{folder / _DB}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self.chunk_count = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            # Only an index that is scanned has them; an older build never wrote them.
            self.chunk_ids: list[str] = []
            self.chunk_vectors: np.ndarray | None = None
            if has_chunk_vectors(folder):
                self.chunk_vectors = np.asarray(np.load(folder / _CHUNK_VECTORS, mmap_mode="r"))
                self.chunk_ids = json.loads((folder / _CHUNK_IDS).read_text(encoding="utf-8"))
        except (OSError, ValueError, sqlite3.Error) as exc:
            raise IndexStoreError(
                f"The sentences in {folder} cannot be read ({type(exc).__name__}: {exc}).",
                "Rebuild the index with: qa index --rebuild",
            ) from None
        _advise_random(self.vectors)
        self._vector_file = os.open(folder / _VECTORS, os.O_RDONLY)
        self._term_ids = {t: i for i, t in enumerate(vocabulary)}
        self._lock = threading.Lock()
        # A question reads the layouts of the chunks it retrieves twice (to
        # fuse the rankings, then to score their sentences), and the same
        # chunks come back question after question: the recent ones are kept,
        # as is each article's span of rows (one entry an article).
        self._layouts: OrderedDict[str, ChunkLayout] = OrderedDict()
        self._documents: dict[str, range] = {}
        self.rows_read = 0  # sentence records read so far (tests check that a question reads few)

    def __len__(self) -> int:
        return len(self.vectors)

    # -- sentences ---------------------------------------------------------
    def read(self, rows: Iterable[int]) -> dict[int, Sentence]:
        """The sentences at ``rows`` (rows out of range are left out)."""
        wanted = sorted({int(r) for r in rows})
        out: dict[int, Sentence] = {}
        for a in range(0, len(wanted), _PAGE):
            page = wanted[a : a + _PAGE]
            out.update(self._select(f"WHERE row IN ({','.join('?' * len(page))})", page))
        return out

    def rows_of(self, ids: Sequence[str]) -> dict[str, int]:
        """The rows of the sentences with ``ids`` (unknown ids are left out)."""
        out: dict[str, int] = {}
        for a in range(0, len(ids), _PAGE):
            page = list(ids[a : a + _PAGE])
            with self._lock:
                out.update(self._db.execute(f"SELECT id, row FROM sentences WHERE id IN ({','.join('?' * len(page))})", page).fetchall())
        return out

    def scan(self, page: int = 5000) -> Iterator[tuple[int, Sentence]]:
        """Every sentence in row order, a page at a time (none are kept)."""
        start = 0
        while True:
            got = self._select("WHERE row >= ? ORDER BY row LIMIT ?", [start, page])
            yield from got.items()
            if len(got) < page:
                return
            start = max(got) + 1

    def _select(self, where: str, args: list) -> dict[int, Sentence]:
        with self._lock:
            found = self._db.execute(f"SELECT {_COLUMNS} FROM sentences {where}", args).fetchall()
            self.rows_read += len(found)
        return {
            row: Sentence(
                id=sid, source=source, start=start, end=end, text=text, kind=kind, heading=heading, position=position, lead=lead, section=section,
                code=bool(code), shown_row=shown_row,
            )
            for row, sid, source, start, end, text, kind, heading, position, lead, section, code, shown_row in found
        }

    def documents(self, sources: Iterable[str]) -> tuple[list[Sentence], np.ndarray]:
        """Every sentence of the articles ``sources``, in row order, with their vectors."""
        rows = [r for source in sorted(set(sources)) for r in self.document_rows(source)]
        found = self.read(rows)
        return [found[r] for r in rows], self.vector_rows(rows)

    def vectors_of(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of the sentences with ``ids`` (unknown ids are left out)."""
        rows = self.rows_of(ids)
        ordered = sorted(rows.items(), key=lambda item: item[1])
        return dict(zip((i for i, _ in ordered), self.vector_rows([r for _, r in ordered])))

    def vector_rows(self, rows: Sequence[int]) -> np.ndarray:
        """The vectors at ``rows``, in that order.

        Read, not mapped: a mapped page brings the cached pages around it
        into the process too, and after 60 questions at 100k chunks 360 MB
        of the vectors file sat in the server's memory for 21k rows read.
        """
        dim = self.vectors.shape[1] if self.vectors.ndim == 2 else 0
        out = np.empty((len(rows), dim), dtype=np.float32)
        width = dim * 4
        k = 0
        while k < len(rows):
            # Consecutive rows in one read.
            run = 1
            while k + run < len(rows) and rows[k + run] == rows[k] + run:
                run += 1
            data = os.pread(self._vector_file, width * run, self.vectors.offset + width * int(rows[k]))
            out[k : k + run] = np.frombuffer(data, dtype=np.float32).reshape(run, dim)
            k += run
        return out

    def __del__(self) -> None:
        fd = getattr(self, "_vector_file", None)
        if fd is not None:
            os.close(fd)

    # -- chunks and documents ----------------------------------------------
    def chunks(self, ids: Iterable[str]) -> dict[str, ChunkLayout]:
        """The layout of the chunks with ``ids`` (unknown ids are left out)."""
        wanted = list(dict.fromkeys(ids))
        with self._lock:
            out = {cid: self._layouts[cid] for cid in wanted if cid in self._layouts}
            for cid in out:
                self._layouts.move_to_end(cid)
        missing = [cid for cid in wanted if cid not in out]
        for a in range(0, len(missing), _PAGE):
            page = missing[a : a + _PAGE]
            with self._lock:
                found = self._db.execute(f"SELECT id, source, kind, rows FROM chunks WHERE id IN ({','.join('?' * len(page))})", page).fetchall()
            for cid, source, kind, rows in found:
                out[cid] = ChunkLayout(cid, source, kind, tuple(int(r) for r in np.frombuffer(rows, dtype=np.int32)))
        if missing:
            with self._lock:
                self._layouts.update((cid, out[cid]) for cid in missing if cid in out)
                while len(self._layouts) > _KEEP_LAYOUTS:
                    self._layouts.popitem(last=False)
        return out

    def document_rows(self, source: str) -> range:
        """The rows of the article ``source``'s sentences."""
        rows = self._documents.get(source)
        if rows is None:
            with self._lock:
                found = self._db.execute("SELECT first, last FROM documents WHERE source = ?", [source]).fetchone()
            rows = self._documents[source] = range(found[0], found[1] + 1) if found else range(0)
        return rows

    # -- terms -------------------------------------------------------------
    # Read when first asked for: only a question with a word the corpus never
    # uses, or typed all in lower case, needs them.
    @functools.cached_property
    def word_counts(self) -> dict[str, int]:
        """Each word of letters alone the sentences write (lower case) and the number of sentences holding it."""
        return self._read_json(_WORDS)

    @functools.cached_property
    def names(self) -> dict[str, dict[str, str]]:
        """Each word the sentences mostly capitalise (lower case) and how it is most often written,
        under "alone" or, when mostly capitalised as part of a longer name, "joined"; and under
        "beside", the words each is capitalised beside (see _names)."""
        return self._read_json(_NAMES)

    @functools.cached_property
    def acronyms(self) -> Acronyms:
        """The acronyms the sentences define (index.acronyms)."""
        return Acronyms(self._read_json(_ACRONYMS))

    def _read_json(self, name: str) -> dict:
        try:
            return json.loads((self._folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexStoreError(
                f"{self._folder / name} cannot be read ({type(exc).__name__}: {exc}).",
                "Rebuild the index with: qa index --rebuild",
            ) from None

    def document_frequencies(self) -> dict[str, int]:
        """Each term and the number of sentences holding it."""
        counts = np.diff(self._offsets)
        return {t: int(counts[i]) for t, i in self._term_ids.items()}

    def postings(self, term: str) -> np.ndarray:
        """The rows of the sentences holding ``term``, ascending."""
        i = self._term_ids.get(term)
        if i is None:
            return np.zeros(0, dtype=np.int32)
        return np.asarray(self._postings[self._offsets[i] : self._offsets[i + 1]])

    def term_in(self, term: str, rows: range) -> bool:
        """Whether any sentence in ``rows`` holds ``term``."""
        found = self.postings(term)
        k = int(np.searchsorted(found, rows.start))
        return k < len(found) and found[k] < rows.stop


def _advise_random(array: np.ndarray) -> None:
    # A question reads a few scattered rows: without this, each read pulls
    # in the pages around it too, and the mapped file soon sits in memory whole.
    handle = getattr(array, "_mmap", None)
    if handle is not None and hasattr(mmap, "MADV_RANDOM"):
        handle.madvise(mmap.MADV_RANDOM)
