"""Server mode: the index lives in a real `chroma run` server, reached by URL."""

from __future__ import annotations

import shutil

import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.errors import IndexStoreError

from ..conftest import free_port

def test_index_and_answer_through_a_chroma_server(chroma_url, tmp_path, seeds):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seeds / "002_026fb524575c518d.txt", corpus)
    shutil.copy(seeds / "metadata.json", corpus)
    # Above the scan limit, so that questions are answered through the server
    # too: a smaller index ranks its chunks and sentences from the sentence store.
    settings = Settings.load({"corpus": corpus, "index_dir": tmp_path / "index", "chroma_url": chroma_url, "sentence_scan_max": 0}, env={})
    engine = Engine(settings)
    report = engine.build()
    assert report.files == 1 and report.embedded > 0
    assert not (tmp_path / "index" / "chroma").exists()  # vectors went to the server
    assert engine.reader().sentence_store.chunk_vectors is None
    answer = engine.ask("When did Russia join the space station program?")
    assert "1993" in answer.answer
    text = (corpus / answer.citations[0].source).read_text(encoding="utf-8")
    assert text[answer.citations[0].start : answer.citations[0].end] == answer.citations[0].quote
    assert engine.build().embedded == 0


def test_unreachable_server_is_a_clear_error(tmp_path, seeds):
    settings = Settings.load({"corpus": seeds, "index_dir": tmp_path / "i", "chroma_url": f"http://127.0.0.1:{free_port()}"}, env={})
    with pytest.raises(IndexStoreError, match="Cannot reach the Chroma server") as exc:
        Engine(settings).build()
    assert "chroma run" in exc.value.hint
