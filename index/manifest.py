"""The index manifest: what an index was built from and with.

An index is only ever queried or updated with the settings recorded here;
anything that would change the vectors or the chunks (another embedding model,
other chunking, a new format) makes :meth:`Manifest.compatible_with` false and
the index is rebuilt rather than mixed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Bump when the cleaning, sentence splitting, the way vectors are made or
# the stored layout changes in a way that old indexes cannot be read with.
FORMAT_VERSION = 142  # 8: the sentence store (index.sentence_store); 9: wrapped lines joined, text read as text mode reads it; 10: table rows read with their header; 11: each sentence's lead (Sentence.lead); 12: leads for an item's later sentences and plain-text definitions; 13: rows of a plain-text table under its header; 14: a numbered plain-text heading leads its list; 15: a long plain-text description keeps its term; 16: HTML in Markdown read as its words, a <br> ends a sentence; 17: a Markdown field on its own line is a sentence; 18: a list item or FAQ entry wrapped under its own text is one sentence; 19: a short code block in Markdown is kept; 20: a one-letter option ("-c") is a term; 21: a plain-text table's columns are three spaces apart, as sentences read them; 22: a manual page's title is its NAME line; 23: "ca.", "c. 1455" and the like end no sentence; 24: an item marked "•" or with a dash is a list item like one marked "-"; 25: a long option ("--no-compress") is a term; 26: a manual's "COMMENTS" section is no comment thread; 27: a wide gap after a sentence is no column; 28: rows in columns under the line that introduces them with a colon; 29: HTML comments in Markdown are not text; 30: nor are its link reference definitions; 31: each sentence's section heading; 32: a Markdown list of links to elsewhere is text; 33: a paragraph indented under a list item is read under it; 34: a page's banner outside the content it marks is chrome, a blog's "2 thoughts on “…”" opens its comments; 35: a block a page names as chrome (a cookie notice, a newsletter box, an ad slot) is chrome; 36: and a menu, sidebar, table of contents or footer; 37: a full stop with only markup after it ("X</em>.<em>Y") ends no sentence; 38: nor does a heading's number ("2.1. Removal ...", "Chapter 1. Introduction"); 39: a footnote mark after a full stop ("2014.[2] The") ends the sentence, a web page's footnote link is no text, its related section ends at the next heading of its rank, an edit stamp is chrome; 40: wiki markup in a text file ("====== Title ======", "[[page|text]]") is no text; 41: and a wiki table's rows there are read under its header row; 42: a Markdown line of images alone is no text; 43: a manual's section in capitals ends a related one, the heading that ends it is kept; 44: a sentence takes in the wiki marks it opens or closes with; 45: a wiki's code block tags and macros in a text file are no text; 46: a superscript or subscript of digits reads as its characters ("10⁶", "CO₂"); 47: a MyST role reads as the text it shows ("{any}`--no-deps`"); 48: "ext. 4999", "Tel. +44 ..." end no sentence; 49: a MediaWiki's site notice and "Navigation menu" are chrome; 50: a text file's wiki marks do not hide that it is wrapped; 51: reStructuredText read, its markup blanked; 52: a name in code standing alone over a paragraph leads it; 53: a reStructuredText substitution's definition is no text; 54: and a title in bold standing alone over a paragraph; 55: and so on a web page; 56: a page's title without the space its breadcrumbs open with ("Platform Engineering : Release checklist"); 57: a heading over a list of chrome alone is chrome; 58: a code listing's links are no menu; 59: nor are anchors ("<a name=.../>"); 60: nor a sentence with words of its own between its links; 61: "For example:" under "Comments" is no reply; 62: nor a code fence; 63: reStructuredText's "|release|" reads "release", no sentence ends inside its inline markup, a literal block's lines underline no title, "versionadded" is the terms "version added"; 64: a Markdown quotation's lines run on, its list items are items, a footnote's text runs on its indented lines; 65: a .txt file written in reStructuredText is read as reStructuredText; 66: a simple reference's underscore ("HttpOnly_") is no text; 67: "Comments (3)" opens a thread, "Most read" a related section, a block's test id or accessible label names it as chrome; 68: a line set wholly in bold over a paragraph is a subheading, kept beside chrome; 69: a web page's character references read as their characters where sentences end ("Monday.&nbsp; Supplies", "it.&rdquo; The"), a link within the page whose text is a mark in brackets is a footnote's mark; 70: a block a page names as its comment thread is comments, a heading linked that is the page's title is text, "Listen to this post", "View this email in your browser" and "Subscribe for free" are chrome, "You may also enjoy" opens a related section; 71: an email's quotation in a text file runs on across its lines; 72: and a memo's or an email's fields ("From: ...", "Date: ...") do not; 73: a note app's links, highlights, block ids, embeds and titled callouts read as the app shows them, a quotation's sentence ending at a line end ends there; 74: a paged text's running headers, footers and page numbers, and a contents entry's leaders, are chrome; 75: a feedback box, a post's counters and a press release's media contacts are chrome; 76: a sentence may open with an amount ("£170,000 is"); 77: a reference's label ("[RFC2119]  ...") hangs its wrapped lines as a list marker does; 78: a notebook's prompts and a reading time are chrome, "Recommended from …" opens a related section; 79: a sentence a page break cuts runs on over it; 80: the sentences' words, for spelling correction; 81: the words they capitalise, for questions typed in lower case; 82: and which of them only as part of a longer name; 83: a form feed within a line leaves the offsets after it as they were; 84: a page without a <title> is titled by its paragraph marked as the title; 85: a document export's reviewers' comments are comments; 86: and its running header and footer are chrome; 87: "v2.3.0" is the version "2.3.0"; 88: a heading stands in the section of the heading it is ranked under; 89: what a page says twice is kept where it stands, but for a stretch it repeats or a sentence said again straight away; 90: a line of code (in a Markdown fence, a web page's <pre>, set in four columns or more) opens and ends no section; 91: a month's abbreviation beside a number or a month ("Jan–Sep", "3 Jan 2024") is the month's term; 92: the acronyms the sentences define (acronyms.json); 93: a "Tags" or "Topics" heading with prose under it is the document's own section, no footer; 94: an <aside> within an <article> is its text, unless a pull quote; 95: a sentence telling the reader to install an app is text, only a button or banner for one is chrome; 96: a sentence ending "3 weeks ago." is text, a time stamp is chrome; "... can do for you" only of an AI; 97: "What do you think?" or "Join the discussion" opens a thread only when replies follow, a book's formats alone make no ad; 98: <details>, <summary>, <caption>, <aside>, <footer>, <address>, <fieldset> and <legend> are blocks; 99: an acronym defined the other way round, "the CAB (Change Advisory Board)"; 100: a Markdown code fence with any info string ("```js title=\"app.js\"", "``` yaml"), or of four backticks around three, is found as a renderer finds it; 101: an admonition between colons (":::tip Title", ":::{note}", then ":::") reads as Docusaurus and MyST show it; 102: .mdx files are read, as Markdown without their import and export statements and component tags; 103: a heading about copyright ("Copyright notice for the tide data") is no copyright line, which a year, a sign or "all rights reserved" makes; 104: a "Read more" said after each of several stories is each one's link, no heading over the rest; 105: prose straight under a Markdown "See also" or "Latest news" heading is the file's own section; 106: a text too short to tell its wrap width by runs a long line on into the next when it stops on a word before one in lower case; 107: a page's account links ("Sign in", "Log in to comment"), print button, cookie banner and "© 2026 ..." line are chrome; 108: a text of one sentence a line is not read as wrapped, and a news page's "Story continues below advertisement" is chrome; 109: a cookie notice is chrome only when it names the site's cookies and the reader's agreement ("If you agree that cookies are best warm" is text); 110: a word a text file breaks over two lines with a hyphen reads whole where a dictionary holds it ("col-" / "lection"); 111: an .mdx page's component tags within a line ("<Link to=...>the guide</Link>") are no text; 112: a wiki's "Like" button, "Be the first to like this" and "Printed by ..." are chrome; 113: a teaser between a story's paragraphs ("READ MORE: ...", "Also read | ...") is chrome; 114: an item marked "●", "○" or "▪", as a word processor's text marks it, is a list item; 115: a site generator's template tags in Markdown ("{{< notice >}}", "{% include %}") are no text, a heading's or an item's number alone ("## 1. Introduction", "**2. Costs**", "3\. Costs") ends no sentence, a Markdown code block's sentences are read as written (Sentence.code) and a backslash escape as its character; 116: a Markdown page's title is its first heading of the first rank as a renderer shows it (without badges, marks or links; a logo's name; never its front matter's fields), and a heading's closing marks ("## Fees ##") are no text; 117: a private-use character beside a Markdown escape (an icon font's) reads as itself; 118: a web page's <pre> lines are code (Sentence.code) too; 119: a Markdown file's indented code blocks and a reStructuredText file's literal blocks are code, a line a sentence, and no line of code is dropped as a repeat of the page; 120: a number opening a web page's line is its text ("<h2>1. Introduction</h2>"); 121: a table cell holding a block lays out the page, its edges part lines; a row of account controls ("Subscribe | Sign in") and a "You are here:" trail are chrome; 122: a file's byte order mark is read as a line break, so a Markdown heading or front matter after it is one; 123: values parted by tabs are a table's rows under its first line; 124: MediaWiki's templates, references, categories, file links and magic words in a text file are no text, and a text opening with a paragraph is titled by its file's name; 125: Markdown's emphasis ("*must*", "_not_") reads as its words, a <br> in a table's cell ends no row; 126: a blog's "Like this:" widget and "Leave a Reply" form heading are chrome; 127: a template tag within a Markdown sentence is no text; 128: Pandoc's attributes, bracketed spans, inline notes, div fences and table captions read as Pandoc shows them; 129: a web page's <pre> lines are never run together as a wrapped paragraph; 130: a Markdown definition (": ..." under its term) is a sentence of its own, read under its term; 131: a Markdown block set four columns past a list item's text is code; 132: a web page's date, author and outlet as its head and byline state them, a page in its declared encoding, Wikipedia's current reference marks ("&#91;2&#93;", "[citation needed]") and edit links ("<a><span>edit</span></a>") are no text, a table row beside chrome is kept, a heading linking home names the site; 133: an HTML table's row set on one line in Markdown is a row under its header, its cells parted by bars; 134: a page's heading that says its title is never a fragment beside chrome, a MediaWiki's portlets are chrome; 135: and one set a cell a line, read as one line; 136: an Asciidoctor page's revision date is its date; 137: a button in a heading (an accordion's question) is the heading's text; 138: a block named "noprint" (a MediaWiki's tagline) or "revision" (a docs page's revision dates) is chrome; 139: an HTML table's row as the table shows it, with the cells of rows above that span down into it (Sentence.shown_row); 140: and so in Markdown, a cell spanning no further than its row group; 141: a word capitalised beside another across an ampersand ("People & Culture") is capitalised as part of that name; 142: a web page's author as an element its class names as the author's states it (a wiki export's "Created by"), before any comment thread

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class IndexSpec:
    """Everything that shapes the vectors and chunks of an index."""

    embedding_model: str
    chunk_tokens: int
    chunk_overlap: int
    tokenizer: str
    format_version: int = FORMAT_VERSION


@dataclass(frozen=True)
class FileRecord:
    fingerprint: str
    size: int
    sentences: int
    chunks: int
    comments: int = 0


@dataclass
class Manifest:
    spec: IndexSpec
    generation: str  # sub-folder holding this build's stores
    embedding_dim: int = 0
    embedding_version: str = ""
    files: dict[str, FileRecord] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # source -> reason
    built_at: str = ""
    corpus: str = ""

    @property
    def sentences(self) -> int:
        return sum(f.sentences for f in self.files.values())

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files.values())

    def compatible_with(self, spec: IndexSpec) -> bool:
        return self.spec == spec

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Manifest":
        return cls(
            spec=IndexSpec(**data["spec"]),
            generation=data["generation"],
            embedding_dim=data.get("embedding_dim", 0),
            embedding_version=data.get("embedding_version", ""),
            files={k: FileRecord(**v) for k, v in data.get("files", {}).items()},
            skipped=dict(data.get("skipped", {})),
            built_at=data.get("built_at", ""),
            corpus=data.get("corpus", ""),
        )


def read_manifest(index_dir: Path) -> Manifest | None:
    """The index's manifest, or None when there is no (readable) index."""
    path = Path(index_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest.from_json(data)
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        # A manifest from an incompatible version reads as "no index", which
        # triggers a rebuild instead of a crash.
        return None


def write_manifest(index_dir: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically: readers see the old or the new one."""
    index_dir = Path(index_dir)
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".manifest-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(manifest.to_json(), fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / MANIFEST_NAME)
