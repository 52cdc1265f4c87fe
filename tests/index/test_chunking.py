"""Sentences into chunks: a table's rows are read with the header that says what their cells are."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.chunking import chunk_sentences, readable, split_document, table_headers
from index.corpus import scan

CLEANING = Path(__file__).resolve().parents[1] / "data" / "cleaning"
HEADER = "Engine design | Expansion stages | First installed at | Year"


@pytest.fixture(scope="module")
def documents():
    return {d.source: d for d in scan(CLEANING, 10_000_000).documents}


def shown(sentence) -> str:
    return readable(sentence.source, sentence.text).strip()


@pytest.mark.parametrize(("source", "header", "row"), [
    ("engine-designs.html", HEADER, "Steam turbine set | 12 | Northgate Mill | 1908"),
    ("ferry-timetable.md", "Ticket | Price", "Child return | 4.75"),
])
def test_every_row_of_a_table_knows_its_header(documents, source, header, row):
    sentences = split_document(documents[source])
    headers = table_headers(sentences)
    by_text = {shown(s): i for i, s in enumerate(sentences)}
    assert shown(sentences[headers[by_text[row]]]) == header
    # The header itself, and the prose around the table, have none.
    assert by_text[header] not in headers
    prose = [i for i, s in enumerate(sentences) if "|" not in shown(s)]
    assert prose and not set(prose) & set(headers)


def test_a_chunk_that_starts_inside_a_table_is_read_with_its_header(documents):
    doc = documents["engine-designs.html"]
    sentences = split_document(doc)
    chunks = chunk_sentences(sentences, 160, 1, "cl100k_base")
    inside = [c for c in chunks if c.context]
    assert inside, "the table is longer than a chunk"
    for c in inside:
        assert c.context == HEADER and c.text.startswith(HEADER + " ")
        # The header is read, not cited: the chunk's span is its own rows.
        assert not doc.text[c.start : c.end].lstrip().startswith("<tr><th>")
    header = next(s for s in sentences if shown(s) == HEADER)
    assert all(not c.context for c in chunks if header.id in c.sentence_ids)


def test_a_changed_header_changes_its_rows_so_they_are_read_again(documents):
    doc = documents["ferry-timetable.md"]
    before = {shown(s): s.id for s in split_document(doc)}
    after = {shown(s): s.id for s in split_document(replace(doc, text=doc.text.replace("| Ticket | Price |", "| Ticket | Fare |")))}
    assert before["Child return | 4.75"] != after["Child return | 4.75"]
    assert before["Fares are unchanged, and season tickets remain valid on every sailing."] == after["Fares are unchanged, and season tickets remain valid on every sailing."]
