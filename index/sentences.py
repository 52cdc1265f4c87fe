"""Sentence splitting that keeps exact character offsets.

A rule-based splitter rather than a model: it must never alter the text (each
span is sliced from the original), it must be fast and deterministic, and news
prose is regular enough that a few rules about abbreviations do well.

A line break ends a sentence, except where it only wraps a paragraph: inside
a Markdown paragraph, and in text hard-wrapped at a fixed width (licences,
plain-text reports), which breaks its lines wherever the next word would not
fit; there a sentence runs on across them (:func:`soft_breaks`).
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from typing import Iterator

from index import fences
from index.rst import ADORNMENT, literal_lines

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "gov", "sen", "rep", "lt", "col",
    "capt", "sgt", "rev", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "corp", "no", "vol", "fig",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est",
    "ca", "cf", "viz",
}
# Abbreviations only before a number: "c. 1455", "d. 1560", "pp. 12-14", "Art. 6",
# "ext. 4999", "Tel. +44 20 ..."; before a word they are a word ending a
# sentence ("... French art. The museum").
_BEFORE_NUMBER = {"c", "b", "d", "fl", "p", "pp", "nos", "art", "para", "ch", "sec", "ext", "tel", "fax", "rm", "bldg", "nr", "ref", "op"}
_NUMBER_START = re.compile(r"\+?\d")
# Words that, after an initialism such as "U.S.", show that a new sentence began.
_SENTENCE_STARTERS = {
    "he", "she", "it", "they", "we", "i", "you", "the", "this", "that", "these", "those", "there", "but",
    "his", "her", "its", "their", "our", "if", "when", "while", "after", "however", "meanwhile", "still",
}

# A candidate boundary: terminal punctuation, optional closing quotes or
# brackets and footnote marks ("in 2014.[2] The", ".[citation needed] The",
# ".[^3] The": a wiki's references, copied as text), then either whitespace
# or (for glued text such as "ground.This") directly an upper-case letter.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?:\[[^\[\]\n]{1,32}\])*(?=\s|[A-Z“\"])")
_BULLET = re.compile(r"\s*(?:[-*•·–—●○◦▪‣■□]|\d+[.)])\s+")
_TAG = re.compile(r"<[^>]*>")
# A heading's or an item's number, alone or after its label: "1.", "2.1.", "Chapter 1.",
# "Part IV.", "Appendix B."; in bold ("**2. Expenses**"), and escaped as a Markdown
# export writes it so that no list begins ("3\. Costs").
_SECTION_NUMBER = re.compile(r"\s*(?:#{1,6}\s+)?(?:\*\*|__|\*|_)?(?:\d{1,3}(?:\.\d{1,3})*|[A-Z][a-z]{2,}\s+(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6}|[A-Z]))\\?")


def split_spans(
    text: str,
    start: int = 0,
    end: int | None = None,
    markdown: bool = False,
    source: str | None = None,
    wrapped: str | None = None,
    rst: bool = False,
    inline: tuple[tuple[int, int], ...] = (),
    references: bool = False,
    code: tuple[tuple[int, int], ...] = (),
) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each sentence in ``text[start:end]``.

    Line breaks end a sentence (scraped articles put one paragraph or list
    item on a line) unless they only wrap a paragraph (:func:`soft_breaks`;
    ``markdown``: the text is Markdown). Leading bullets and surrounding
    whitespace are left out of the span. ``source`` is the text ``text`` was
    made from by blanking its markup (a web page's tags): a blank that was a
    tag is no space a reader sees ("python<em>X</em>.<em>Y</em>" reads
    "pythonX.Y", one word, no full stop). ``wrapped``, when given, is the text
    whose lines tell which breaks only wrap (see index.clean.wrapping_text);
    ``rst``: the text is reStructuredText. ``inline``: the stretches inline
    markup encloses (index.rst.inline_spans), sorted and apart, where no
    sentence ends: ":ref:`GET ... FILENAME <get>`" and "``MyCompany.Package``"
    are one name each. ``references``: the text is a web page's, whose
    character references a reader sees as the characters they stand for: a
    sentence ends before "&nbsp;&ldquo;The" as before " “The". ``code``: where
    code stands (index.clean.code_blocks), whose lines are never run together.
    """
    end = len(text) if end is None else end
    soft = soft_breaks(text if wrapped is None else wrapped, markdown, rst, code)
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        while nl != -1 and nl in soft:
            nl = text.find("\n", nl + 1, end)
        line_end = end if nl == -1 else nl
        piece = pos
        # In a table's cell ("| 3 | Per request<br>not per batch |"), a <br> breaks the cell's line, not the row.
        if markdown and "<" in text[pos:line_end] and not text[pos:line_end].lstrip().startswith("|"):
            for m in _BREAK_TAG.finditer(text, pos, line_end):  # an HTML line break is a hard break
                yield from _split_line(text, piece, m.start(), source, inline, markdown)
                piece = m.end()
        if references and "&" in text[piece:line_end]:
            yield from _split_referenced(text, piece, line_end, source)
        else:
            yield from _split_line(text, piece, line_end, source, inline, markdown, page=references)
        pos = line_end + 1


# A character reference: "&nbsp;", "&#8220;", "&#x201C;".
_REFERENCE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _split_referenced(text: str, start: int, end: int, source: str | None) -> Iterator[tuple[int, int]]:
    """:func:`_split_line` over the line with its character references read as
    their characters, each span mapped back to offsets in ``text``: a span
    starts and ends at a reference's edges, never inside one."""
    view: list[str] = []
    shown: list[str] = []  # ``source`` likewise
    at: list[int] = []  # where each character of the view stands in ``text``
    pos = start
    for m in _REFERENCE.finditer(text, start, end):
        view.append(text[pos : m.start()])
        shown.append((source or text)[pos : m.start()])
        at.extend(range(pos, m.start()))
        char = html.unescape(m.group(0))
        view.append(char)
        shown.append(char)
        at.extend([m.start()] * len(char))
        pos = m.end()
    view.append(text[pos:end])
    shown.append((source or text)[pos:end])
    at.extend(range(pos, end))
    at.append(end)
    line = "".join(view)
    for a, b in _split_line(line, 0, len(line), "".join(shown) if source is not None else None, page=True):
        yield at[a], at[b]


# Widths text is wrapped at: 72 to 80 columns mostly, 100 or 120 at most. A
# text whose lines run longer has its paragraphs on one line each.
WRAP_WIDTHS = (40, 120)
# In a wrapped text, a line at least this share of the width long runs on into the next.
WRAP_SHARE = 0.6
# What a line ending a sentence ends with (a text of one sentence a line is not wrapped).
_SENTENCE_CLOSERS = ".!?\"'”’)"
# A line stopping on a word, or on a word it breaks with a hyphen ("Sep-" over "tember").
_WORD_STOPS = re.compile(r"[^\W\d_]-?$")
# A line going on with a word in lower case ("exit and gather ..."), not a link ("https://...").
_WORD_GOING_ON = re.compile(r"[ \t]*[a-z][a-z'’-]*(?:[ \t,;.!?]|$)")
# A list item's marker: a bullet ("-", "*", "•", a dash, the "●" and "○" a word
# processor's text has) or a number ("3.", "2)").
BULLET = r"(?:[-*+•·–—●○◦▪‣■□]|\d{1,3}[.)])"
# A line that starts a block of its own, never the rest of a wrapped one: a
# list item, a Markdown heading, quote, table row, code fence or admonition's
# colons (":::note"), a heading's underline.
_BLOCK_START = re.compile(rf"\s*(?:{BULLET}\s|#|>|\|.*\|$|```|~~~|:::|:[ \t]|[=-]{{3,}}\s*$)")  # ": " opens a definition (Pandoc, MkDocs)
# Markdown's marks that index.chunking.readable also takes off: a footnote's
# ("[^1]", over "[^1]: The note ..."), a quotation's at a line's start, and
# GitHub's alert label ("> [!NOTE]"), a title of its own.
FOOTNOTE_MARK = r"\[\^[^\]\s]+\]"
QUOTE_MARKS = r"[ \t]*(?:>[ \t]?)+"
# GitHub's five ("[!WARNING]"), and a note app's callouts of any type, folded or not ("[!info]-").
ALERT_LABEL = re.compile(r"\[!([A-Za-z][A-Za-z-]{1,20})\][+-]?")
_FOOTNOTE_DEFINITION = re.compile(rf"[ \t]*{FOOTNOTE_MARK}:")
_QUOTED = re.compile(QUOTE_MARKS)
# A line that is a block by itself, never run on into the next: a heading, a
# rule or underline, a table row, a code fence, an admonition's colons.
_WHOLE_BLOCK = re.compile(r"\s*(?:#|\|.*\|$|```|~~~|:::|[=-]{3,}\s*$)")
# Words set out in columns ("colorizer.py      # Colorize text"): a table, not prose.
# Not the wide gap some manuals leave after a sentence ("is set to 20.   The math ...").
COLUMNS = re.compile(r"(?:[^\s.!?]|(?<![a-z0-9)])[.!?])(?: {3,}|\t)\S")
# A line that opens with a bold label ("**Owner:** Payments team"): one field of
# several, each on its line, which a renderer would run together.
_FIELD = re.compile(r"[ \t]*(?:\*\*|__)[^*_\n]{1,40}?(?::(?:\*\*|__)|(?:\*\*|__):)[ \t]")
# What a hanging indent hangs from: a list marker, an FAQ's "Q:" and "A:", or a
# reference's label ("[RFC2119]  ...", "[3] ...").
_ITEM_MARKER = re.compile(rf"\s*(?:{BULLET}|[QA]:|:|\[[^\]\s]{{1,20}}\])\s+")  # ":" a definition's (Pandoc, MkDocs)
_BREAK_TAG = re.compile(r"<br\s*/?>", re.I)
# A reStructuredText field (":Author: ...", ":param x: ..."): one of a list, each on its line.
_RST_FIELD = re.compile(r"[ \t]*:[^:\s][^:\n]*:(?:[ \t]|$)")
# A line opening with an HTML tag: in Markdown, an HTML block (an autolink "<https://...>" is text).
_HTML_TAG = re.compile(r"\s*</?[A-Za-z][\w-]*(?:\s|/?>|$)")


@functools.lru_cache(maxsize=8)
def soft_breaks(text: str, markdown: bool = False, rst: bool = False, code: tuple[tuple[int, int], ...] = ()) -> frozenset[int]:
    """The positions of the line breaks in ``text`` that only wrap a paragraph.

    In Markdown every line break inside a paragraph is one (a renderer shows
    it as a space), except a hard break (two trailing spaces or a backslash).
    So in reStructuredText (``rst``), between lines of the same indent (a
    deeper one is a definition or a quotation), but not into a section
    title's underline or a field (":Author: ...").

    In other text, whether it is wrapped at all is read from the text: the
    width it is wrapped at is the 90th percentile of the lengths of lines
    followed by another line of the same block, and a quarter or more of
    those lines must have been broken where the next word would not have
    fitted (their length plus that word's passes the width). Authors who
    wrap by hand break earlier, so in a wrapped text a line of three fifths
    of the width or more runs on into the next, as does a shorter one that
    stops mid-sentence before a line going on in lower case. A page of one
    paragraph per line (lines longer than any wrap width) or a list of short
    lines keeps every break.

    Code fences, list items, headings and table rows are never joined, nor
    the lines of ``code`` (a web page's <pre>, index.clean.code_blocks).
    """
    if "\n" not in text:
        return frozenset()
    bounds: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        bounds.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    raw_lines = [text[a:b] for a, b in bounds]
    lines = [line.rstrip().expandtabs() for line in raw_lines]
    inner: list[int] = []  # lines followed by another line of the same block
    # In reStructuredText, "~~~~" underlines a title.
    code = tuple(sorted({*code, *(() if rst else fences.code_blocks(text, indented=markdown))}))
    for i in range(len(lines) - 1):
        line, nxt = lines[i], lines[i + 1]
        fenced = fences.inside(code, bounds[i][0])
        if not rst and _quotation(line, markdown) and _quotation(nxt, markdown):
            # A quotation's lines (Markdown's, an email's): a paragraph within it runs on as any does, but not from its alert's label.
            line, nxt = _QUOTED.sub("", line, 1), _QUOTED.sub("", nxt, 1)
            if ALERT_LABEL.match(line.strip()):
                continue  # the label, alone or with its title ("[!warning] Budget"): a title of its own
        if fenced or not line.strip() or not nxt.strip() or _WHOLE_BLOCK.match(line) or _BLOCK_START.match(nxt):
            continue
        hangs = _hangs(line, nxt) or (markdown and _FOOTNOTE_DEFINITION.match(line) is not None)  # a footnote's text goes on indented
        if (indent(nxt) >= indent(line) + 4 and not hangs) or COLUMNS.search(_ITEM_MARKER.sub("", line, 1)) or COLUMNS.search(nxt):
            continue  # an indented code block or a nested quotation, a table (a list marker's own spaces are not columns)
        if not markdown and _LABELLED.match(line) and _LABELLED.match(nxt):
            continue  # a memo's or an email's fields ("From: ...", then "Date: ..."), one a line
        if markdown and (raw_lines[i].endswith("  ") or line.endswith("\\") or _HTML_TAG.match(line) or _HTML_TAG.match(nxt) or _FIELD.match(nxt)):
            continue  # a hard line break, an HTML block, the next of a page's fields
        inner.append(i)
    if markdown:
        return frozenset(bounds[i][1] for i in inner)
    if rst:
        literal = literal_lines(text)  # code: each line as written ("sudo ./install" / "systemctl enable")
        return frozenset(
            bounds[i][1]
            for i in inner
            if bounds[i + 1][0] not in literal
            and (indent(lines[i + 1]) == indent(lines[i]) or _hangs(lines[i], lines[i + 1]))
            and not ADORNMENT.match(lines[i + 1])
            and not _RST_FIELD.match(lines[i + 1])
        )
    lengths = sorted(len(lines[i]) for i in inner)
    width = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    full = [i for i in inner if len(lines[i]) + 1 + len(lines[i + 1].split()[0]) > width]
    # Wrapping breaks lines mid-sentence; a text of one sentence a line ends them all.
    mid = sum(1 for i in full if lines[i][-1] not in _SENTENCE_CLOSERS)
    if len(inner) < 3 or not WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1] or len(full) < max(3, len(inner) / 4) or 2 * mid < len(full):
        # Too few lines to tell a width by (a short email, "... Please leave by the
        # nearest" / "exit and gather ..."): only a line as long as a wrapped one
        # that stops on a word (or breaks one), mid-sentence, before a word in lower case runs on;
        # not code ("... */" / "do {"), nor a line before a link ("https://...").
        return frozenset(
            bounds[i][1]
            for i in inner
            if len(lines[i]) >= WRAP_WIDTHS[0] and _WORD_STOPS.search(lines[i]) and _WORD_GOING_ON.match(lines[i + 1])
        )
    return frozenset(bounds[i][1] for i in inner if len(lines[i]) >= WRAP_SHARE * width or _runs_on(lines[i], lines[i + 1]))


# A field of a memo's or an email's header: a label of a word or two, a colon ("Reply-To: ...").
_LABELLED = re.compile(r"[ \t]*[A-Z][A-Za-z-]{1,20}(?: [A-Za-z-]{1,20})?:[ \t]+\S")
# An interpreter's prompt (">>> x = 1" in a text file's example), not a quotation three deep.
_PROMPT = re.compile(r"[ \t]*>>>")


def _quotation(text: str, markdown: bool, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """The quotation marks a line of ``text`` opens with: Markdown's ("> "), or
    in other text an email's ("> " before each line of the message it answers)."""
    end = len(text) if end is None else end
    if not markdown and _PROMPT.match(text, start, end):
        return None
    return _QUOTED.match(text, start, end)


def _hangs(line: str, nxt: str) -> bool:
    """Whether ``nxt`` goes on with the list item ``line`` opens, indented to its text ("•   The slash ... may" over "occur at ...")."""
    m = _ITEM_MARKER.match(line)
    return bool(m) and indent(nxt) == m.end()


def _runs_on(line: str, nxt: str) -> bool:
    """A line that stops mid-sentence before one that goes on in lower case ("has been" / "provided to ...")."""
    return line[-1] not in ".!?:;" and nxt.lstrip()[:1].islower()


def indent(line: str) -> int:
    """How far ``line`` is indented, a tab counting to the next multiple of eight."""
    if "\t" in line:
        line = line.expandtabs(8)
    return len(line) - len(line.lstrip(" "))


def _split_line(
    text: str, start: int, end: int, source: str | None = None, inline: tuple[tuple[int, int], ...] = (), markdown: bool = False, page: bool = False
) -> Iterator[tuple[int, int]]:
    # ``page``: a web page's line, whose list numbers are its markup (<ol>):
    # a number opening its text was written there ("<h2>1. Introduction</h2>").
    # Markdown's quotations, and an email's in a text file; a page has none (its ">" is "&gt;").
    quoted = _quotation(text, markdown, start, end) if markdown or source is None else None
    if quoted:
        start = quoted.end()  # a quotation's marks, then perhaps a list item's marker in it
    bullet = _BULLET.match(text, start, end)
    if bullet and not (page and bullet.group(0).lstrip()[:1].isdigit()):
        start = bullet.end()
    sent_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        cut = m.end()
        if (inline and _inside(inline, m.start(), cut, m.group())) or not _is_boundary(text, sent_start, m.start(), cut, end, source):
            continue
        span = _trim(text, sent_start, cut)
        if span:
            yield span
        sent_start = cut
    span = _trim(text, sent_start, end)
    if span:
        yield span


def _inside(spans: tuple[tuple[int, int], ...], punct: int, cut: int, stop: str) -> bool:
    """Whether a sentence would end (at ``stop``, from ``punct`` to ``cut``) inside one of
    ``spans``. At its end a full stop may end one (a sentence in bold, a
    quotation in code); an ellipsis there elides code ("``f(...)``"), and does not."""
    i = bisect.bisect_right(spans, (punct, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= punct < spans[i][1] and (cut < spans[i][1] or "..." in stop or "…" in stop)


def _is_boundary(text: str, sent_start: int, punct: int, cut: int, end: int, source: str | None = None) -> bool:
    nxt = _next_word(text, cut, end)
    if not nxt:
        return False  # punctuation at the very end of the line: the line end cuts
    glued = cut < end and (not text[cut].isspace() or (source is not None and _only_markup(text, source, cut, end)))
    if text[punct] == ".":
        if _SECTION_NUMBER.fullmatch(text, sent_start, punct):
            return False  # a heading's number: "2.1. Removal of the unversioned packages", "Chapter 1. Introduction"
        word = _word_before(text, sent_start, punct)
        lower = word.lower()
        if glued:
            # "ground.This" is a lost space; "U.S" or "3.5" is not a boundary.
            return len(word) >= 2 and word.isalpha() and word[-1].islower() and nxt[:1].isupper() and nxt[1:2].islower()
        if lower in _ABBREVIATIONS or (lower in _BEFORE_NUMBER and _NUMBER_START.match(nxt)):
            return False
        if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
            # An initialism ("U.S.") ends a sentence only when a typical
            # sentence opener follows.
            return nxt[:1].isupper() and nxt.lower() in _SENTENCE_STARTERS
        if len(word) == 1 and word.isupper():
            return False  # a middle initial: "George W. Bush"
    if glued:
        return False
    first = nxt[0]
    # Or an amount: "£170,000 is ...", not code's "${name}".
    return first.isupper() or first.isdigit() or first in "“\"'‘([" or (first in "£$€¥" and nxt[1:2].isdigit())


def _only_markup(text: str, source: str, pos: int, end: int) -> bool:
    """Whether the blanks from ``pos`` to the next word were tags in ``source``, no space between them."""
    word = pos
    while word < end and text[word].isspace():
        word += 1
    return not any(ch.isspace() for ch in _TAG.sub("", source[pos:word]))


def ends_with_abbreviation(sentence: str) -> bool:
    """Whether the sentence's last full stop belongs to an abbreviation ("e.g.", "etc.", "U.S.", "ca.")."""
    if not sentence.endswith("."):
        return False
    word = _word_before(sentence, 0, len(sentence) - 1)
    return word.lower() in _ABBREVIATIONS or bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))


def _word_before(text: str, start: int, punct: int) -> str:
    i = punct
    while i > start and not text[i - 1].isspace() and text[i - 1] not in "(\"“‘'":
        i -= 1
    return text[i:punct]


def _skip_gap(text: str, pos: int, end: int) -> int:
    """Past the blanks from ``pos``, and a quotation's marks on a line they break to
    ("rollout.\n> Anything": a quotation's next sentence opens with its word)."""
    while pos < end and text[pos].isspace():
        pos += 1
        if text[pos - 1] == "\n" and (quoted := _QUOTED.match(text, pos, end)) and not _PROMPT.match(text, pos, end):
            pos = quoted.end()
    return pos


def _next_word(text: str, pos: int, end: int) -> str:
    pos = _skip_gap(text, pos, end)
    j = pos
    while j < end and not text[j].isspace():
        j += 1
    return text[pos:j].strip("\"“”'‘’([") or text[pos:j]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    start = _skip_gap(text, start, end)
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end or not any(ch.isalnum() for ch in text[start:end]):
        return None
    return start, end
