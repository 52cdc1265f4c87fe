"""Build or update an index: scan → clean → split → chunk → embed → store.

Updates are incremental and safe:

* an unchanged corpus is recognised from file fingerprints alone, without
  loading the embedding model or writing anything;
* otherwise a new generation is written: records of unchanged files are
  copied with their vectors, a sentence or chunk whose text was already
  embedded reuses its vector, and only new text is embedded;
* the manifest is switched to the new generation last, atomically. If any
  step fails, the new generation is dropped and the previous one stays
  current and usable.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from index import corpus as corpus_mod
from index.chunking import chunk_sentences, embedding_text, model_text, split_document
from index.embedding import Embedder, Span, get_embedder, unit
from index.errors import CorpusError, IndexStoreError, QAError
from index.keyword import build_keyword_index
from index.lock import claim_for_removal, writer_lock
from index.manifest import FileRecord, IndexSpec, Manifest, read_manifest, write_manifest
from index.sentence_store import FOLDER as SENTENCE_FOLDER
from index.sentence_store import SentenceStore, has_chunk_vectors, write_sentence_store
from index.store import CHUNKS, ChromaStore, read_all
from index.types import Chunk, Document, Sentence


@dataclass
class BuildReport:
    """What an index run did, for the summary line and for tests."""

    indexed: list[str] = field(default_factory=list)  # files (re)embedded this run
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    other_types: dict[str, int] = field(default_factory=dict)  # files of types not read, by suffix
    files: int = 0
    sentences: int = 0
    chunks: int = 0
    embedded: int = 0  # texts sent to the embedding model
    seconds: float = 0.0
    rebuilt: bool = False
    generation: str = ""

    def summary(self) -> str:
        lines = [
            f"Indexed {self.files} file(s): {len(self.indexed)} new or changed, {len(self.unchanged)} unchanged"
            + (f", {len(self.removed)} removed" if self.removed else "")
            + f"; {self.sentences} sentences, {self.chunks} chunks; embedded {self.embedded} text(s) in {self.seconds:.2f} s."
        ]
        if self.rebuilt:
            lines.append("The index was rebuilt from scratch.")
        for source, reason in sorted(self.skipped.items()):
            lines.append(f"Skipped {source}: {reason}")
        if self.other_types:
            kinds = ", ".join(f"{n} {suffix}" for suffix, n in list(self.other_types.items())[:6])
            more = ", ..." if len(self.other_types) > 6 else ""
            lines.append(
                f"Not read: {sum(self.other_types.values())} file(s) of other types ({kinds}{more}); "
                f"articles are read from {corpus_mod.READ_TYPES} files (convert others to one of these)."
            )
        return "\n".join(lines)


@dataclass
class _FileData:
    doc: Document
    sentences: list[Sentence]
    chunks: list[Chunk]


def build_index(
    corpus: Path,
    index_dir: Path,
    spec: IndexSpec,
    *,
    chroma_url: str = "",
    collection: str = "qa",
    max_bytes: int = 10_000_000,
    batch_size: int = 32,
    rebuild: bool = False,
    progress: bool = False,
    embedder: Embedder | None = None,
    store: ChromaStore | None = None,
    lock_wait: float = 30.0,
    scan_max: int = 50_000,
) -> BuildReport:
    """Bring the index in ``index_dir`` up to date with ``corpus`` (in ``store``, or a store opened from the arguments).

    Holds the index's build lock throughout (see index.lock), waiting up to
    ``lock_wait`` seconds for another process's build to finish. An index
    of at most ``scan_max`` sentences (qa.config ``sentence_scan_max``) also
    gets its chunk vectors in the sentence store, for readers that rank
    every chunk exactly; a larger one is searched through Chroma's HNSW
    index of the chunks.
    """
    index_dir = Path(index_dir)
    corpus_mod.corpus_files(Path(corpus))  # a missing or empty corpus is reported before anything is written
    _check_writable(index_dir)
    with writer_lock(index_dir, lock_wait):
        return _build(corpus, index_dir, spec, chroma_url=chroma_url, collection=collection, max_bytes=max_bytes,
                      batch_size=batch_size, rebuild=rebuild, progress=progress, embedder=embedder, store=store,
                      scan_max=scan_max)


def _build(
    corpus: Path,
    index_dir: Path,
    spec: IndexSpec,
    *,
    chroma_url: str,
    collection: str,
    max_bytes: int,
    batch_size: int,
    rebuild: bool,
    progress: bool,
    embedder: Embedder | None,
    store: ChromaStore | None,
    scan_max: int,
) -> BuildReport:
    t0 = time.perf_counter()
    scan = corpus_mod.scan(Path(corpus), max_bytes)
    if not scan.documents:
        reasons = "; ".join(scan.skipped.values())
        raise CorpusError(f"No file in {corpus} could be indexed: {reasons}", "Fix or replace the files listed, then run qa index again.")

    old = read_manifest(index_dir)
    store = store or ChromaStore(index_dir, chroma_url, collection)
    full = rebuild or old is None or not old.compatible_with(spec)
    current = {d.source: d for d in scan.documents}
    changed = list(scan.documents)
    report = BuildReport(skipped=dict(scan.skipped), other_types=scan.other_types)
    if not full:
        assert old is not None
        changed = [d for d in scan.documents if d.source not in old.files or old.files[d.source].fingerprint != d.fingerprint]
        report.removed = sorted(set(old.files) - set(current))
        report.unchanged = sorted(s for s in current if s in old.files and old.files[s].fingerprint == current[s].fingerprint)
        # An index whose readers never ask Chroma needs nothing of it until a
        # file changes (and a server checking its corpus at start does not
        # import chromadb); an update copies unchanged files from the
        # generation's collection, which must then be there.
        unchanged = not changed and not report.removed
        if not (unchanged and _scanned(index_dir, old)) and not _generation_exists(store, old):
            full, changed = True, list(scan.documents)
            report = BuildReport(skipped=dict(scan.skipped), other_types=scan.other_types)
        elif unchanged:
            # Nothing to embed or store: keep the generation, refresh the skip list.
            if old.skipped != scan.skipped:
                old.skipped = dict(scan.skipped)
                write_manifest(index_dir, old)
            _fill_counts(report, old)
            report.seconds = time.perf_counter() - t0
            return report
    report.rebuilt = full and old is not None

    generation = f"g{time.time_ns() // 1000}"
    try:
        manifest = _write_generation(
            store, old if not full else None, generation, spec, changed, report, index_dir, batch_size, progress, embedder, scan_max
        )
        manifest.skipped = dict(scan.skipped)
        manifest.corpus = str(Path(corpus).resolve())
        write_manifest(index_dir, manifest)
    except BaseException as exc:
        store.drop(generation)
        shutil.rmtree(index_dir / "generations" / generation, ignore_errors=True)
        if isinstance(exc, (QAError, KeyboardInterrupt)):
            raise
        raise IndexStoreError(
            f"Indexing failed ({type(exc).__name__}: {exc}); the previous index is unchanged.",
            "Fix the cause and run qa index again.",
        ) from exc
    _drop_old_generations(store, index_dir, keep={generation, old.generation if old else ""})
    _fill_counts(report, manifest)
    report.generation = generation
    report.seconds = time.perf_counter() - t0
    return report


def _write_generation(
    store: ChromaStore,
    old: Manifest | None,
    generation: str,
    spec: IndexSpec,
    changed: Sequence[Document],
    report: BuildReport,
    index_dir: Path,
    batch_size: int,
    progress: bool,
    embedder: Embedder | None,
    scan_max: int,
) -> Manifest:
    new_chunks = store.collection(generation, CHUNKS, create=True)
    manifest = Manifest(spec=spec, generation=generation, built_at=_now())
    changed_sources = {d.source for d in changed}
    keyword_docs: list[tuple[str, str]] = []
    carried_chunks: dict[str, list] = {"ids": [], "embeddings": [], "metadatas": []}
    carried_sentences: list[Sentence] = []
    carried_vectors: Any = np.zeros((0, 0), np.float32)
    old_sentences = SentenceStore(index_dir / "generations" / old.generation / SENTENCE_FOLDER) if old is not None else None

    # 1. Carry over unchanged files, vectors included: chunks from the old
    # generation's collection, sentences from its sentence store.
    if old is not None and old_sentences is not None:
        keep = [s for s in old.files if s not in changed_sources and s in set(report.unchanged)]
        if keep:
            # Smaller pages: the list of files takes SQL variables too.
            got = read_all(store.collection(old.generation, CHUNKS), ["embeddings", "metadatas", "documents"], where={"source": {"$in": keep}}, page=2000)
            _upsert(new_chunks, got["ids"], got["embeddings"], got["documents"], got["metadatas"])
            carried_chunks = got
            keyword_docs += list(zip(got["ids"], got["documents"]))
            carried_sentences, carried_vectors = old_sentences.documents(keep)
            for s in keep:
                manifest.files[s] = old.files[s]
        manifest.embedding_dim = old.embedding_dim
        manifest.embedding_version = old.embedding_version

    # 2. Split and chunk the new and changed files.
    data = []
    for doc in changed:
        sentences = split_document(doc)
        chunks = chunk_sentences(sentences, spec.chunk_tokens, spec.chunk_overlap, spec.tokenizer)
        data.append(_FileData(doc, sentences, chunks))
    sentences_by_id = {s.id: s for f in data for s in f.sentences}

    # 3. Vectors: reuse what the previous generation already embedded, and
    # read the rest in passes (see _passes): each token once, in context.
    sentence_ids = [s.id for f in data for s in f.sentences]
    reused: dict[str, Any] = {}
    if old is not None and old_sentences is not None:
        reused.update(old_sentences.vectors_of(sentence_ids))
        reused.update(_existing_vectors(store, old.generation, CHUNKS, [c.id for f in data for c in f.chunks]))
    passes = [p for f in data for p in _passes(f, sentences_by_id)]
    todo = [p for p in passes if any(c.id not in reused for c in p.chunks)]
    if todo or any(i not in reused for i in sentence_ids):
        embedder = embedder or get_embedder(spec.embedding_model, batch_size)
        manifest.embedding_dim = embedder.dim
        manifest.embedding_version = embedder.version
        report.embedded = _embed(embedder, todo, reused, batch_size, progress)
        # A sentence no pass could see whole (cut by the model's length limit)
        # is embedded on its own, with the sentence before when it refers back.
        alone = [
            (s.id, embedding_text(s, f.sentences[i - 1] if i else None, f.sentences[s.lead] if s.lead >= 0 else None))
            for f in data for i, s in enumerate(f.sentences) if s.id not in reused
        ]
        if alone:
            vectors = np.asarray(embedder.embed([t for _, t in alone]), dtype=np.float32)
            reused.update(zip((i for i, _ in alone), vectors))
            report.embedded += len(alone)

    # 4. Store them, a thousand records a call: Chroma's cost is mostly per
    # call, and articles have a few dozen sentences each (1k chunks took 8.7 s
    # stored a file at a time).
    chunks: tuple[list, list, list, list] = ([], [], [], [])
    for f in data:
        meta = f.doc.meta
        for c in f.chunks:
            record = {
                "source": c.source,
                "start": c.start,
                "end": c.end,
                "kind": c.kind,
                "heading": c.heading,
                "sentence_ids": json.dumps(c.sentence_ids),
                "title": meta.title,
                "publisher": meta.publisher,
                "author": meta.author,
                "date": meta.date,
            }
            for column, value in zip(chunks, (c.id, reused[c.id], c.text, record)):
                column.append(value)
        keyword_docs += [(c.id, c.text) for c in f.chunks]
        manifest.files[f.doc.source] = FileRecord(
            fingerprint=f.doc.fingerprint,
            size=len(f.doc.text.encode("utf-8")),
            sentences=len(f.sentences),
            chunks=len(f.chunks),
            comments=sum(s.kind == "comment" for s in f.sentences),
        )
        report.indexed.append(f.doc.source)
    _upsert(new_chunks, *chunks)

    # 5. Every sentence of the generation, carried over or new, goes to the
    # sentence store (below), not to Chroma: readers find the sentences near
    # a question by a scan up to ``scan_max`` and among the nearest chunks'
    # above it (qa.retrieve), so no HNSW index of them is needed.
    sentences = carried_sentences + [s for f in data for s in f.sentences]
    sentence_vectors = list(carried_vectors) + [reused[s.id] for f in data for s in f.sentences]

    # 6. The keyword index, rebuilt whole: cheap next to embedding, and exact.
    gen_dir = index_dir / "generations" / generation
    gen_dir.mkdir(parents=True, exist_ok=True)
    build_keyword_index(keyword_docs, gen_dir / "bm25")
    chunk_layouts = [(i, m["source"], m["kind"], json.loads(m["sentence_ids"])) for i, m in zip(carried_chunks["ids"], carried_chunks["metadatas"])]
    chunk_layouts += [(c.id, c.source, c.kind, c.sentence_ids) for f in data for c in f.chunks]
    # An index whose sentences are scanned has its chunks scanned too, from
    # the vectors just stored in Chroma (qa.retrieve): exact, and a fraction
    # of a Chroma query's cost. A larger one is searched by Chroma's HNSW index.
    scanned = len(sentences) <= scan_max
    chunk_vectors = list(carried_chunks["embeddings"]) + [reused[c.id] for f in data for c in f.chunks] if scanned else None
    write_sentence_store(gen_dir / SENTENCE_FOLDER, sentences, sentence_vectors, chunk_layouts, chunk_vectors)
    _write_titles(gen_dir, manifest, changed, old, index_dir)
    return manifest


@dataclass
class _Pass:
    """One model call's text: a chunk's sentences that the chunk before it did not hold.

    Chunks overlap (the last sentence of one starts the next), but passes do
    not: a chunk's vector is the unit of its sentences' token sums, each read
    in its own pass, plus its pass's other tokens (the title, the special
    tokens). For a chunk that is one pass, that is exactly the vector of the
    chunk read whole; with overlap it reads ~22% fewer tokens than embedding
    every chunk, and ranks as well (wiki set, dense top 1/5/10 of 1,278
    questions: the same, -0.7 and -0.1 points).
    """

    text: str
    spans: list[Span]
    sentence_ids: tuple[str, ...]
    chunks: list[Chunk]  # the chunks whose vectors need this pass: its own, and the next when it carries a sentence over


def _passes(f: _FileData, sentences: dict[str, Sentence]) -> list[_Pass]:
    out: list[_Pass] = []
    owner: dict[str, _Pass] = {}
    for c in f.chunks:
        new = tuple(sid for sid in c.sentence_ids if sid not in owner)
        # The title gives a pass its topic; comments are not the article's
        # words, so they are read without it.
        title = c.heading or f.doc.meta.title
        text = f"{title}\n" if title and c.kind != "comment" else ""
        if c.context:
            # A chunk that starts inside a table or a list: read under its lead.
            text += c.context + " "
        spans: list[Span] = []
        for sid in new:
            piece = model_text(sentences[sid])
            spans.append((len(text), len(text) + len(piece)))
            text += piece + " "
        p = _Pass(text.rstrip(" "), spans, new, [c])
        for sid in c.sentence_ids:
            if sid in owner and c not in owner[sid].chunks:
                owner[sid].chunks.append(c)
        owner.update(dict.fromkeys(new, p))
        out.append(p)
    return out


def _embed(embedder: Embedder, passes: list[_Pass], vectors: dict[str, Any], batch_size: int, progress: bool) -> int:
    """Read ``passes`` and add their chunks' and sentences' vectors to ``vectors`` (by id); the number of texts embedded."""
    from tqdm import tqdm

    # A sentence's token sum is kept only until the chunks that carry it
    # over have their vectors, so what is held at once stays a batch or two
    # at any corpus size.
    sums: dict[str, np.ndarray] = {}
    waiting: dict[str, Chunk] = {}  # chunks that will need a sum read in an earlier pass
    whole: list[Chunk] = []  # chunks with a sentence no pass could see whole
    bar = tqdm(total=len(passes), desc="Embedding", unit="pass", disable=not progress, file=sys.stderr)
    try:
        for i in range(0, len(passes), batch_size):
            batch = passes[i : i + batch_size]
            for p, got in zip(batch, embedder.sum_spans([p.text for p in batch], [p.spans for p in batch])):
                for sid, total in zip(p.sentence_ids, got.spans):
                    if total is not None:
                        sums[sid] = total
                        vectors.setdefault(sid, unit(total))
                waiting.update((c.id, c) for c in p.chunks[1:] if c.id not in vectors)
                c = p.chunks[0]
                waiting.pop(c.id, None)
                if c.id in vectors:
                    continue
                if all(sid in sums for sid in c.sentence_ids):
                    vectors[c.id] = unit(got.rest + np.sum([sums[sid] for sid in c.sentence_ids], axis=0))
                else:
                    whole.append(c)
            needed = {sid for c in waiting.values() for sid in c.sentence_ids}
            sums = {sid: v for sid, v in sums.items() if sid in needed}
            bar.update(len(batch))
    finally:
        bar.close()
    if whole:
        vectors.update(zip((c.id for c in whole), np.asarray(embedder.embed([c.text for c in whole]), dtype=np.float32)))
    return len(passes) + len(whole)


# Ids asked of Chroma at once: one SQL variable each, and SQLite allows 32,766.
ID_PAGE = 10_000


def _existing_vectors(store: ChromaStore, generation: str, kind: str, ids: list[str]) -> dict[str, Any]:
    collection = store.collection(generation, kind) if ids else None
    out: dict[str, Any] = {}
    for i in range(0, len(ids), ID_PAGE):
        got = collection.get(ids=ids[i : i + ID_PAGE], include=["embeddings"])  # type: ignore[union-attr]
        out.update(zip(got["ids"], got["embeddings"]))
    return out


def _upsert(collection: Any, ids: list, embeddings: list, documents: list, metadatas: list, batch: int = 1000) -> None:
    for i in range(0, len(ids), batch):
        collection.upsert(
            ids=ids[i : i + batch],
            embeddings=np.asarray(embeddings[i : i + batch], dtype=np.float32),
            documents=documents[i : i + batch],
            metadatas=metadatas[i : i + batch],
        )


def _write_titles(gen_dir: Path, manifest: Manifest, changed: Sequence[Document], old: Manifest | None, index_dir: Path) -> None:
    """Per-file metadata (title, publisher, date) for answers, beside the stores."""
    titles: dict[str, dict[str, str]] = {}
    if old is not None:
        prev = index_dir / "generations" / old.generation / "documents.json"
        if prev.exists():
            titles.update(json.loads(prev.read_text(encoding="utf-8")))
    for doc in changed:
        titles[doc.source] = {"title": doc.meta.title, "publisher": doc.meta.publisher, "author": doc.meta.author, "date": doc.meta.date}
    titles = {k: v for k, v in titles.items() if k in manifest.files}
    (gen_dir / "documents.json").write_text(json.dumps(titles, indent=1, ensure_ascii=False), encoding="utf-8")


def _generation_exists(store: ChromaStore, manifest: Manifest) -> bool:
    return manifest.generation in store.generations()


def _scanned(index_dir: Path, manifest: Manifest) -> bool:
    """Whether the generation's readers rank its chunks and sentences from its sentence store alone (qa.retrieve)."""
    return has_chunk_vectors(index_dir / "generations" / manifest.generation / SENTENCE_FOLDER)


def _drop_old_generations(store: ChromaStore, index_dir: Path, keep: set[str]) -> None:
    # The previous generation is always kept, and an older one only goes once
    # no reader on this machine has it pinned (index.lock): a server answering
    # from it keeps answering, and a later build removes it.
    gens = index_dir / "generations"
    on_disk = {d.name for d in gens.iterdir() if d.is_dir()} if gens.is_dir() else set()
    for gen in (store.generations() | on_disk) - keep:
        with claim_for_removal(index_dir, gen) as free:
            if not free:
                continue
            if gen in store.generations():
                store.drop(gen)
            shutil.rmtree(gens / gen, ignore_errors=True)


def _fill_counts(report: BuildReport, manifest: Manifest) -> None:
    report.files = len(manifest.files)
    report.sentences = manifest.sentences
    report.chunks = manifest.chunks


def _check_writable(index_dir: Path) -> None:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        # A probe of its own: two builders starting together must not remove each other's.
        with tempfile.NamedTemporaryFile(dir=index_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise IndexStoreError(
            f"Cannot write to the index folder {index_dir} ({exc.strerror}).",
            "Pass --index-dir (or set QA_INDEX_DIR) to a writable folder, or fix its permissions.",
        ) from None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
