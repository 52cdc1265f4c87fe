"""Incremental, idempotent and failure-safe indexing, on a real Chroma store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from index.clean import MARKDOWN_SUFFIXES, RST_SUFFIXES, TEXT_SUFFIXES, WEB_SUFFIXES
from index.embedding import Embedder, get_embedder
from index.errors import CorpusError, IndexStoreError
from index.manifest import read_manifest
from index.sentence_store import FOLDER as SENTENCE_FOLDER
from index.sentence_store import SentenceStore
from index.store import CHUNKS, SENTENCES, ChromaStore, read_all

from ..conftest import write_corpus


def stored_sources(index_dir: Path) -> dict[str, set[str]]:
    manifest = read_manifest(index_dir)
    chunks = read_all(ChromaStore(index_dir).collection(manifest.generation, CHUNKS), ["metadatas", "documents"])
    sentences = [s for _, s in SentenceStore(index_dir / "generations" / manifest.generation / SENTENCE_FOLDER).scan()]
    return {
        CHUNKS: {m["source"] for m in chunks["metadatas"]},
        CHUNKS + "_text": " ".join(chunks["documents"]),
        SENTENCES: {s.source for s in sentences},
        SENTENCES + "_text": " ".join(s.text for s in sentences),
    }


def test_reindexing_an_unchanged_corpus_embeds_nothing(small_corpus, build):
    first = build(small_corpus)
    assert first.embedded > 0 and first.files == 2 and first.chunks > 0
    gen = read_manifest(build.index_dir).generation
    again = build(small_corpus)
    assert again.embedded == 0
    assert (again.files, again.sentences, again.chunks) == (first.files, first.sentences, first.chunks)
    assert read_manifest(build.index_dir).generation == gen
    assert sorted(again.unchanged) == sorted(first.indexed)


def test_changed_file_replaces_only_its_own_chunks(small_corpus, build):
    first = build(small_corpus)
    path = small_corpus / "004_a65aae2e38a59293.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("BRICS countries", "Martian colonies"), encoding="utf-8")
    second = build(small_corpus)
    assert second.indexed == ["004_a65aae2e38a59293.txt"]
    assert second.unchanged == ["002_026fb524575c518d.txt"]
    # Only the edited sentence (and the chunk holding it) needed new vectors.
    assert 0 < second.embedded <= 4
    stored = stored_sources(build.index_dir)
    assert "Martian colonies" in stored[SENTENCES + "_text"]
    assert "BRICS" not in stored[SENTENCES + "_text"]
    assert second.sentences == first.sentences


def test_an_edit_reuses_stored_vectors_asked_for_a_page_at_a_time(small_corpus, build, monkeypatch):
    """Stored vectors are asked of Chroma in pages (one SQL variable an id; SQLite stops at 32,766)."""
    import index.build

    build(small_corpus)
    monkeypatch.setattr(index.build, "ID_PAGE", 7)  # many pages, each short of the whole
    path = small_corpus / "004_a65aae2e38a59293.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("BRICS countries", "Martian colonies"), encoding="utf-8")
    report = build(small_corpus)
    assert report.sentences > 7 and 0 < report.embedded <= 4


def chunk_vectors(index_dir: Path) -> dict[str, np.ndarray]:
    got = read_all(ChromaStore(index_dir).collection(read_manifest(index_dir).generation, CHUNKS), ["embeddings"])
    return dict(zip(got["ids"], np.asarray(got["embeddings"])))


def test_an_edit_gives_every_chunk_the_vector_a_fresh_build_gives(small_corpus, build, tmp_path):
    """Chunks overlap and their vectors are composed from passes (index.build): an update recomposes them as a fresh build does."""
    build(small_corpus)
    path = small_corpus / "004_a65aae2e38a59293.txt"
    text = path.read_text(encoding="utf-8")
    middle = text.index(". ", len(text) // 2) + 2
    path.write_text(text[:middle] + "The crew also tested a new docking port that year. " + text[middle:], encoding="utf-8")
    updated = build(small_corpus)
    assert 0 < updated.embedded < updated.chunks
    fresh_dir = tmp_path / "fresh"
    build(small_corpus, index_dir=fresh_dir)
    got, want = chunk_vectors(build.index_dir), chunk_vectors(fresh_dir)
    assert got.keys() == want.keys()
    assert max(float(np.abs(got[k] - want[k]).max()) for k in want) < 1e-5


def test_an_unchanged_scanned_index_is_confirmed_without_chroma_and_rebuilt_if_chroma_lost_it(small_corpus, build):
    """Readers of a small index never ask Chroma, so checking an unchanged corpus (as `qa serve` does at start) does not
    open it; an update copies unchanged files from Chroma, so one that finds the generation gone there rebuilds."""
    build(small_corpus)
    ChromaStore(build.index_dir).drop(read_manifest(build.index_dir).generation)
    untouched = ChromaStore(build.index_dir)
    again = build(small_corpus, store=untouched)
    assert again.embedded == 0 and not again.rebuilt
    assert untouched._client is None  # chromadb was not even imported for it
    path = small_corpus / "004_a65aae2e38a59293.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("BRICS countries", "Martian colonies"), encoding="utf-8")
    updated = build(small_corpus)
    assert updated.rebuilt and sorted(updated.indexed) == ["002_026fb524575c518d.txt", "004_a65aae2e38a59293.txt"]
    assert stored_sources(build.index_dir)[CHUNKS] == {"002_026fb524575c518d.txt", "004_a65aae2e38a59293.txt"}


def test_deleted_file_loses_its_chunks(small_corpus, build):
    build(small_corpus)
    (small_corpus / "004_a65aae2e38a59293.txt").unlink()
    report = build(small_corpus)
    assert report.removed == ["004_a65aae2e38a59293.txt"]
    assert report.embedded == 0
    stored = stored_sources(build.index_dir)
    assert stored[CHUNKS] == stored[SENTENCES] == {"002_026fb524575c518d.txt"}


def test_other_chunking_rebuilds_instead_of_mixing(small_corpus, build):
    first = build(small_corpus)
    spec = dataclasses.replace(build.settings.index_spec(), chunk_tokens=60)
    second = build(small_corpus, spec=spec)
    assert second.rebuilt
    assert second.chunks > first.chunks
    assert read_manifest(build.index_dir).spec.chunk_tokens == 60


class FailingEmbedder(Embedder):
    """Fails on its second batch: a fault injected at an exact point of a build.

    The real model cannot be made to fail on demand, so this stands in for it
    only to prove that a half-done build leaves the previous index intact.
    """

    def __init__(self) -> None:
        real = get_embedder("all-MiniLM-L6-v2")
        self.name, self.dim, self.calls, self._real = real.name, real.dim, 0, real

    def embed(self, texts):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("embedding service died")
        return self._real.embed(texts)


def test_failed_reindex_leaves_previous_index_usable(small_corpus, build):
    build(small_corpus)
    before = read_manifest(build.index_dir)
    before_sources = stored_sources(build.index_dir)
    for name in ("002_026fb524575c518d.txt", "004_a65aae2e38a59293.txt"):
        p = small_corpus / name
        p.write_text(p.read_text(encoding="utf-8") + "\nA brand new closing paragraph about lunar gardens.\n", encoding="utf-8")
    with pytest.raises(IndexStoreError, match="previous index is unchanged"):
        build(small_corpus, embedder=FailingEmbedder(), batch_size=1)
    after = read_manifest(build.index_dir)
    assert after.generation == before.generation
    assert stored_sources(build.index_dir) == before_sources
    # And the next run, with a working model, completes.
    assert build(small_corpus).indexed


def test_bad_files_are_skipped_with_reasons_and_the_rest_indexes(small_corpus, build):
    (small_corpus / "empty.txt").write_text("   \n", encoding="utf-8")
    (small_corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00rest")
    (small_corpus / "latin1.txt").write_bytes("Caf\xe9 society met in Z\xfcrich.".encode("latin-1"))
    with open(small_corpus / "huge.txt", "wb") as fh:
        fh.write(b"word " * (20 * 1024 * 1024 // 5))
    report = build(small_corpus)
    assert report.files == 2
    reasons = report.skipped
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"] and "iconv" in reasons["latin1.txt"]
    assert "MB" in reasons["huge.txt"] and "QA_MAX_FILE_MB" in reasons["huge.txt"]
    assert "Skipped huge.txt" in report.summary()


def test_files_of_other_types_are_counted_in_the_summary_not_passed_over_in_silence(small_corpus, build):
    (small_corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    (small_corpus / "scans").mkdir()
    for name in ("a.pdf", "b.pdf"):
        (small_corpus / "scans" / name).write_bytes(b"%PDF-1.4")
    (small_corpus / ".git").mkdir()
    (small_corpus / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    report = build(small_corpus)
    assert report.other_types == {".docx": 1, ".pdf": 2}
    assert "Not read: 3 file(s) of other types (2 .pdf, 1 .docx)" in report.summary()
    assert "Not read" in build(small_corpus).summary()  # and again when nothing changed
    # The way out it offers names every type that is read, so that none is converted for nothing.
    advice = report.summary().split("Not read", 1)[1]
    for kind in (TEXT_SUFFIXES, MARKDOWN_SUFFIXES, RST_SUFFIXES, WEB_SUFFIXES):
        assert any(suffix in advice for suffix in kind), kind


def test_missing_or_empty_corpus_is_a_clear_error(tmp_path, build):
    with pytest.raises(CorpusError, match="does not exist") as exc:
        build(tmp_path / "nope")
    assert "--corpus" in exc.value.hint
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no articles"):
        build(tmp_path / "empty")
    assert not build.index_dir.exists()  # nothing written for a corpus that is not there


def test_unwritable_index_folder_is_a_clear_error(small_corpus, build, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(IndexStoreError, match="Cannot write to the index folder") as exc:
        build(small_corpus, index_dir=blocker / "index")
    assert "--index-dir" in exc.value.hint


def test_markdown_and_html_articles_index_with_their_own_metadata(tmp_path, build):
    corpus = write_corpus(
        tmp_path / "mixed",
        {
            "note.md": "---\ntitle: Lunar gardens\ndate: 2024-05\nauthor: A. Writer\n---\n# Lunar gardens\n\n"
            "Botanists grew basil in lunar regolith for six weeks. The plants survived.\n",
            "page.html": "<html><head><title>Mars dust</title><style>p{}</style></head><body><nav>Menu</nav>"
            "<p>Mars dust storms can last for <em>months</em>. Rovers wait them out.</p></body></html>",
        },
    )
    report = build(corpus)
    assert report.files == 2 and not report.skipped
    gen = read_manifest(build.index_dir).generation
    titles = (build.index_dir / "generations" / gen / "documents.json").read_text(encoding="utf-8")
    assert "Lunar gardens" in titles and "2024-05" in titles and "Mars dust" in titles
