"""reStructuredText's markup: the characters of a ``.rst`` file that a reader of
the rendered page does not see.

A ``.rst`` file, or a ``.txt`` file written in reStructuredText
(:func:`written_in`, as Django keeps its documentation), is read as a text
file is (index.clean), with these marks blanked, so that every offset still
points into the file: a section title's underline and overline, code ticks
(````aws s3````), roles (``:ref:`Installing <install>``` reads
"Installing"), links (```Python <https://python.org>`_`` reads "Python"), a
simple reference's underscore ("HttpOnly_"), emphasis, footnote
references, a substitution's bars (``|release|`` reads "release": its
definition's text cannot stand in its place without moving the offsets after
it), the second colon of "as follows::", and explicit markup: a
comment, a link target, a directive's name and options (``.. note::`` shows
its text, ``.. image::`` and ``.. toctree::`` show nothing).

A literal block (the indented lines after a paragraph ending in "::", or a
``.. code-block::`` directive's content) is code: a line of dashes in a
program's sample output there underlines no title.

Each mark is given as its span and whether it opens words ("open"), closes
them ("close") or stands alone (""), as index.clean's wiki marks are.
"""

from __future__ import annotations

import functools
import re

RST_SUFFIXES = frozenset({".rst", ".rest"})

# A line of one punctuation character repeated: a section title's underline or overline, or a transition.
ADORNMENT = re.compile(r"[ \t]*([=\-`:'\"~^_*+#<>.])\1{2,}[ \t]*$")

# Inline marks. Literals are found first, and nothing is looked for inside
# them ("``*args``" holds no emphasis).
_LITERAL = re.compile(r"(?<![\w`])(``)(?=\S)[^\n]*?(?<=\S)(``)(?![\w`])")
# Inline markup may run over a paragraph's line breaks, never over a blank line.
_RUN = r"(?:[^`\n]|\n(?![ \t]*\n))*?"
_ROLE = r":[A-Za-z][\w.+-]*(?::[\w.+-]+)*:`"  # a role's name and its opening tick: ":ref:`", ":py:func:`"
_RUN_BAR = r"(?:[^|\n]|\n(?![ \t]*\n))*?"
# Docutils' rules for where inline markup starts and ends: after a space or an
# opening mark, not between a quote or bracket and its own closing one ('"|"'),
# and before a space or punctuation.
_START = r"(?<![^\s\-:/'\"<(\[{])"
_NOT_QUOTED = r"(?!(?<='.)'|(?<=\".)\"|(?<=<.)>|(?<=\(.)\)|(?<=\[.)\]|(?<={.)})"
_END = r"(?=[\s\-.,:;!?\\/'\")\]}>]|$)"
_INLINE = (
    # A role, its title shown and its target not: ":ref:`Installing <install>`", ":class:`Popen`".
    ("pair", re.compile(rf"(?<![\w`])({_ROLE}[~!]?)(?=[^`\s]){_RUN}(?<=[^\s`])(\s*<[^<>`]*>`|`)(?![\w`])")),
    # A link ("`Python <https://python.org>`_"), a reference ("`Installation`_"), interpreted text ("`x`").
    ("pair", re.compile(rf"(?<![\w`:])(`)(?=[^`\s]){_RUN}(?<=[^\s`])(\s*<[^<>`]+>`_{{1,2}}|`_{{1,2}}|`)(?![\w`])")),
    ("pair", re.compile(r"(?<![\w*\\])(\*\*)(?=[^\s*])[^\n]*?(?<=[^\s*])(\*\*)(?![\w*])")),
    ("pair", re.compile(r"(?<![\w*\\])(\*)(?=[^\s*])[^*\n]*?(?<=[^\s*])(\*)(?![\w*])")),
    # A substitution's reference, "|release|" or "|logo|_", where Docutils looks for
    # inline markup: bars in code ('"SOA"|"A"|"TXT"', "(0-4)|(172800)") are no reference.
    ("reference", re.compile(rf"{_START}(\|){_NOT_QUOTED}(?=[^|\s]){_RUN_BAR}(?<=[^|\s])(\|_{{0,2}}){_END}")),
    # A simple reference, a word and its underscore ("HttpOnly_ is a flag ...", "see
    # Sphinx__"): over Django's, CMake's and the AWS CLI's pages, 191 of 200 such words
    # name a target of their page. Not "[A-Za-z_]" in a grammar, nor "__init__".
    ("whole", re.compile(r"(?<![\w`:|*\-\[])[A-Za-z][\w.+-]*?(?<![_.])(__?)(?=[\s,;:!?)\]]|\.(?!\.)|$)", re.M)),
    # A footnote's or citation's reference: "... in 2019 [1]_." reads "... in 2019."
    ("whole", re.compile(r"([ \t]?\[(?:#[\w-]*|\*|\d+)\]_)(?![\w`])")),
    # "as follows::" reads "as follows:"; a "::" standing apart, or alone on its line, not at all.
    ("whole", re.compile(r"(?<=[^\s:])(:)(?=:[ \t]*$)", re.M)),
    ("whole", re.compile(r"(?:(?<=[ \t])|^)(::)[ \t]*$", re.M)),
    ("whole", re.compile(r"\b(?:versionadded|versionchanged|versionremoved|deprecated)(::)(?=[ \t]|$)", re.M)),
    # A field's name reads as a label: ":Author: Jo" as "Author: Jo", ":param x: ..." as "param x: ...".
    ("whole", re.compile(r"^[ \t]*(:)(?=[^:\s][^:\n]*:(?:[ \t]|$))", re.M)),
    # An auto-numbered list item's "#.", and a file's own settings for Sphinx (":orphan:", ":tocdepth: 2").
    ("whole", re.compile(r"^[ \t]*(#\.)[ \t]", re.M)),
    ("whole", re.compile(r"^(:(?:orphan|tocdepth|nocomments|nosearch):(?:[ \t][^\n]*)?)$", re.M)),
)

_EXPLICIT = re.compile(r"([ \t]*)(\.\.)(?=[ \t]|$)")
_DIRECTIVE = re.compile(r"\.\.[ \t]+(\|[^|\n]+\|[ \t]+)?([\w:.+-]+)::(?=[ \t]|$)")
_FOOTNOTE = re.compile(r"\.\.[ \t]+\[[^\]\n]+\](?=[ \t]|$)")
_OPTION = re.compile(r"[ \t]+:[\w][\w -]*:(?:[ \t].*)?$")
# Directives whose arguments and content are not text a reader reads: pictures,
# tables of contents, included files, index entries, raw HTML, settings.
_HIDDEN = frozenset(
    {
        "image", "toctree", "include", "literalinclude", "highlight", "contents", "index", "raw", "meta",
        "sectnum", "default-role", "role", "tabularcolumns", "currentmodule", "module", "sectionauthor",
        "moduleauthor", "codeauthor", "graphviz", "digraph", "target-notes", "header", "footer", "title",
    }
)
# Directives whose arguments are not text but whose content is: a figure's caption, code.
_ARGUMENTS_HIDDEN = frozenset({"figure", "code-block", "code", "sourcecode"})
# Directives whose content is code, as a "::" paragraph's indented block is: its lines underline no title.
_LITERAL_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "parsed-literal"})
# A list item's marker, after which its text (and the indent its literal block is deeper than) starts.
_ITEM = re.compile(r"[ \t]*(?:[-*+•]|#\.|\(?(?:\d+|[A-Za-z]|[ivxlcIVXLC]+)[.)])[ \t]+(?=\S)")
# Directives whose name says what their arguments are: "versionadded 3.16" (Sphinx
# shows "Added in version 3.16"); only their dots and colons go.
_NAMED = frozenset({"versionadded", "versionchanged", "versionremoved", "deprecated"})


# What only reStructuredText writes: a directive or a link target's line, a
# role, a literal in double backticks.
_MARKUP_LINE = re.compile(r"^[ \t]*\.\.[ \t]+(?:[\w:.+-]+::|_[^:\n]+:)(?=[ \t]|$)", re.M)
_ROLE_OPENS = re.compile(rf"(?<![\w`]){_ROLE}[^`\s]")
_SIGNS = (_MARKUP_LINE, _ROLE_OPENS, _LITERAL)
WRITTEN_IN_SIGNS = 3  # ... this many, of two kinds at least, make a text file reStructuredText


@functools.lru_cache(maxsize=8)
def written_in(text: str) -> bool:
    """Whether a text file is written in reStructuredText, as Django's
    documentation is (``docs/topics/http/sessions.txt``): directives or link
    targets, roles and double-backtick literals, of two kinds at least. A
    DokuWiki page's marks ("''code''", "[[page]]") are none of them."""
    counts = [len(sign.findall(text, 0, 200_000)) for sign in _SIGNS]
    return sum(counts) >= WRITTEN_IN_SIGNS and sum(1 for n in counts if n) >= 2


def marked_inline(text: str) -> bool:
    """Whether a stretch of a text file holds a role or a double-backtick literal:
    shown alone (a quote), it is read as reStructuredText then."""
    return bool(_ROLE_OPENS.search(text) or _LITERAL.search(text))


@functools.lru_cache(maxsize=2)
def marks(text: str) -> tuple[tuple[tuple[int, int], str], ...]:
    """Each mark of ``text``: its span, and "open", "close" or "" (see the module's docstring)."""
    spans: list[tuple[tuple[int, int], str]] = []
    pieces, at = [], 0
    for m in _LITERAL.finditer(text):
        spans += [(m.span(1), "open"), (m.span(2), "close")]
        pieces += [text[at : m.start()], "x" * (m.end() - m.start())]
        at = m.end()
    work = "".join(pieces) + text[at:]  # the literals stood over, so no pattern matches inside one
    for kind, pattern in _INLINE:
        for m in pattern.finditer(work):
            if kind == "reference" and not _reference(text, m.start(), m.end()):
                continue
            if kind in ("pair", "reference"):
                spans += [(m.span(1), "open"), (m.span(2), "close")]
            else:
                spans.append((m.span(1), ""))
    spans += _line_marks(text)
    return tuple(spans)


@functools.lru_cache(maxsize=2)
def inline_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The stretches of ``text`` its inline marks enclose (a role's, code's, a
    link's text), from where an opening mark ends to where its closing one
    starts, sorted, those that overlap joined.

    A mark belongs to the first pair found with it: the backtick closing one
    role does not open interpreted text running to the next role
    (":manual:`ctest(1)`.  Projects ... :prop_tgt:`X`"). Nor does a stretch
    holding a backtick count, as code left open by a stray space or tick
    ("``main ``. The template ... ``Review``") runs over sentences the writer
    did not mean as code. Nor does a literal block hold inline markup."""
    spans = marks(text)
    code = literal_lines(text)
    taken: set[int] = set()
    inside = []
    for (a, side), (b, other) in zip(spans, spans[1:]):
        marked = {*range(*a), *range(*b)}
        if side != "open" or other != "close" or not taken.isdisjoint(marked):
            continue
        taken |= marked
        if "`" not in text[a[1] : b[0]] and text.rfind("\n", 0, a[0]) + 1 not in code:
            inside.append((a[1], b[0]))
    out: list[tuple[int, int]] = []
    for a, b in sorted(inside):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return tuple(out)


def _reference(text: str, start: int, end: int) -> bool:
    """Whether "|name|" from ``start`` to ``end`` is a substitution's reference
    whose bars are markup: not alone on its line, where it is a picture's (a
    badge, a logo: no words to read) or, in sample output, a boxed table's
    title ("|DescribeInstances|"), which a sentence shown without the lines
    around it could not tell apart."""
    line = text.rfind("\n", 0, start) + 1
    after = text.find("\n", end)
    return bool(text[line:start].strip() or text[end : len(text) if after < 0 else after].strip())


def _line_marks(text: str) -> list[tuple[tuple[int, int], str]]:
    """Adornment lines and explicit markup: whole lines, or a directive's name."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    out: list[tuple[tuple[int, int], str]] = []

    def blank(i: int) -> None:
        a, b = lines[i]
        line = text[a:b]
        start = a + len(line) - len(line.lstrip())
        if start < b:
            out.append(((start, b), ""))

    code = literal_lines(text)
    i = 0
    while i < len(lines):
        a, b = lines[i]
        line = text[a:b]
        if ADORNMENT.match(line) and a not in code:
            blank(i)
            i += 1
            continue
        m = _EXPLICIT.match(line)
        if not m:
            i += 1
            continue
        rest = line[m.start(2) :]
        block = _block_end(text, lines, i, len(m.group(1).expandtabs(8)))
        directive = _DIRECTIVE.match(rest)
        footnote = _FOOTNOTE.match(rest)
        name = directive.group(2).lower() if directive else ""
        if footnote:
            out.append(((a + m.start(2), a + m.start(2) + footnote.end()), ""))
            i += 1  # its text, and what follows it indented, is read
        elif directive and not (name in _HIDDEN or name.startswith("auto") or directive.group(1)):
            # Its name goes; its arguments ("Deprecated since 3.2", a function's
            # signature) stay unless they are a file's name; then its options go,
            # and its content is read as text.
            if name in _ARGUMENTS_HIDDEN:
                blank(i)
            elif name in _NAMED:
                at = a + m.start(2)
                out.append(((at, at + directive.start(2)), ""))  # its "::" is an inline mark (_INLINE)
            else:
                out.append(((a + m.start(2), a + m.start(2) + directive.end()), ""))
            i += 1
            while i < block and _OPTION.match(text[lines[i][0] : lines[i][1]]):
                blank(i)
                i += 1
        else:
            # A hidden directive, a link target (".. _install:"), a substitution's
            # definition (".. |version| replace:: 2.4", shown where it is used) or a
            # comment: the whole block.
            for j in range(i, block):
                blank(j)
            i = block
    return out


@functools.lru_cache(maxsize=2)
def literal_lines(text: str) -> frozenset[int]:
    """Where each line of ``text``'s literal blocks starts: the lines indented
    under a paragraph ending in "::" (deeper than its text, a list item's after
    its marker), or under a code directive."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    out: set[int] = set()
    i = 0
    while i < len(lines):
        a, b = lines[i]
        line = text[a:b].rstrip()
        explicit = _EXPLICIT.match(line)
        if explicit:
            directive = _DIRECTIVE.match(line, explicit.start(2))
            opens = bool(directive) and directive.group(2).lower() in _LITERAL_DIRECTIVES
        else:
            opens = line.endswith("::")
        if not opens:
            i += 1
            continue
        item = None if explicit else _ITEM.match(line)
        expanded = (line[: item.end()] if item else line).expandtabs(8)
        depth = len(expanded) if item else len(expanded) - len(expanded.lstrip())
        end = _block_end(text, lines, i, depth)
        out.update(lines[j][0] for j in range(i + 1, end))
        i = max(end, i + 1)
    return frozenset(out)


def _block_end(text: str, lines: list[tuple[int, int]], i: int, depth: int) -> int:
    """The line after the block explicit markup at line ``i`` opens: what follows it
    indented deeper than ``depth``, blank lines within it included."""
    j = i + 1
    last = i
    while j < len(lines):
        line = text[lines[j][0] : lines[j][1]]
        if line.strip():
            if len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip()) <= depth:
                break
            last = j
        j += 1
    return last + 1
