"""Tell the article from what is not: site chrome, ads, teasers, comments.

Cleaning never edits the text. It labels stretches of it (:class:`Segment`)
so that every kept sentence can still be cited by its offsets in the raw file.
The rules are about the shape of scraped web pages in general (section
headings such as "Related Articles" or "Comments", shopping vocabulary, time
stamps, lines with no sentence in them), not about any one site.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from index.types import Document, Segment

# Section headings (a short line on its own) and what follows them.
_HEADINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(related|recommended|more|popular|trending)( reading| articles| stories| posts| news| content| from [\w .]+)?:?$"), "related"),
    (re.compile(r"^(read more|see also|you may also like|you might also like|also read)\W*$"), "related"),
    (re.compile(r"^((\d+\s+)?(user |reader )?comments?|leave a (reply|comment)|join the (conversation|discussion)|discussion)\W*$"), "comment"),
    (re.compile(r"^(about us|about the author|share this( article| story)?|follow us|newsletter|subscribe( now)?|advertisement|tags|download (the|our) app|get the app)\W*$"), "boilerplate"),
]

# Lines that are chrome wherever they stand.
_CHROME = [
    re.compile(r"^(logo|menu|search|home|share|tweet|print|email|skip to (main )?content|advertisement|sponsored( content)?)$"),
    re.compile(r"^((posted|written|published|updated)( by| on)?\s*)+$"),
    re.compile(r"\d+\s*(seconds?|minutes?|hours?|days?|weeks?|months?)\s+ago$"),
    re.compile(r"^no comments( yet)?\W*$"),
    re.compile(r"\b(download|install) (the |our )?[\w ]{0,20}app\b|\bapp-?store\b|\bplay-?store\b|\bgoogle play\b"),
    re.compile(r"\b(ai features|can do for you)\b"),
    re.compile(r"\b(right|reserves? the right)\b.{0,80}\b(monitor|remove)\b.{0,80}\bcomments?\b"),
]

# Shopping and promotion vocabulary: two of these on a line make it an ad.
_AD_CUES = re.compile(
    r"\b(e-?book|audiobook|paperback|hardcover|print edition|purchased?|buy (it|now)|order now|"
    r"available (now )?(at|on|from|everywhere|as)|amazon|audible|free trial|trial membership|discount|coupon|"
    r"subscribe|subscription|sign up|newsletter|sponsored|bookseller|book seller|publisher)\b|\$\d+(\.\d\d)?"
)
# A review blurb: a quotation attributed with a dash, typical of book ads.
_BLURB = re.compile(r"^[\"“].{20,}[\"”]\s*(--|—|–)\s*\S")
# A "Name: text" line is never used alone to spot comments (interview
# transcripts look the same); comments are found by position instead.


def segments(doc: Document) -> list[Segment]:
    """Label every non-empty line of ``doc`` with what it is."""
    text = doc.text
    if PurePosixPath(doc.source).suffix.lower() in {".html", ".htm"}:
        text = mask_html(text)
    lines = _lines(text)
    if PurePosixPath(doc.source).suffix.lower() == ".md":
        lines = _drop_front_matter(text, lines)
    kinds: list[str] = []
    headings: list[str] = []
    section = "article"
    related_title = ""
    for start, end in lines:
        line = text[start:end]
        norm = _norm(line)
        heading_kind = _heading_kind(norm)
        if heading_kind:
            section = heading_kind
            related_title = ""
            kinds.append("boilerplate")
            headings.append("")
            continue
        if not any(ch.isalnum() for ch in line) or any(p.search(norm) for p in _CHROME):
            kinds.append("boilerplate")
            headings.append("")
            continue
        if section == "related":
            # Teasers are titles; a whole embedded article is kept, under its own title.
            if _is_prose(line):
                kinds.append("related")
                headings.append(related_title)
            else:
                kinds.append("boilerplate")
                headings.append("")
                if len(norm.split()) >= 3:
                    related_title = line.strip()
            continue
        if section != "article":
            kinds.append(section)
            headings.append("")
            continue
        kinds.append("article")
        headings.append("")
    _absorb_fragments(text, lines, kinds)
    last_ad = _mark_ads(text, lines, kinds)
    _mark_trailing_comments(kinds, last_ad)
    return [Segment(s, e, k, h) for (s, e), k, h in zip(lines, kinds, headings)]


def _absorb_fragments(text: str, lines: list[tuple[int, int]], kinds: list[str]) -> None:
    """A stray fragment (an image caption, a button label) beside chrome is chrome.

    "Fragment": three words or fewer and no sentence punctuation. The first
    line (usually the title) is never absorbed.
    """
    for i in range(1, len(lines)):
        s, e = lines[i]
        line = text[s:e]
        if kinds[i] == "boilerplate" or len(line.split()) > 3 or re.search(r"[.!?:]", line):
            continue
        if kinds[i - 1] == "boilerplate" or (i + 1 < len(lines) and kinds[i + 1] == "boilerplate"):
            kinds[i] = "boilerplate"


def _mark_ads(text: str, lines: list[tuple[int, int]], kinds: list[str]) -> int:
    """Mark advertisement blocks as boilerplate; return the last ad line (or -1)."""
    is_ad = [kinds[i] == "article" and len(set(m.group(0).lower() for m in _AD_CUES.finditer(text[s:e]))) >= 2 for i, (s, e) in enumerate(lines)]
    # Grow ad blocks over neighbours with one cue or a blurb: an ad is a block.
    changed = True
    while changed:
        changed = False
        for i, (s, e) in enumerate(lines):
            if is_ad[i] or kinds[i] != "article":
                continue
            near = (i > 0 and is_ad[i - 1]) or (i + 1 < len(lines) and is_ad[i + 1])
            line = text[s:e].strip()
            if near and (_AD_CUES.search(line) or _BLURB.match(line)):
                is_ad[i] = changed = True
    for i, ad in enumerate(is_ad):
        if ad:
            kinds[i] = "boilerplate"
    return max((i for i, ad in enumerate(is_ad) if ad), default=-1)


def _mark_trailing_comments(kinds: list[str], last_ad: int) -> None:
    """Blog layout: the author's promotion closes the post, the comment thread follows.

    Lines after the last advertisement block become comments when that block
    stands in the second half of the article and text follows it.
    """
    if last_ad < 0:
        return
    article_lines = [i for i, k in enumerate(kinds) if k == "article"]
    before = [i for i in article_lines if i < last_ad]
    after = [i for i in article_lines if i > last_ad]
    if len(after) >= 2 and len(before) >= len(after) // 2 and len(before) >= 3:
        for i in after:
            kinds[i] = "comment"


def _heading_kind(norm: str) -> str:
    if len(norm.split()) > 6:
        return ""
    for pattern, kind in _HEADINGS:
        if pattern.match(norm):
            return kind
    return ""


def _is_prose(line: str) -> bool:
    words = line.split()
    return len(words) >= 20 and bool(re.search(r"[.!?][\"'”’)]*(\s|$)", line))


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append((start, end))
    return out


def _drop_front_matter(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if not lines or text[lines[0][0] : lines[0][1]] != "---":
        return lines
    for i in range(1, len(lines)):
        if text[lines[i][0] : lines[i][1]] == "---":
            return lines[i + 1 :]
    return lines


def _norm(line: str) -> str:
    return " ".join(line.lower().replace("’", "'").split())


_SCRIPT = re.compile(r"<(script|style|noscript|head|nav|footer|aside|template)\b.*?</\1\s*>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(r"</?(p|div|br|h[1-6]|li|ul|ol|tr|td|th|table|section|article|header|blockquote|pre|hr|title|figure|figcaption)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def mask_html(html: str) -> str:
    """The text of an HTML page with all markup blanked out, offsets unchanged.

    Scripts, styles and navigation disappear; block tags become line breaks so
    that paragraphs stay paragraphs. Every character keeps its position, so a
    sentence found here is cited by its offsets in the raw file.
    """

    def blank(m: re.Match[str]) -> str:
        return "".join("\n" if ch == "\n" else " " for ch in m.group(0))

    def block(m: re.Match[str]) -> str:
        s = blank(m)
        return "\n" + s[1:]

    out = _SCRIPT.sub(blank, html)
    out = _COMMENT.sub(blank, out)
    out = _BLOCK_TAG.sub(block, out)
    return _TAG.sub(blank, out)
