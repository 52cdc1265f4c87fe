"""The objects that ingestion produces and the retrieval layer reads back.

Offsets (``start``/``end``) are always character offsets into the file's text
as read (UTF-8), so ``document.text[start:end]`` is the exact passage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What a stretch of a file is. Only "article" and "related" are the
# publisher's own reporting; "comment" is kept apart and labelled as such;
# "boilerplate" (site chrome, advertisements, teasers, repeats) is dropped.
KINDS = ("article", "related", "comment", "boilerplate")


@dataclass(frozen=True)
class Metadata:
    """What is known about an article: from the corpus's sidecar file, else as the file states it (index.corpus)."""

    title: str = ""
    publisher: str = ""
    author: str = ""
    date: str = ""  # ISO-like, as precise as known: "2025-08" or "2021-06-14"

    @property
    def year(self) -> str:
        return self.date[:4]


@dataclass(frozen=True)
class Document:
    """One file of the corpus, exactly as read."""

    source: str  # path relative to the corpus folder, with forward slashes
    text: str  # as Python's text mode reads it, a byte order mark as a line break (index.corpus)
    fingerprint: str  # sha256 of the raw bytes
    meta: Metadata = field(default_factory=Metadata)


@dataclass(frozen=True)
class Segment:
    """A labelled stretch of a document: a line or paragraph and what it is."""

    start: int
    end: int
    kind: str
    heading: str = ""  # for "related": the embedded article's own title


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document, the unit that citations point at."""

    id: str
    source: str
    start: int
    end: int
    text: str
    kind: str
    position: int  # order within the document, counting kept sentences
    heading: str = ""
    # The position of the sentence this one is read under, or -1: a table
    # row's header row, a definition's term, the heading a list hangs from.
    # It says what the sentence is about ("2 | Mills" under "Expansion
    # stages | Inventor"; "Added SSH certificates." under "## 2.3.0").
    lead: int = -1
    # The position of the heading of the section it stands in, or -1: what a
    # reference section is about ("## `os.EOL`") goes unsaid in the sentences
    # under it, however many. A heading stands in the section of the heading
    # it is ranked under ("### Fixes" under "## 2.14.0"), where its rank is
    # known (Markdown, web pages), else in none.
    section: int = -1
    # A line or block of code (a Markdown fence's or indented block's, a
    # reStructuredText literal block's, a web page's <pre>): no headline
    # however short, and shown as written, its characters no markup
    # ("**kwargs", "[i](x)", "<div>", "a\.b"; a web page's tags still go).
    code: bool = False
    # An HTML table's row as the table shows it when a cell of a row above
    # spans down into it (rowspan), that cell in its column: "Monday | Late |
    # Ben Ortiz", where the row's own cells say only "Late | Ben Ortiz" and
    # not which day; "" for any other sentence.
    shown_row: str = ""


@dataclass(frozen=True)
class Chunk:
    """A run of consecutive sentences, the unit of retrieval."""

    id: str
    source: str
    start: int
    end: int
    text: str
    kind: str
    sentence_ids: tuple[str, ...]
    heading: str = ""
    context: str = ""  # read before the sentences, at the start of ``text``: the lead of its first sentence, when the chunk does not hold it
