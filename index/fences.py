"""Markdown's code blocks, found once for every reader of a Markdown file.

A fence opens with three or more backticks or tildes and an optional info
string ("```python", "``` yaml", "```js title=\"app.js\" {1,3}"), and closes
with a line of the same character, at least as long, and nothing else: a
"```bash" block inside a "````markdown" one is the outer block's text. A
fence left open runs to the end of the file, as a renderer shows it.

Cleaning (a "# See also" comment in a script opens no section), sentence
splitting (a code block's lines are never run together as a wrapped
paragraph), the lead each sentence is read under and the article as a
reader sees it all ask where code stands; they ask here, so that they agree.
"""

from __future__ import annotations

import bisect
import functools
import math
import re

# Any indent: a fence in a list item is set in to the item's text. A backtick
# fence's info string holds no backtick ("```foo``` bar" is inline code).
_OPENING = re.compile(r"[ \t]*(?:(`{3,})[^`\n]*|(~{3,})[^\n]*)$")
_CLOSING = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t\r]*$")
# What looks like a fence's line on its own, for rules that read one line
# without its document ("```ini" over a config file's lines is no caption).
FENCE_LINE = re.compile(r"[ \t]*(?:`{3,}|~{3,})")


def code_blocks(text: str, indented: bool = False) -> tuple[tuple[int, int], ...]:
    """Where each fenced code block of ``text`` runs: from the start of its
    opening fence's line to the start of its closing fence's line (the end
    of ``text`` for a fence left open). With ``indented`` (a Markdown file's
    text), its indented code blocks too (see :func:`_indented`)."""
    fenced = _scan(text)[0]
    if not indented:
        return fenced
    return tuple(sorted(fenced + _indented(text, fenced)))


def fence_lines(text: str) -> frozenset[int]:
    """Where the fences that open or close a code block of ``text`` start
    (after their indent): markup, never text."""
    return _scan(text)[1]


@functools.lru_cache(maxsize=8)
def _scan(text: str) -> tuple[tuple[tuple[int, int], ...], frozenset[int]]:
    blocks: list[tuple[int, int]] = []
    marks: set[int] = set()
    opened: tuple[int, str] | None = None  # the open block's start and its fence
    at = 0
    for line in text.split("\n"):
        if opened is None:
            m = _OPENING.match(line)
            if m:
                opened = (at, m.group(1) or m.group(2))
                marks.add(at + len(line) - len(line.lstrip(" \t")))
        else:
            m = _CLOSING.match(line)
            if m and m.group(1)[0] == opened[1][0] and len(m.group(1)) >= len(opened[1]):
                blocks.append((opened[0], at))
                marks.add(at + len(line) - len(line.lstrip(" \t")))
                opened = None
        at += len(line) + 1
    if opened is not None:
        blocks.append((opened[0], len(text)))
    return tuple(blocks), frozenset(marks)


# What a block set in four columns or more belongs to, when the line it is set
# in under says so: a list item's or a footnote's next paragraph, a
# definition's, an admonition's or a content tab's body (MkDocs' "!!! note",
# "??? tip", '=== "Linux"').
_CONTAINER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|\[\^[^\]]+\]:|:[ \t]|(?:!!!|\?\?\?\+?|===)[ \t]")


# A list item's marker and the spaces after it: its text starts where they end.
_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?=\S)")


@functools.lru_cache(maxsize=8)
def _indented(text: str, fenced: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Markdown's indented code blocks: lines set in four columns or more
    after a blank line, as far as the next line set in less. A renderer
    shows them as code when the paragraph above stands at the margin, or,
    in a list item, when they are set four columns past the item's text
    ("1. Push it:" over a command in seven); at the item's own indent they
    are its next paragraph. Under anything else set in, or a
    :data:`_CONTAINER`'s opening line, they are read as text here."""
    if "\n    " not in text and "\n\t" not in text:
        return ()
    blocks: list[tuple[int, int]] = []
    anchor = ""  # the last line set in less than four columns
    item = -1  # the column the text of the list item going on starts at; -1: none
    blank = True
    start = end = -1  # the open block's
    at = 0
    for line in text.split("\n"):
        stripped = line.strip()
        depth = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        need = item + 4 if item >= 0 else 4  # where code is set, in the item or at the margin
        if start >= 0 and stripped and depth < need:
            blocks.append((start, end))
            start = -1
        if stripped and not inside(fenced, at):
            if depth >= need and start < 0 and blank and (item >= 0 or (anchor[:1].strip() and not _CONTAINER.match(anchor))):
                start = at
            if start >= 0:
                end = at + len(line)
            else:
                marker = _ITEM.match(line)
                if marker and depth < need:
                    item = len(marker.group(0).expandtabs(4))
                elif item >= 0 and depth < item and blank:
                    item = -1  # back at the margin: the list has ended
                if depth < 4:
                    anchor = line
        blank = not stripped
        at += len(line) + 1
    if start >= 0:
        blocks.append((start, end))
    return tuple(blocks)


def inside(blocks: tuple[tuple[int, int], ...], pos: int) -> bool:
    """Whether ``pos`` falls within one of ``blocks`` (as :func:`code_blocks` gives them, in order)."""
    k = bisect.bisect_right(blocks, (pos, math.inf)) - 1
    return k >= 0 and pos < blocks[k][1]
