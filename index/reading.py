"""A whole article as a reader sees it, with one stretch of it marked.

Citations point into a file's text exactly; this is for showing that text.
A web page is shown without its markup, a Markdown file without its front
matter, heading marks, link targets or code ticks, and a paragraph wrapped
over several lines of the file as one paragraph. Blocks (a page's
paragraphs, a file's lines that are not wrapped) are kept apart by a blank
line.
"""

from __future__ import annotations

import re

from index import fences
from index.chunking import dehyphenated, is_markdown, is_web_page, readable
from index.clean import CELL_TAG, TAG, WIKI_FOOTNOTE_MARKS, code_blocks, is_rst, line_end, mask_html, masked_spans, rewrite_wiki_marks, site_markup
from index.corpus import FRONT_MATTER
from index.sentences import soft_breaks

# Stands in for a character a reader never sees (a tag, front matter): the
# text keeps its length, so offsets still cut it, and these go after cutting.
_HIDDEN = "\0"
# Lines of Markdown that are markup only (besides a code block's fences): a
# table's delimiter row, a rule or a heading's underline. (An admonition's
# closing colons read as nothing: index.chunking.readable.)
_MARKUP_LINE = re.compile(r"^[ \t]*(?:\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?|=+)[ \t]*$", re.M)
_WRAP = re.compile(r"[ \t]*\n[ \t]*")


def readable_article(source: str, text: str, start: int, end: int) -> tuple[str, str, str]:
    """``source``'s whole ``text`` as a reader sees it, cut into what comes
    before ``text[start:end]``, that stretch, and what comes after.

    ``before + quote + after`` is the article to show, with ``quote`` marked.
    """
    view, soft = _view(source, text)
    code = code_blocks(source, text, text)
    parts: tuple[list[str], list[str], list[str]] = ([], [], [])
    previous_end = -1
    for a, b in _blocks(view, soft):
        in_code = fences.inside(code, a)
        pieces = [
            (role, _shown(source, view[x:y], in_code))
            for role, x, y in ((0, a, min(b, start)), (1, max(a, start), min(b, end)), (2, max(a, end), b))
            if x < y
        ]
        if not "".join(s for _, s in pieces).strip():
            continue  # nothing a reader sees: markup, front matter, an empty line
        pieces[0] = (pieces[0][0], pieces[0][1].lstrip())
        pieces[-1] = (pieces[-1][0], pieces[-1][1].rstrip())
        if previous_end >= 0:
            # The blank line between two blocks goes with whatever of the cut spans it.
            role = 0 if start > previous_end else 2 if end < a else 1
            parts[role].append("\n\n")
        for role, shown in pieces:
            parts[role].append(shown)
        previous_end = b
    before, quote, after = ("".join(p) for p in parts)
    return before, quote, after


def _view(source: str, text: str) -> tuple[str, frozenset[int]]:
    """``text`` with what a reader never sees replaced by ``_HIDDEN`` (same length), and its soft line breaks."""
    if is_web_page(source):
        masked = mask_html(text)  # block tags are line breaks; the source's own line breaks are spaces
        hidden = bytearray(len(text))
        for m in TAG.finditer(text):
            hidden[m.start() : m.end()] = b"\1" * (m.end() - m.start())
        # An inline tag parts no words ("<code>vctl</code>." reads "vctl."), so it is
        # left out altogether, not shown as the spaces the mask has in its place.
        chars = [
            m if m == "\n" or not (hidden[i] or (m == " " and not r.isspace())) else _HIDDEN
            for i, (m, r) in enumerate(zip(masked, text))
        ]
        # A table's cells are parted by a bar, written where each cell's tag ("<td>") stood.
        for m in CELL_TAG.finditer(text):
            if masked[m.start()] != "\n":  # a layout cell's edge parts lines (index.clean.layout_cells)
                chars[m.start() : m.start() + 3] = " | "
        return "".join(chars), soft_breaks(masked, code=code_blocks(source, text, masked))
    if is_markdown(source):
        view = FRONT_MATTER.sub(_hide, text)
        view = _MARKUP_LINE.sub(_hide, view)
        hidden = [*site_markup(source, text), *((at, line_end(text, at)) for at in fences.fence_lines(text))]
        return masked_spans(view, sorted(hidden), _HIDDEN), soft_breaks(text, markdown=True)
    # A wiki's marks in a text file ("====== Harbour ferry ======", "[[page|text]]"): its words
    # shown, its marks not (a footnote's parentheses as a space).
    rst_file = is_rst(source, text)
    view = rewrite_wiki_marks(
        text, lambda mark: [" " if mark in WIKI_FOOTNOTE_MARKS else _HIDDEN] + ["\n" if ch == "\n" else _HIDDEN for ch in mark[1:]], rst_file
    )
    return view, soft_breaks(text, rst=rst_file)


def _hide(m: re.Match[str]) -> str:
    return "".join("\n" if ch == "\n" else _HIDDEN for ch in m.group(0))


def _blocks(view: str, soft: frozenset[int]) -> list[tuple[int, int]]:
    """Where each block of the text starts and ends: its lines, a wrapped paragraph's lines as one."""
    out = []
    begin = 0
    for m in re.finditer("\n", view):
        if m.start() not in soft:
            out.append((begin, m.start()))
            begin = m.end()
    out.append((begin, len(view)))
    return out


def _shown(source: str, piece: str, code: bool = False) -> str:
    piece = piece.replace(_HIDDEN, "")
    if is_web_page(source) or is_markdown(source):
        return readable(source, piece, code)
    return _WRAP.sub(" ", dehyphenated(piece))  # plain text as it is, a wrapped paragraph on one line
