"""The sentence store a build writes beside the keyword index, after full and incremental builds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index.manifest import read_manifest
from index.sentence_store import FOLDER, SentenceStore
from index.store import CHUNKS, SENTENCES, ChromaStore, read_all
from index.terms import terms


def assert_store_matches_the_collections(index_dir: Path) -> SentenceStore:
    manifest = read_manifest(index_dir)
    chroma = ChromaStore(index_dir)
    store = SentenceStore(index_dir / "generations" / manifest.generation / FOLDER)
    sents = read_all(chroma.collection(manifest.generation, SENTENCES), ["embeddings", "metadatas", "documents"])
    chunks = read_all(chroma.collection(manifest.generation, CHUNKS), ["metadatas"])
    assert len(store) == len(sents["ids"]) == manifest.sentences
    assert store.chunk_count == len(chunks["ids"]) == manifest.chunks

    every = dict(store.scan(page=7))  # pages shorter than the store
    assert sorted(every) == list(range(len(store)))
    assert [(s.source, s.position) for _, s in sorted(every.items())] == sorted((m["source"], m["position"]) for m in sents["metadatas"])
    row_of = store.rows_of(sents["ids"])
    for sid, text, meta, vector in zip(sents["ids"], sents["documents"], sents["metadatas"], sents["embeddings"]):
        s = every[row_of[sid]]
        assert (s.id, s.text, s.source, s.start, s.end, s.kind) == (sid, text, meta["source"], meta["start"], meta["end"], meta["kind"])
        v = np.asarray(vector, dtype=np.float32)
        # The stored vector normalised (Chroma may hand it back a last bit off).
        np.testing.assert_allclose(store.vectors[row_of[sid]], v / np.linalg.norm(v), atol=1e-6)

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
    store = assert_store_matches_the_collections(build.index_dir)
    assert store.read([0, len(store) - 1, len(store) + 5]).keys() == {0, len(store) - 1}
    rows = [5, 6, 7, 2, len(store) - 1, 6]
    np.testing.assert_array_equal(store.vector_rows(rows), store.vectors[rows])


def test_an_update_writes_carried_and_new_sentences_alike(small_corpus, build, seeds):
    build(small_corpus)
    path = small_corpus / "004_a65aae2e38a59293.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("BRICS countries", "Martian colonies"), encoding="utf-8")
    (small_corpus / "005_added.txt").write_text((seeds / "000_50b292b35026a21a.txt").read_text(encoding="utf-8"), encoding="utf-8")
    report = build(small_corpus)
    assert report.unchanged == ["002_026fb524575c518d.txt"]
    store = assert_store_matches_the_collections(build.index_dir)
    [martian] = terms("Martian")
    assert len(store.postings(martian)) > 0
