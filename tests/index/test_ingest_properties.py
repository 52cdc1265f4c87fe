"""Ingestion on generated text: it never crashes, and offsets slice the file, read as text, exactly."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from index.chunking import chunk_sentences, split_document
from index.corpus import scan

# Characters that break naive text handling: combining marks, right-to-left
# scripts and marks, zero-width characters, NUL, CR/LF, sentence punctuation.
NASTY = st.sampled_from(
    ["\u0301", "\u0308", "\u05d0", "\u0627", "\u200f", "\u202e", "\u200b", "\u200d", "\ufeff",
     "\x00", "\r\n", "\r", "\n", "\u2028", ". ", "? ", "! ", "...", "U.S.", "Dr. ", "<", ">", "&amp;", "\t"]
)
WORDS = st.sampled_from(["The", "keeper", "trimmed", "lamps", "every", "evening", "Mr", "tide", "é", "ß", "中文", "שלום", "مرحبا"])
PIECE = st.one_of(st.text(max_size=30), NASTY, WORDS.map(lambda w: w + " "))
TEXT = st.one_of(
    st.lists(PIECE, max_size=120).map("".join),
    st.builds(lambda w, n: (w + " ") * n + ".", WORDS, st.integers(1000, 6000)),  # one very long line
)


def _html(depth: int) -> st.SearchStrategy[str]:
    tag = st.sampled_from(["div", "p", "span", "script", "style", "b", "li", "ul", "a href='x'", "!--", "br/"])
    leaf = st.one_of(TEXT, st.just("<p"), st.just("</div>"), st.just("<!--"), st.just("-->"), st.just("<"))
    if depth == 0:
        return leaf
    inner = st.lists(_html(depth - 1), max_size=4).map("".join)
    return st.one_of(leaf, st.builds(lambda t, body, close: f"<{t}>{body}" + (f"</{t.split()[0]}>" if close else ""), tag, inner, st.booleans()))


HTML = st.one_of(_html(3), st.integers(50, 400).map(lambda n: "<div>" * n + "Deep text. Still deep." + "</div>" * n))
SETTINGS = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def check_file(tmp_path: Path, name: str, data: bytes) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for old in corpus.iterdir():
        old.unlink()
    (corpus / name).write_bytes(data)
    result = scan(corpus, max_bytes=10_000_000)
    if not result.documents:
        assert name in result.skipped and result.skipped[name].startswith(name)  # a reason, naming the file
        return
    (doc,) = result.documents
    raw = (corpus / name).read_text(encoding="utf-8")  # as the contract reads it: "\r\n" is "\n"
    sentences = split_document(doc)
    for s in sentences:
        assert raw[s.start : s.end] == s.text
        assert s.text.strip() and s.text == s.text.strip()
    for chunk in chunk_sentences(sentences, 160, 1, "cl100k_base"):
        assert chunk.text.strip()


@SETTINGS
@given(text=TEXT, newline=st.sampled_from(["\n", "\r\n"]))
@example(text="0\f0\n0A\n", newline="\n")  # a form feed within a line, then one line to the end
def test_plain_text_offsets_slice_the_raw_file(tmp_path, text, newline):
    check_file(tmp_path, "article.txt", text.replace("\n", newline).encode("utf-8"))


@SETTINGS
@given(text=TEXT)
def test_markdown_offsets_slice_the_raw_file(tmp_path, text):
    check_file(tmp_path, "article.md", ("---\ntitle: T\n---\n# Heading\n" + text).encode("utf-8"))


@SETTINGS
@given(html=HTML)
def test_nested_or_broken_html_offsets_slice_the_raw_file(tmp_path, html):
    check_file(tmp_path, "page.html", html.encode("utf-8"))


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_binary_files_are_indexed_or_skipped_with_a_reason(tmp_path, data):
    check_file(tmp_path, "blob.txt", data)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=TEXT, html=HTML, blob=st.binary(min_size=1, max_size=2000))
def test_a_build_over_generated_files_never_crashes_and_stored_offsets_slice_the_files(tmp_path_factory, seeds, text, html, blob):
    from index.build import build_index
    from index.sentence_store import FOLDER, SentenceStore
    from qa.config import Settings

    root = tmp_path_factory.mktemp("prop")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_bytes((seeds / "002_026fb524575c518d.txt").read_bytes())
    files = {"gen.txt": text.encode("utf-8"), "gen.html": html.encode("utf-8"), "blob.txt": blob}
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    report = build_index(corpus, root / "index", Settings.load({}, env={}).index_spec())
    assert "good.txt" in report.indexed  # the rest indexes whatever the others hold
    for name in files:  # each generated file is indexed or reported, never lost silently
        assert (name in report.indexed) != (name in report.skipped)
    stored = [s for _, s in SentenceStore(root / "index" / "generations" / report.generation / FOLDER).scan()]
    assert stored
    raws = {name: (corpus / name).read_text(encoding="utf-8") for name in ["good.txt", *files] if name not in report.skipped}
    for s in stored:
        assert raws[s.source][s.start : s.end] == s.text
