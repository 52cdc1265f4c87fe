from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import build_index
from index.chunking import sentence_words, split_document
from index.types import Document, Sentence
from qa.config import Settings


def split_text(source: str, text: str) -> list[Sentence]:
    """The sentences of ``text`` as a file named ``source`` is split."""
    return split_document(Document(source=source, text=text, fingerprint="test"))


def split_checked(source: str, text: str) -> list[Sentence]:
    """:func:`split_text`, asserting that every sentence is an exact slice of ``text``, as a citation's quote must be."""
    sentences = split_text(source, text)
    for s in sentences:
        assert text[s.start : s.end] == s.text, s
    return sentences


def shown(sentence: Sentence) -> str:
    """A sentence as a reader sees it."""
    return sentence_words(sentence)


def article_shown(source: str, text: str) -> list[str]:
    """The article sentences of ``text``, split as a file named ``source`` is, as a reader sees them."""
    return [shown(s) for s in split_text(source, text) if s.kind == "article"]


@pytest.fixture
def small_corpus(tmp_path: Path, seeds: Path) -> Path:
    """Two seed articles: enough to exercise updates, quick to embed."""
    dest = tmp_path / "corpus"
    dest.mkdir()
    for name in ("002_026fb524575c518d.txt", "004_a65aae2e38a59293.txt"):
        shutil.copy(seeds / name, dest / name)
    shutil.copy(seeds / "metadata.json", dest / "metadata.json")
    return dest


@pytest.fixture
def build(tmp_path: Path):
    """Build (or update) an index of a corpus in a private folder."""
    settings = Settings.load({}, env={})
    index_dir = tmp_path / "index"

    def run(corpus: Path, **kw):
        spec = kw.pop("spec", settings.index_spec())
        return build_index(corpus, kw.pop("index_dir", index_dir), spec, **kw)

    run.index_dir = index_dir
    run.settings = settings
    return run
