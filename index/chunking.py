"""From a cleaned document to sentences and token-bounded chunks."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import os
import re
import unicodedata
from typing import Callable, Protocol

from index import clean, fences, rst
from index.clean import is_markdown, is_rst, is_web_page
from index.sentences import ALERT_LABEL, BULLET, COLUMNS, FOOTNOTE_MARK, QUOTE_MARKS, indent, split_spans
from index.terms import is_english_word
from index.types import Chunk, Document, Segment, Sentence


def plain(text: str) -> str:
    """A quote as a reader sees it: markup removed, entities decoded, spaces folded."""
    if "<" in text or "&" in text:
        text = html.unescape(clean.TAG.sub(" ", text))
    return " ".join(text.split())


class Quoted(Protocol):
    """A stretch of a file as it is cited: a Sentence, or the evidence made of one."""

    @property
    def source(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def code(self) -> bool: ...
    @property
    def shown_row(self) -> str: ...


def sentence_words(sentence: Quoted) -> str:
    """A sentence as a reader sees it, ends trimmed: what its answer shows and its terms are read from
    (a table row with the cells spanned down into it, as the table shows it: Sentence.shown_row)."""
    return sentence.shown_row or readable(sentence.source, sentence.text, sentence.code).strip()


def model_text(sentence: Sentence) -> str:
    """What the embedding model and the chunk sizes read of a sentence."""
    return plain(sentence_words(sentence))


def readable(source: str, text: str, code: bool = False) -> str:
    """A stretch of ``source``'s text as a reader sees it: a web page's markup
    and entities decoded, Markdown's heading marks, links, code ticks, bold
    marks, HTML tags and a table row's outer bars taken off, a backslash escape
    ("3\\.2", "hi\\-vis") as its character, line breaks and runs of spaces as
    one space.

    Quotes and offsets keep the file's text exactly; this is for showing it.
    A space at either end stays, so pieces shown side by side stay apart.
    ``code`` (the text of a Markdown code block or a reStructuredText literal
    block, see Sentence.code) is shown as written, its line breaks as spaces.
    """
    if code and not is_web_page(source):
        return re.sub(r"\s+", " ", text)
    if is_web_page(source):
        if "<" in text or "&" in text:
            # A block tag parts words; an inline one ("<code>f</code>.") does not;
            # a table's cells are parted by bars. A pilcrow is a heading's
            # permalink ("Contents¶"), not text.
            text = clean.CELL_TAG.sub(" | ", clean.digit_scripts(text))
            text = html.unescape(clean.TAG.sub("", clean.BLOCK_TAG.sub(" ", text))).replace("¶", "")
        if text.lstrip().startswith("| "):
            text = text.replace("| ", "", 1)  # a row's first cell has no bar before it
    elif is_markdown(source):
        escaped = "\\" in text
        if escaped:
            text = _MD_ESCAPE.sub(_held, text)
        quoted = _MD_QUOTE.sub("", text)
        if quoted != text:  # a quotation's own list item or heading: its marks are no text either
            text = _MD_QUOTED_ITEM.sub("", quoted)
        text = clean.MD_COMMENT.sub("", text)
        if _MD_HEADING.match(text):
            text = _MD_HEADING_CLOSE.sub("", _MD_HEADING.sub("", text))
        text = ALERT_LABEL.sub(lambda m: m.group(1).capitalize(), text)
        text = _MD_ADMONITION.sub(lambda m: m.group(2) or m.group(1).capitalize(), text)
        if ":::" in text:
            text = _MD_DIRECTIVE.sub(lambda m: (m.group(2) or m.group(3) or m.group(1).capitalize()) if m.group(1) else "", text)
        text = _MD_TASK.sub(lambda m: "☐ " if m.group(1) == " " else "☑ ", text)
        if "^[" in text:
            text = _MD_INLINE_NOTE.sub(r" (\1)", text)
        text = _MD_FOOTNOTE.sub("", text)
        text = _MD_CAPTION.sub("", text)
        text = clean.MD_IMAGE.sub(r"\1", text)
        text = _MD_AUTOLINK.sub(r"\1", text)
        text = clean.MD_LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
        if "<" in text and clean.is_mdx(source):
            text = _JSX_TAG.sub(lambda m: "" if _is_component(m, text) else m.group(0), text)
        if "{" in text or "*" in text or "_" in text:
            text = _outside_code(text, _without_inline_marks)
        text = _MD_CODE.sub(_code, text)
        text = _MD_BOLD.sub(r"\1", text)
        if "[[" in text or "==" in text or "^" in text:
            text = _MD_WIKILINK.sub(lambda m: m.group(2) or m.group(1).split("#")[0], text)
            text = _MD_BLOCK_ID.sub("", _MD_HIGHLIGHT.sub(r"\1", text))
        if "<" in text:
            # HTML in Markdown: a break or a block parts words, an inline tag ("<b>Linux</b>") does not,
            # and a table's cells are parted by bars, as a page's are.
            text, cells = clean.CELL_TAG.subn(" | ", text)
            text = _MD_INLINE_TAG.sub("", _MD_BLOCK_TAG.sub(" ", clean.digit_scripts(text)))
            if cells and text.lstrip().startswith("| "):
                text = text.replace("| ", "", 1)  # a row's first cell has no bar before it
        if _MD_ROW.match(text):
            text = " | ".join(cell.strip() for cell in text.strip().strip("|").split("|"))
        if escaped:
            text = text.translate(_RELEASED)
    else:
        text = clean.strip_wiki_marks(text, rst_file=is_rst(source) or (clean.is_plain_text(source) and rst.marked_inline(text)))
        if "\n" in text:
            text = _QUOTED_LINE.sub("\n", text)  # an email's quotation run on across its lines: its marks are no text
        if "\f" in text:
            text = _over_page_breaks(text)
        text = dehyphenated(text)
        if _TEXT_ROW.match(text):
            text = " | ".join(cell.strip() for cell in _TEXT_CELL.split(text.strip()[1:-1]))
        elif "\t" in text.strip() and "\n" not in text.strip():
            text = " | ".join(cell.strip() for cell in text.strip().split("\t"))  # a spreadsheet's row, its cells parted by tabs
    return re.sub(r"\s+", " ", text)


# A word a text breaks over two lines with a hyphen, as a PDF's text does ("col-" / "lection").
_HYPHEN_BREAK = re.compile(r"\b([A-Za-z]+)-[ \t]*\n[ \t]*([a-z]+)\b")
_PARTING = frozenset({"and", "or", "nor", "to", "than", "as"})  # "pre- and post-war", "one- to two-day"


def dehyphenated(text: str) -> str:
    """``text`` with each word broken over two lines with a hyphen whole again
    ("col-" / "lection" reads "collection", "Sep-" / "tember" "September") when
    a dictionary holds it; else the hyphen is the word's own ("forty-" / "two"
    reads "forty-two"), or parts two words ("pre-" / "and post-war" is left)."""
    if "-" not in text or "\n" not in text:
        return text

    def whole(m: re.Match[str]) -> str:
        word = m.group(1) + m.group(2)
        if is_english_word(word.lower()):
            return word
        compound = is_english_word(m.group(2)) and m.group(2) not in _PARTING and len(m.group(1)) > 1
        return m.group(1) + "-" + m.group(2) if compound else m.group(0)

    return _HYPHEN_BREAK.sub(whole, text)


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _over_page_breaks(text: str) -> str:
    """A sentence that runs on over a page break (index.clean: a text set in
    pages) without the running footer and header that stand between, set off
    by blank lines: "added to our" / "Page 3 of 4" / form feed / "Annual
    Report 2025" / "reserves." reads "added to our reserves."."""
    pages = text.split("\f")
    out = pages[0]
    for page in pages[1:]:
        before = out.rstrip()
        blanks = list(_BLANK_LINE.finditer(before))
        if blanks and _furniture(before[blanks[-1].end() :]):
            before = before[: blanks[-1].start()]
        after = page
        blank = _BLANK_LINE.search(after.lstrip(" \t"))
        if blank and _furniture(after.lstrip(" \t")[: blank.start()]):
            after = after.lstrip(" \t")[blank.end() :]
        out = before + "\n" + after
    return out


def _furniture(lines: str) -> bool:
    """Whether ``lines`` may be a running footer or header: as many lines as
    stand at a page's edge (index.clean.PAGE_EDGE), each a few words."""
    return all(len(line.split()) <= 12 for line in lines.splitlines()) and len(lines.strip().splitlines()) <= clean.PAGE_EDGE


_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MD_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")  # "## Fees ##": a heading's closing marks
_QUOTED_LINE = re.compile(r"\n" + QUOTE_MARKS)
# A note app's (Obsidian's) Markdown: a link to another note by its name ("[[Project
# Heron]]", "[[Meeting 2026-02-11|last meeting]]" shows "last meeting"), a
# highlight ("==normal on Mondays=="), a paragraph's id for links to it ("... May. ^f9e8d7").
_MD_WIKILINK = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")
_MD_HIGHLIGHT = re.compile(r"(?<![\w=])==(?=\S)([^=\n]+?)(?<=\S)==(?![\w=])")
_MD_BLOCK_ID = re.compile(r"\s\^[A-Za-z0-9-]{3,}\s*$", re.M)
# What GitHub's and MkDocs' Markdown show otherwise: a quotation's ">" at each
# line's start, an alert's label ("> [!WARNING]" shows "Warning"), an
# admonition's ('!!! tip "Faster builds"' shows its title, or "Tip"), a task's
# box ("[x]" shows ticked) and a footnote's mark ("here[^1]." and "[^1]: The
# note ..."). Struck-out text keeps its tildes: shown plain, it would read as said.
_MD_QUOTE = re.compile("^" + QUOTE_MARKS, re.M)
_MD_ADMONITION = re.compile(r'^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+([\w-]+)(?:[ \t]+"([^"]*)")?[ \t]*$', re.M)
# A Markdown backslash escape outside code: the character it escapes, shown as
# itself and read as no markup ("\*" no emphasis, "3\." no list item), as
# Google Docs' Markdown export escapes every full stop and hyphen. It is held
# in a plane of private use while the markup is read, then released: the
# supplementary one, which no text or icon font writes in (icons take U+E000 on).
_MD_ESCAPE = re.compile(rf"({clean.CODE_SPAN.pattern})|\\([!-/:-@\[-`{{-~])")
_HELD = 0xF0000
_RELEASED = {_HELD + c: c for c in range(0x21, 0x7F)}


def _held(m: re.Match[str]) -> str:
    return m.group(1) or chr(_HELD + ord(m.group(2)))


# Docusaurus's and MyST's admonitions between colons (":::tip Faster builds",
# ":::note[Your title]", ":::{warning}", then ":::"): the title, or the type; the closing line nothing.
_MD_DIRECTIVE = re.compile(r"^[ \t]*:{3,}[ \t]*(?:\{[.#][^}\n]*\}|\{?([A-Za-z][\w-]*)\}?(?:\[([^\]\n]*)\]|[ \t]+([^\n]*?))?)?[ \t]*$", re.M)
# Pandoc's Markdown, as it writes a word processor's document: attributes
# ("# Summary {#summary}", "`x`{.python}", "[Harwick]{.smallcaps}", whose
# words show), an inline note ("^[Including four on loan.]", shown in
# brackets where it stands) and a table's caption (": Fleet by type").
_MD_ATTRIBUTE = r"(?:[.#][\w:-]+|[\w-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s}]+))"
_MD_ATTRIBUTES = re.compile(rf"[ \t]*\{{{_MD_ATTRIBUTE}(?:[ \t]+{_MD_ATTRIBUTE})*\}}")
_MD_SPAN = re.compile(rf"\[([^\]\n]+)\](?=\{{{_MD_ATTRIBUTE})")
_MD_INLINE_NOTE = re.compile(r"\^\[([^\]\n]+)\]")
_MD_CAPTION = re.compile(r"^[ \t]*:[ \t]+(?=\S)")
_MD_QUOTED_ITEM = re.compile(rf"^[ \t]*{BULLET}[ \t]+(?=\S)")
_MD_TASK = re.compile(r"^[ \t]*\[([ xX])\][ \t]+")
_MD_FOOTNOTE = re.compile(rf"^[ \t]*{FOOTNOTE_MARK}:[ \t]*|{FOOTNOTE_MARK}(?!:)", re.M)
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
# An MDX page's component tags within a line ("see <Link to="/x">the guide</Link>"): a
# name in capitals, as JSX tells a component from HTML.
_JSX_TAG = re.compile(r"<(/?)([A-Z][\w.]*)(\s[^<>]*)?(/?)>")


def _is_component(m: re.Match[str], text: str) -> bool:
    """Whether a tag-like ``m`` is a component's: one with attributes, closing, closed in
    itself, or closed later (not "List<String>" in prose about code)."""
    return bool(m.group(1) or m.group(3) or m.group(4)) or f"</{m.group(2)}>" in text


# Code ticks, and a MyST role's ("{any}`--no-deps`", "{ref}`Installing <install>`"),
# as Sphinx's Markdown writes a cross-reference or a footnote's mark ("{sup}`1`").
_MD_CODE = re.compile(r"(?:(?<!\$)\{([\w:.+-]+)\})?`([^`]+)`")  # not a template's "${name}`"
_ROLE_TITLE = re.compile(r"^(.+?)\s*<[^<>]+>$")
_MD_ROW = re.compile(r"^\s*\|.*\|\s*$")  # a table row: its cells, without the outer bars
# A wiki's table row in a text file: cells parted by bars, a header's by carets, two cells or more.
_TEXT_ROW = re.compile(r"^\s*[|^](?:[^|^\n]*[|^]){2,}\s*$")
_TEXT_CELL = re.compile(r"\||(?<=\s)\^(?=\s)")
# HTML a Markdown file may hold, by name: "<file>" in a usage line is not a tag.
_MD_BLOCK_TAG = re.compile(r"</?(?:br|p|div|details|summary|center|picture|source|hr|table|tr|td|th|ul|ol|li|h[1-6])\b[^>]*>", re.I)
_MD_INLINE_TAG = re.compile(r"</?(?:b|i|u|em|strong|sup|sub|small|kbd|code|a|img|span|font|mark|del|ins|s|abbr|tt|big|nobr|wbr)\b[^>]*>", re.I)
_MD_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")  # not __: Python's __init__ is a name
# Emphasis: "*must*", "_not_". Never within a word ("snake_case", "a*b*c") nor
# around a space ("5 * 3 * 2"), nor a double mark ("__init__", "**kwargs").
_MD_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?![\s*])([^*\n]+?)(?<![\s*\\])\*(?![\w*])|(?<![\w\\])_(?![\s_])([^_\n]+?)(?<![\s_\\])_(?!\w)")


def _without_inline_marks(text: str) -> str:
    """Markdown outside code without a site generator's template tags, Pandoc's
    attributes (a bracketed span's words kept) and emphasis marks."""
    if "{" in text:
        text = _MD_ATTRIBUTES.sub("", _MD_SPAN.sub(r"\1", clean.TEMPLATE_TAG.sub("", text)))
    if "*" in text or "_" in text:
        text = _MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    return text


def _outside_code(text: str, rewrite: Callable[[str], str]) -> str:
    """``text`` with ``rewrite`` applied to what stands outside its code spans ("`*/bin/*`" stays)."""
    parts = clean.CODE_SPAN.split(text)
    if len(parts) == 1:
        return rewrite(text)
    spans = clean.CODE_SPAN.findall(text)
    return "".join(rewrite(part) + (spans[k] if k < len(spans) else "") for k, part in enumerate(parts))


def _code(m: re.Match[str]) -> str:
    role, shown = m.group(1), m.group(2)
    if role is None:
        return shown
    titled = _ROLE_TITLE.match(shown)
    if titled:
        shown = titled.group(1)  # the title it shows, not the target it links to
    return clean.scripted(role, shown) if role.lower() in ("sup", "sub") else shown.lstrip("~!")


def normalize(text: str) -> str:
    """Comparison key for spotting repeated sentences."""
    text = unicodedata.normalize("NFKC", plain(text)).lower()
    return re.sub(r"[^\w]+", " ", text).strip()


def stable_id(*parts: str) -> str:
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8"))
    return h.hexdigest()[:24]


# Words that, early in a sentence, point back at the one before it.
_REFERENCE = re.compile(r"^(?:\W*\w+\W+){0,3}?(he|she|it|they|him|her|his|its|their|them|this|that|these|those|such)\b", re.I)


def opens_with_reference(text: str) -> bool:
    """Whether a sentence leans on the previous one ("All he agreed to was ...")."""
    return bool(_REFERENCE.match(text))


def embedding_text(sentence: Sentence, previous: Sentence | None, lead: Sentence | None = None) -> str:
    """What a sentence is embedded as: under its lead (see Sentence.lead), or
    with the sentence before when it refers back.

    "All he apparently agreed to was ..." means little alone; with the
    sentence naming "he" it can be found by a question about that person.
    """
    if lead is not None:
        return f"{model_text(lead)} {model_text(sentence)}"
    if previous is not None and previous.kind == sentence.kind and opens_with_reference(sentence.text):
        return f"{model_text(previous)} {model_text(sentence)}"
    return model_text(sentence)


def is_table_row(source: str, text: str) -> bool:
    """Whether a sentence is a row of a table (a table row is one line): a Markdown or
    HTML table's, or in a text file a wiki's ("^ Route ^ First ^" over "| A | 05:40 |")."""
    if is_markdown(source):
        # A pipe table's, or an HTML table's row set on one line within the Markdown
        # (a row set a cell a line is read a cell a sentence, as before: no row's lead).
        return bool(_MD_ROW.match(text) or len(clean.CELL_TAG.findall(text)) >= 2)
    if is_web_page(source):
        return bool(clean.CELL_TAG.search(text))
    return bool(_TEXT_ROW.match(text))


# What opens the block a sentence starts: a list item, a definition's term
# or its definition, a heading. In a page, the last tag before the sentence
# (other tags and spaces may follow it); elsewhere, the line's list marker.
_HTML_OPENER = re.compile(r"<(li|dd|dt|h[1-6])\b[^>]*>(?:\s|<[^>]*>)*\Z", re.I)
_UNDERLINE = re.compile(r"[ \t]*(?:={3,}|-{3,})[ \t]*(?:\n|\Z)")
_DEFINITION_MARK = re.compile(r"[ \t]{0,3}:[ \t]+")
_LIST_MARKER = re.compile(rf"[ \t>]*{BULLET}[ \t]+(?:\[[ xX]\][ \t]+)?")  # with a task list's box
# A term a plain-text block is indented under: one short indented line that
# does not end a sentence, one word or a name in code's spelling
# ("TAPE", "-f, --file=ARCHIVE", "--progress[=N]").
_TERM_LINE = re.compile(r"[^!?:;]{1,60}(?<![.!?:;,])")
_TERM_MARK = re.compile(r"[-_=$\[<>/@]")
# A numbered heading of plain text ("3. Costs" at the margin, a blank line under it).
_NUMBERED = re.compile(r"\d{1,2}[.)][ \t]+")
_TERM_END = re.compile(r"[.!?:;,]$")
# A name in code, alone: Markdown's "`--no-deps`", reStructuredText's "``--no-deps``"; not a
# command ("`node --v8-options`"), which is an example. Or a title in bold ("**Example 2:
# Copying a local file to S3 with an expiration date**"), not a sentence in bold.
_LABEL = re.compile(r"(`{1,2})[^`\s]{1,60}\1|\*\*[^*\n]{1,100}(?<![.!?:;,])\*\*")
# The same on a web page: a paragraph holding only a title in bold or a name in code,
# and the paragraph that follows it.
_HTML_LABEL_OPEN = re.compile(r"<p\b[^>]*>\s*<(strong|b|code)\b[^>]*>\s*\Z", re.I)
_HTML_LABEL_TO_NEXT = re.compile(r"\s*</(?:strong|b|code)\s*>\s*</p\s*>\s*<p\b[^>]*>\s*", re.I)
_HTML_LABEL_TEXT = re.compile(r"[^<>\n]{1,100}(?<![.!?:;,])")
# An HTML table's row and its cells, for the cells that span rows ("<td rowspan="2">Monday</td>").
_ROW_OPEN = re.compile(r"<tr[\s>]", re.I)
_ROW_CLOSE = re.compile(r"</tr\s*>|<tr\b|</t(?:body|head|foot|able)\s*>", re.I)
_SPAN = re.compile(r"\b(row|col)span\s*=\s*[\"']?(\d+)", re.I)
_ROW_GROUP = re.compile(r"</?t(?:body|head|foot|able)\b", re.I)
_ROW_LOOKBACK = 4000  # characters before a row's first cell's text where its <tr> may open (attributes, markup)
# A plain-text table: its lines in columns (index.sentences.COLUMNS, which keeps
# them apart), its header underlined by a ruler.
_RULER = re.compile(r"[ \t]*[-=+|]{3,}[-=+| \t]*")
_TERM_LOOKBACK = 40  # lines read back from a sentence at most; a line of the same block above passes on its term, so a long description keeps it


class _Leads:
    """Finds each sentence's lead as a document's sentences come, in order.

    A table row's is the table's first row (its header); a definition's
    (``<dd>``) the term before it (``<dt>``); a list item's, and every item
    of its list, the heading the list hangs from. A list item's or a
    definition's later sentences are read under its first ("Defaults to 5."
    under the setting it ends the item of), and so are the paragraphs
    indented under a list item's text (a FAQ's "12. Can zlib handle .Z
    files?" over its answer). In plain text, a block indented
    under an indented term (a word, or a name in code's spelling) is that
    term's definition: a manual's option and what it does; and a table set
    in columns has its rows under the header its ruler underlines. Nothing
    else has one: a paragraph under a heading is about more than its heading
    says.
    """

    def __init__(self, doc: Document, masked: str) -> None:
        self.doc, self.masked = doc, masked
        self.table = -1  # position of the current table's first row
        self.spans: list[list] = []  # the current HTML table's cells spanning rows below: [column, rows left, text]
        self.row_end = 0  # where the last HTML table row read ends
        self.shown_row = ""  # the row :meth:`lead` was last asked about as its table shows it (Sentence.shown_row)
        self.list_lead: int | None = None  # the current list's lead (-1: none), None outside a list
        self.item: int | None = None  # position of the first sentence of the list item or definition going on
        self.item_column = 0  # where the list item's text starts on its line: its later paragraphs are indented to it
        self.text_table: int | None = None  # position of the header of the plain-text table going on
        self.terms: dict[int, int] = {}  # a plain-text line's start: the term its block is indented under (see _term)
        self.plain_text = not is_web_page(doc.source) and not is_markdown(doc.source)
        self.rst = is_rst(doc.source, doc.text)
        self.previous: tuple[Sentence, str] | None = None  # the last sentence and what opened its block
        self.opener = ""  # what opened the block of the sentence last asked about
        self.section = -1  # position of the heading of the section going on
        # The headings going on, outermost first, with their ranks (1 for "#" or <h1>): a
        # heading's section is the one it stands in ("### Fixes" under "## 2.14.0 (2026-10-08)").
        self.outline: list[tuple[int, int]] = []
        self.rank = 0  # the rank of the heading :meth:`_opener` last found (0: none, or not known)
        # Where "# ..." is a comment, not a heading (of the text cleaning read: one scan for both).
        self.code = clean.code_blocks(doc.source, doc.text, masked)

    def lead(self, start: int, raw: str, out: list[Sentence]) -> int:
        """The lead of the sentence at ``start`` (-1 for none); call :meth:`kept` once it is made."""
        opener = self.opener = self._opener(start)
        self.shown_row = ""
        prev, prev_opener = self.previous if self.previous else (None, "")
        gap = self.masked[prev.end : start] if prev is not None else "\n\n"
        lead = -1
        table_row = is_table_row(self.doc.source, raw)  # a Markdown or HTML table's, with its own header
        if not table_row and self._aligned_row(start, raw):
            # A table set in plain text: its rows under the header its ruler
            # underlines, or under the line that introduces them with a colon
            # ("xargs exits with the following status:" over "127    if the
            # command is not found", which alone does not say what 127 is).
            if self.text_table is not None and prev is not None and self._next_row(prev.end, start):
                lead = self.text_table
            elif prev is not None and prev.text.rstrip().endswith(":") and self._own_line(prev) and self._next_row(prev.end, start):
                lead = self.text_table = prev.position
            else:
                self.text_table = len(out) if self._ruled_below(start) or self._heads_tab_separated(start, raw) else None
            if lead >= 0 or self.text_table is not None:
                self.table, self.list_lead, self.item = -1, None, None
                return lead
        else:
            self.text_table = None
        if table_row:
            if self.table < 0:
                self.spans = []
            self.table = self.table if self.table >= 0 else len(out)
            lead = self.table if self.table < len(out) else -1
            self.shown_row = self._shown_row(start)
            self.list_lead = self.item = None
        elif opener == "li":
            self.table = -1
            if self.list_lead is None:
                # Only a heading: a sentence ending in a colon brings its list itself
                # (qa.extractive), and its many words would count for every item.
                self.list_lead = prev.position if prev is not None and prev_opener == "h" else -1
            lead = self.list_lead
            self.item = len(out)
            self.item_column = len(self._line_before(start).expandtabs(8))
        elif opener == "dd" and prev_opener == "dt" and prev is not None:
            self.table, self.list_lead = -1, None
            lead = prev.position
            self.item = len(out)
        elif not opener and self.item is not None and self._item_paragraph(gap, start):
            lead = self.item  # "12. Can zlib handle .Z files?" over its answer, indented under it
        elif not opener and prev is not None and not prev_opener and self._labels(prev, gap, start):
            # "``--force-reinstall``" or "**Example 2: ...**" as a paragraph of its own, then what
            # it does: read under it.
            self.table, self.list_lead = -1, None
            lead = prev.position
            self.item, self.item_column = len(out), 0
        # A page's own line breaks are spaces in the masked text: a break there is a block's end.
        elif opener or "\n\n" in gap or (is_web_page(self.doc.source) and "\n" in gap):
            self.table, self.list_lead, self.item = -1, None, None  # a new block, not an item's second sentence
        elif self.item is not None:
            if self._within_item(start):
                lead = self.item
            else:
                self.item = None
        if lead < 0 and self.plain_text and not opener:
            lead = self._term(start, out)
        return lead

    def _shown_row(self, start: int) -> str:
        """The HTML table row at ``start`` as its table shows it, when cells of rows
        above span down into it (``rowspan``): their text in their columns among
        its own cells' ("" when none does); and this row's cells that span down,
        kept for the rows below."""
        text = self.doc.text
        opened = None
        # The row's <tr> stands before its first cell's text, or (in Markdown) opens the sentence.
        for opened in _ROW_OPEN.finditer(text, max(0, start - _ROW_LOOKBACK), start + 4):
            pass
        cells = text.find(">", opened.start()) + 1 if opened else 0
        if opened is None or _ROW_CLOSE.search(text, cells, start):
            return ""  # a Markdown table's row: no <tr> of its own
        if _ROW_GROUP.search(text, self.row_end, opened.start()):
            self.spans = []  # a cell spans no further than its row group (<tbody>, <thead>), as browsers show it
        closed = _ROW_CLOSE.search(text, max(start, cells))
        self.row_end = closed.start() if closed else len(text)
        row = text[cells : self.row_end]
        if not self.spans and not _SPAN.search(row):
            return ""  # most tables: no cell spans a row, none needs reading
        above = [s for s in self.spans if s[1] > 0]
        taken = {s[0] for s in above}
        shown = [(s[0], s[2]) for s in above]
        column = 0
        below = []
        opens = list(clean.CELL_TAG.finditer(row))
        for k, cell in enumerate(opens):
            while column in taken:
                column += 1
            words = readable(self.doc.source, row[cell.end() : opens[k + 1].start() if k + 1 < len(opens) else len(row)]).strip()
            shown.append((column, words))
            span = {a.group(1).lower(): int(a.group(2)) for a in _SPAN.finditer(cell.group(0))}
            if span.get("row", 1) > 1:
                below.append([column, span["row"] - 1, words])
            column += max(span.get("col", 1), 1)
        for s in above:
            s[1] -= 1
        self.spans = [s for s in self.spans if s[1] > 0] + below
        return " | ".join(words for _, words in sorted(shown, key=lambda c: c[0]) if words) if above else ""

    def _labels(self, prev: Sentence, gap: str, start: int) -> bool:
        """Whether ``prev`` is a name in code or a title in bold standing as a paragraph of
        its own (Markdown's "`--no-deps`", reStructuredText's "``--no-deps``", a page's
        "<p><strong>Freeze</strong></p>") right over the paragraph at ``start``, at its
        indent: what that paragraph says is said of it."""
        if is_web_page(self.doc.source):
            raw = self.doc.text
            opened = _HTML_LABEL_OPEN.search(raw, max(0, prev.start - 200), prev.start)
            return bool(
                opened
                and _HTML_LABEL_TO_NEXT.fullmatch(raw, prev.end, start)
                and _HTML_LABEL_TEXT.fullmatch(prev.text)
                and (opened.group(1).lower() != "code" or " " not in prev.text)
            )
        if not (is_markdown(self.doc.source) or self.rst) or not _LABEL.fullmatch(prev.text):
            return False
        if gap.count("\n") != 2 or gap.strip() or not self._own_line(prev):
            return False
        return indent(self._line_before(start)) == indent(self._line_before(prev.start))

    def _title_line(self, start: int) -> bool:
        """Whether the line from ``start`` is a title on its own: a few words, no closing stop, a blank line after."""
        text = self.doc.text
        end = clean.line_end(text, start)
        title = text[start:end].strip()
        after = text[end + 1 : clean.line_end(text, end + 1)] if end < len(text) else ""
        return bool(title) and len(title.split()) <= 8 and not _TERM_END.search(title) and not after.strip()

    def _line(self, start: int, end: int) -> tuple[int, int]:
        text = self.masked
        line_end = text.find("\n", end)
        return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end

    def _aligned_row(self, start: int, raw: str) -> bool:
        """Whether a sentence is a line of its own set in columns (index.sentences.COLUMNS)."""
        if "\n" in raw or not COLUMNS.search(raw.strip()):
            return False
        a, b = self._line(start, start + len(raw))
        return not self.masked[a:start].strip() and not self.masked[start + len(raw) : b].strip()

    def _line_below(self, line_end: int) -> str:
        """The line after the one ending at ``line_end`` ("" past the text's end)."""
        return self.masked[line_end + 1 : clean.line_end(self.masked, line_end + 1)] if line_end < len(self.masked) else ""

    def _ruled_below(self, start: int) -> bool:
        _, b = self._line(start, start)
        return bool(_RULER.fullmatch(self._line_below(b)))

    def _heads_tab_separated(self, start: int, raw: str) -> bool:
        """Whether the line at ``start`` heads values a spreadsheet's export parts
        with tabs: the next line has as many cells ("Site<TAB>Opened<TAB>Staff"
        over "Harwick depot<TAB>1998<TAB>42")."""
        a, b = self._line(start, start + len(raw))
        line = self.masked[a:b].strip()
        return "\t" in line and len(self._line_below(b).strip().split("\t")) == len(line.split("\t"))

    def _next_row(self, end: int, start: int) -> bool:
        """Whether nothing but line breaks (blank lines, a ruler) part a row from the one before."""
        lines = self.masked[end:start].split("\n")
        return len(lines) >= 2 and not lines[0].strip() and not lines[-1].strip() and all(not x.strip() or _RULER.fullmatch(x) for x in lines[1:-1])

    def _line_before(self, start: int) -> str:
        """What stands on the line before ``start``."""
        return self.masked[self.masked.rfind("\n", 0, start) + 1 : start]

    def _own_line(self, sentence: Sentence) -> bool:
        """Whether ``sentence`` starts its line (an introduction, not the end of a paragraph)."""
        return not self._line_before(sentence.start).strip()

    def _item_paragraph(self, gap: str, start: int) -> bool:
        """Whether a sentence opens a later paragraph of the list item going on:
        after a blank line, on a line of its own indented to the item's text."""
        if is_web_page(self.doc.source) or "\n\n" not in gap or gap.strip():
            return False
        # Markup blanked between them, or before the sentence on its line, is no
        # indent: a reStructuredText directive at the margin ends the item, and a
        # footnote's ".. [1]" does not indent its text.
        raw = self.doc.text
        previous = self.previous[0].end if self.previous else 0
        if raw[previous:start].strip() and not is_markdown(self.doc.source):
            return False
        line = raw[raw.rfind("\n", 0, start) + 1 : start]
        return not self._line_before(start).strip() and self.item_column > 0 and indent(line) >= self.item_column

    def _within_item(self, start: int) -> bool:
        """Whether a sentence after an item's first goes on with the item: it starts
        mid-line, or on a line indented under the item's marker; a line of its own
        at the margin is the paragraph after the list."""
        line = self._line_before(start)
        return bool(line.strip()) or indent(line) > 0

    def _term(self, start: int, out: list[Sentence]) -> int:
        """The short line a plain-text block is indented under ("--checkpoint[=N]"
        over "Display progress messages ..."), as the position of the sentence
        it holds; -1 when there is none."""
        text = self.doc.text
        pos = text.rfind("\n", 0, start) + 1
        depth = indent(text[pos:start])
        if not depth:
            return -1
        first = pos
        found = -1
        blank = False
        for _ in range(_TERM_LOOKBACK):
            if pos == 0:
                break
            above = text.rfind("\n", 0, pos - 1) + 1
            line, pos = text[above : pos - 1], above
            if not line.strip():
                blank = True
                continue  # the blank lines between a block's paragraphs
            if indent(line) >= depth:
                if indent(line) == depth and above in self.terms:
                    found = self.terms[above]  # a line of the same block above: its term is this one's
                    break
                continue
            term = line.strip()
            # A section's heading is at the margin, or a few plain words ("Informative output"):
            # a paragraph under it says more than it does.
            # In reStructuredText a definition list's term is at the margin, right over its definition.
            plain_term = indent(line) and (" " not in term or _TERM_MARK.search(term))
            rst_term = self.rst and not indent(line) and not blank
            if (plain_term or rst_term) and _TERM_LINE.fullmatch(term) and not _LIST_MARKER.match(line):
                found = next((s.position for s in reversed(out) if s.start < above + len(line)), -1)
                found = found if found >= 0 and out[found].start >= above else -1
            break
        self.terms[first] = found
        return found

    def parent(self) -> int:
        """The heading whose section the heading :meth:`lead` was last asked about stands in (-1: none,
        or its rank is not known: plain text and reStructuredText do not say which heading is within which)."""
        while self.outline and self.outline[-1][0] >= self.rank > 0:
            self.outline.pop()
        return self.outline[-1][1] if self.rank and self.outline else -1

    def kept(self, sentence: Sentence) -> None:
        self.previous = (sentence, self.opener)
        if self.opener == "h":
            self.section = sentence.position
            self.outline = [*self.outline, (self.rank, sentence.position)] if self.rank else []

    def _opener(self, start: int) -> str:
        """What opens the block of the sentence at ``start``: "h" for a heading (its rank, when
        known, in ``self.rank``), "li", "dd" or "dt", or "" for none of them."""
        text = self.doc.text
        self.rank = 0
        if is_web_page(self.doc.source):
            m = _HTML_OPENER.search(text, max(0, start - 400), start)
            if not m:
                return ""
            tag = m.group(1).lower()
            if not tag.startswith("h"):
                return tag
            self.rank = int(tag[1])
            return "h"
        line = text[text.rfind("\n", 0, start) + 1 : start]
        if _LIST_MARKER.fullmatch(line):
            return "h" if self.plain_text and _NUMBERED.fullmatch(line) and self._title_line(start) else "li"
        if is_markdown(self.doc.source):
            in_code = fences.inside(self.code, start)  # where "# ..." is a comment and ": ..." no definition
            if not in_code:
                # A definition list as Pandoc, PHP Markdown Extra and MkDocs write it: "Jitter", then ": Variation in ...".
                if _DEFINITION_MARK.fullmatch(line) or (not line.strip() and _DEFINITION_MARK.match(text, start)):
                    return "dd"
                after = text.find("\n", start)
                if not line.strip() and after >= 0 and _DEFINITION_MARK.match(text, after + 1):
                    return "dt"
            if text.startswith("#", start):
                if in_code:
                    return ""
                self.rank = clean.markdown_heading_rank(text[start : start + 7])
                return "h"
        if self.plain_text and clean.WIKI_HEADING_OPEN.fullmatch(line):
            return "h"  # a wiki's "====== Harbour ferry ======", its marks blanked
        # A line underlined with "===" or "---" (plain text, Markdown's other heading), or with
        # any of reStructuredText's adornments in a .rst file, but not in its code.
        after = text.find("\n", start)
        if line.strip() or after < 0:
            return ""
        if self.rst:
            return "h" if clean.underlined(text, after) else ""
        underline = _UNDERLINE.match(text, after + 1)
        if underline and is_markdown(self.doc.source):
            self.rank = 1 if underline.group(0).lstrip().startswith("=") else 2  # Markdown's "===" and "---"
        return "h" if underline else ""


def split_document(doc: Document) -> list[Sentence]:
    """The document's kept sentences, in order, with what the page repeats of itself once."""
    text = clean.visible_text(doc.source, doc.text)
    out: list[Sentence] = []
    leads = _Leads(doc, text)
    # Where a page's tags were blanked, a blank may be no space (see split_spans);
    # a wiki's marks in a text file part words ("2014.((A note" is two sentences).
    source = doc.text if text is not doc.text and not leads.plain_text else None
    rst_file = leads.rst
    opens, closes = clean.wiki_mark_edges(doc.text, rst_file=rst_file) if leads.plain_text and text is not doc.text else ({}, {})
    wrapped = clean.wrapping_text(doc.source, doc.text, text)
    inline = rst.inline_spans(doc.text) if rst_file else ()
    web = is_web_page(doc.source)
    spans: list[tuple[int, int, Segment]] = []
    keys: list[str] = []
    for seg in clean.segments(doc, text):
        if seg.kind == "boilerplate":
            continue
        for start, end in split_spans(
            text, seg.start, seg.end, markdown=is_markdown(doc.source), source=source, wrapped=wrapped, rst=rst_file, inline=inline, references=web, code=leads.code
        ):
            start, end = opens.get(start, start), closes.get(end, end)
            key = normalize(doc.text[start:end])
            if key:
                spans.append((start, end, seg))
                keys.append(key)
    dropped = repeated(keys, frozenset(i for i, (start, _, _) in enumerate(spans) if fences.inside(leads.code, start)))
    shown: dict[str, int] = {}
    for i, (start, end, seg) in enumerate(spans):
        if i in dropped:
            continue
        raw = doc.text[start:end]
        lead = leads.lead(start, raw, out)
        section = leads.parent() if leads.opener == "h" else leads.section
        # What a sentence is read with (see embedding_text) is part of its
        # id, so that a changed lead or antecedent reads it again.
        if lead >= 0:
            context = out[lead].text
        else:
            context = out[-1].text if out and opens_with_reference(raw) else ""
        if leads.shown_row:
            context = f"{context}\n{leads.shown_row}"
        # A text the page says again ("To install:" under each toolchain) is
        # another sentence, and needs an id of its own.
        again = shown.get(keys[i], 0)
        shown[keys[i]] = again + 1
        sentence = Sentence(
            id=stable_id(doc.source, raw, context, str(again)) if again else stable_id(doc.source, raw, context),
            source=doc.source,
            start=start,
            end=end,
            text=raw,
            kind=seg.kind,
            position=len(out),
            heading=seg.heading,
            lead=lead,
            section=section,
            code=fences.inside(leads.code, start),
            shown_row=leads.shown_row,
        )
        out.append(sentence)
        leads.kept(sentence)
    return out


# A stretch of this many sentences said again, in the same order, is a block
# the page repeats (an article printed twice, a release's notes copied into
# the next); fewer are a document's own refrains ("To install:", "Fixes").
REPEATED_RUN = 3
# A sentence of this many words said twice in a row is a title shown twice or
# a pull quote; a shorter one is data ("24p | 24p" in a table).
REPEATED_TWICE_WORDS = 3


def repeated(keys: list[str], code: frozenset[int] = frozenset()) -> set[int]:
    """Positions of ``keys`` (sentences' comparison keys, in order) that only repeat the page.

    Evidence, not sameness alone, makes a repeat: text said again straight
    away, or inside a stretch of sentences said again in the same order.
    Anything else said twice is kept where it stands, because where it
    stands (under which heading, before which list) is part of what it says.
    The lines of code at positions ``code`` are said again by design (each
    example's "$ pyenv versions" and its output): none is a repeat, and no
    stretch runs on through one.
    """
    if code:
        keys = [object() if i in code else key for i, key in enumerate(keys)]  # type: ignore[misc]  # equal to nothing else
    earlier: dict[object, list[int]] = {}
    run = [0] * len(keys)
    for i, key in enumerate(keys):
        # Against its last few sayings only: a line said thousands of times
        # (a log's, a table's "Yes") would cost the square of that.
        for j in earlier.get(key, ())[-4:]:
            if i and j and keys[i - 1] == keys[j - 1]:
                continue  # inside a stretch already measured from its start
            n = 0
            while i + n < len(keys) and j + n < i and keys[i + n] == keys[j + n]:
                n += 1
            for k in range(i, i + n):
                run[k] = max(run[k], n)
        earlier.setdefault(key, []).append(i)
    twice = {i for i in range(1, len(keys)) if keys[i] == keys[i - 1] and len(keys[i].split()) >= REPEATED_TWICE_WORDS}
    return twice | {i for i, n in enumerate(run) if n >= REPEATED_RUN}


@functools.lru_cache(maxsize=4)
def _encoding(name: str):
    _use_bundled_tiktoken_cache()
    import tiktoken

    return tiktoken.get_encoding(name)


def _use_bundled_tiktoken_cache() -> None:
    # tiktoken fetches its BPE files from the internet unless a cache holds
    # them; llama-index ships that cache, which keeps indexing offline.
    # Found without importing llama-index, which would cost two seconds.
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        return
    import importlib.util

    try:
        spec = importlib.util.find_spec("llama_index.core")
    except ImportError:
        return
    for folder in (spec.submodule_search_locations or []) if spec else []:
        cache = os.path.join(folder, "_static", "tiktoken_cache")
        if os.path.isdir(cache):
            os.environ["TIKTOKEN_CACHE_DIR"] = cache
            return


def count_tokens(text: str, encoding: str) -> int:
    return len(_encoding(encoding).encode(text, disallowed_special=()))


def chunk_sentences(sentences: list[Sentence], max_tokens: int, overlap: int, encoding: str) -> list[Chunk]:
    """Group consecutive sentences of one section into chunks of at most ``max_tokens``.

    A chunk never splits a sentence (one longer than the limit is a chunk of
    its own) and never mixes sections: comments, the article and an embedded
    related article are retrieved separately so their labels stay true.
    """
    chunks: list[Chunk] = []
    group: list[Sentence] = []
    tokens: list[int] = []
    by_position = {(s.source, s.position): s for s in sentences}
    ids: dict[str, int] = {}

    def flush() -> None:
        if group:
            # A chunk that starts inside a table or a list is read with its lead.
            first = group[0]
            # (A lead comes before what it leads, so never in the same group.)
            lead = by_position.get((first.source, first.lead)) if first.lead >= 0 else None
            chunk = _make_chunk(group, model_text(lead) if lead is not None else "")
            # The same words in two places of a page (a refrain and what follows
            # it twice) are two chunks all the same.
            again = ids.get(chunk.id, 0)
            ids[chunk.id] = again + 1
            chunks.append(dataclasses.replace(chunk, id=stable_id(chunk.id, str(again))) if again else chunk)

    for sent in sentences:
        n = count_tokens(model_text(sent), encoding)
        new_section = bool(group) and (sent.kind, sent.heading) != (group[-1].kind, group[-1].heading)
        if group and (new_section or sum(tokens) + n > max_tokens):
            flush()
            keep = 0 if new_section else min(overlap, len(group) - 1)
            group, tokens = (group[-keep:], tokens[-keep:]) if keep else ([], [])
            while group and sum(tokens) + n > max_tokens:
                group, tokens = group[1:], tokens[1:]
        group.append(sent)
        tokens.append(n)
    flush()
    return chunks


def _make_chunk(group: list[Sentence], context: str = "") -> Chunk:
    first = group[0]
    text = " ".join([context] * bool(context) + [model_text(s) for s in group])
    return Chunk(
        id=stable_id(first.source, text),
        source=first.source,
        start=first.start,
        end=group[-1].end,
        text=text,
        kind=first.kind,
        sentence_ids=tuple(s.id for s in group),
        heading=first.heading,
        context=context,
    )
