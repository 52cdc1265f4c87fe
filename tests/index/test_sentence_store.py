"""The sentence store a build writes beside the keyword index, after full and incremental builds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index.chunking import split_document
from index.manifest import read_manifest
from index.sentence_store import FOLDER, SentenceStore
from index.store import CHUNKS, SENTENCES, ChromaStore, read_all
from index.terms import terms
from index.types import Document


def assert_store_matches_the_index(index_dir: Path, corpus: Path, scan_max: int = 50_000) -> SentenceStore:
    manifest = read_manifest(index_dir)
    chroma = ChromaStore(index_dir)
    store = SentenceStore(index_dir / "generations" / manifest.generation / FOLDER)
    chunks = read_all(chroma.collection(manifest.generation, CHUNKS), ["metadatas", "embeddings"])
    assert len(store) == manifest.sentences
    assert store.chunk_count == len(chunks["ids"]) == manifest.chunks
    if len(store) > scan_max:
        assert store.chunk_vectors is None  # readers ask Chroma for the nearest chunks
    else:
        # Every chunk's vector as Chroma holds it, in the order of the layouts (which is that of the upserts).
        assert store.chunk_ids == chunks["ids"]
        np.testing.assert_allclose(store.chunk_vectors, np.asarray(chunks["embeddings"]), rtol=0, atol=1e-6)
        np.testing.assert_allclose(np.linalg.norm(store.chunk_vectors, axis=1), 1.0, atol=1e-5)

    every = dict(store.scan(page=7))  # pages shorter than the store
    assert sorted(every) == list(range(len(store)))
    order = [(s.source, s.position) for _, s in sorted(every.items())]
    assert order == sorted(order) and len(set(order)) == len(order)
    raws = {source: (corpus / source).read_text(encoding="utf-8") for source in manifest.files}
    for s in every.values():
        assert raws[s.source][s.start : s.end] == s.text
    split = {t.id: t for source, raw in raws.items() for t in split_document(Document(source, raw, ""))}
    assert all(s == split[s.id] for s in every.values())  # every field as split: its lead, section, whether it is code
    np.testing.assert_allclose(np.linalg.norm(store.vectors, axis=1), 1.0, atol=1e-5)
    row_of = store.rows_of([s.id for s in every.values()])
    assert len(row_of) == len(store)

    # Sentences live in the sentence store only: Chroma holds no collection of them.
    assert SENTENCES not in {c.name.rsplit("_", 1)[-1] for c in chroma.client.list_collections() if manifest.generation in c.name}

    layouts = store.chunks(chunks["ids"])
    for cid, meta in zip(chunks["ids"], chunks["metadatas"]):
        rows = layouts[cid].rows
        assert [every[r].id for r in rows] == [i for i in json.loads(meta["sentence_ids"]) if i in row_of]
        assert rows == tuple(range(rows[0], rows[0] + len(rows))) and layouts[cid].source == meta["source"]
    assert store.chunks(chunks["ids"][:3] + ["no such chunk"]) == {cid: layouts[cid] for cid in chunks["ids"][:3]}  # kept ones, as read

    for source in {s.source for s in every.values()}:
        rows = store.document_rows(source)
        assert {r for r, s in every.items() if s.source == source} == set(rows)
        assert store.document_rows(source) == rows
    df: dict[str, int] = {}
    for r, s in every.items():
        for t in set(terms(s.text)):
            df[t] = df.get(t, 0) + 1
            assert r in store.postings(t)
    assert store.document_frequencies() == df
    return store


def test_a_full_build_writes_every_sentence_in_document_order(small_corpus, build):
    build(small_corpus)
    store = assert_store_matches_the_index(build.index_dir, small_corpus)
    assert store.chunk_vectors is not None  # a few hundred sentences: readers scan them, and the chunks
    assert store.read([0, len(store) - 1, len(store) + 5]).keys() == {0, len(store) - 1}
    rows = [5, 6, 7, 2, len(store) - 1, 6]
    np.testing.assert_array_equal(store.vector_rows(rows), store.vectors[rows])


def test_an_index_above_the_scan_limit_leaves_its_chunks_to_chroma(small_corpus, build):
    build(small_corpus, scan_max=10)
    store = assert_store_matches_the_index(build.index_dir, small_corpus, scan_max=10)
    assert store.chunk_vectors is None


def vectors_by_id(index_dir: Path) -> dict[str, np.ndarray]:
    manifest = read_manifest(index_dir)
    store = SentenceStore(index_dir / "generations" / manifest.generation / FOLDER)
    return {s.id: np.array(store.vectors[row]) for row, s in store.scan()}


def test_an_update_writes_carried_and_new_sentences_alike(small_corpus, build, seeds):
    build(small_corpus)
    before = vectors_by_id(build.index_dir)
    path = small_corpus / "004_a65aae2e38a59293.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("BRICS countries", "Martian colonies"), encoding="utf-8")
    (small_corpus / "005_added.txt").write_text((seeds / "000_50b292b35026a21a.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (small_corpus / "006_rota.md").write_text("# Rota\n\nPlan the week with:\n\n```python\nplan(**shifts)\n```\n", encoding="utf-8")
    # The corpus outgrows the limit: the new generation's chunks are Chroma's to rank, its sentences still all in the store.
    report = build(small_corpus, scan_max=50)
    assert report.unchanged == ["002_026fb524575c518d.txt"] and report.sentences > 50
    store = assert_store_matches_the_index(build.index_dir, small_corpus, scan_max=50)
    [martian] = terms("Martian")
    assert len(store.postings(martian)) > 0
    assert [s.text for _, s in store.scan() if s.code] == ["plan(**shifts)"]
    after = vectors_by_id(build.index_dir)
    carried = [sid for sid, row in store.rows_of(list(before)).items() if store.read([row])[row].source == "002_026fb524575c518d.txt"]
    assert carried
    for sid in carried:  # carried over, not embedded again (normalised once more: a last bit may move)
        np.testing.assert_allclose(after[sid], before[sid], rtol=0, atol=1e-7)


def test_an_update_below_the_scan_limit_writes_every_chunk_vector(small_corpus, build):
    build(small_corpus)
    old = read_manifest(build.index_dir)
    old_store = SentenceStore(build.index_dir / "generations" / old.generation / FOLDER)
    before = dict(zip(old_store.chunk_ids, old_store.chunk_vectors))
    path = small_corpus / "004_a65aae2e38a59293.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("BRICS countries", "Martian colonies"), encoding="utf-8")
    report = build(small_corpus)
    assert report.indexed == ["004_a65aae2e38a59293.txt"] and report.unchanged == ["002_026fb524575c518d.txt"]
    store = assert_store_matches_the_index(build.index_dir, small_corpus)  # carried and new chunks, as Chroma holds them
    layouts = store.chunks(store.chunk_ids)
    carried = [cid for cid in store.chunk_ids if layouts[cid].source == "002_026fb524575c518d.txt"]
    assert carried and len(carried) < len(store.chunk_ids) == report.chunks
    for cid in carried:  # read back from the old generation's collection, not embedded again
        np.testing.assert_allclose(store.chunk_vectors[store.chunk_ids.index(cid)], before[cid], rtol=0, atol=1e-7)
