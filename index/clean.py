"""Tell the article from what is not: site chrome, ads, teasers, comments.

Cleaning never edits the text. It labels stretches of it (:class:`Segment`)
so that every kept sentence can still be cited by its offsets in the raw file.

The rules are conservative: a line is dropped only on evidence that it is not
the article, and when unsure the text is kept. Evidence is local to a line or
a block:

* chrome: short lines that are navigation or buttons ("Share", "3 days ago"),
  HTML lines that are mostly links, promotion with two or more shopping or
  app-store cues of which at least one is unambiguous (or four ambiguous ones) (a sentence that merely
  says "purchased" and "$7.2 million" is news, not an ad);
* a boilerplate heading ("Share this", "Subscribe", "Advertisement") is
  dropped alone: what follows it is article text again;
* only three headings open a section that runs on: reader comments
  ("Comments", "Comments (3)", "Leave a reply"), related articles
  ("Related Articles", "Most read": teaser
  titles dropped, a whole embedded article kept under its own title), and a
  footer ("About us") when it stands at the tail of the page;
* a blog's comment thread that has no heading is recognised after the
  author's closing advertisement only when the lines that follow look like
  comments (a "Name:" opener, a bare link, one-word replies);
* in a web page, what the page itself says is not its content: a region an
  ARIA role marks as navigation, banner, sidebar, search or footer; a
  ``<header>`` outside the ``<main>`` or ``<article>`` it marks; a block its
  class, id, test id or accessible label names a cookie notice, newsletter
  box, ad, pop-up, menu, sidebar or footer; a footnote's mark;
* a section opened by a heading ends at the document's next heading (on a
  web page, the next of its rank or higher; in a manual page, the next in
  capitals: "SEE ALSO", then "BUGS");
* wiki markup in a text file (DokuWiki keeps its pages so) is blanked like
  a page's tags: "====== Title ======", "[[page|text]]", "**bold**".
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from html import unescape
from pathlib import PurePosixPath

from index import fences, rst
from index.sentences import soft_breaks
from index.types import Document, Segment

# Headings (a short line on its own) that open a section running on.
_SECTION_HEADINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(related|recommended)( reading| articles| stories| posts| news| content| coverage)?( from [\w .]+)?$"), "related"),
    (re.compile(r"^(more|popular|trending|latest)( reading| articles| stories| posts| news| from [\w .]+)$"), "related"),
    (re.compile(r"^(read more|see also|you (may|might|will|'ll) also (like|enjoy)|also read|further reading)$"), "related"),
    (re.compile(r"^(most (read|popular|viewed|shared|commented)|top stories|editor'?s picks)( (articles|stories|today|this week))?$"), "related"),
    (
        re.compile(
            r"^((\d+\s+)?(user |reader |visitor )?(comments?|responses|replies)|leave a (reply|comment)|"
            r"join the (conversation|discussion)|what do you think\??|add a comment)$"
        ),
        "comment",
    ),
]
# Headings of a page footer: they end the page only when little text follows.
# Those that label a post end it only over labels: under a document's own
# "## Tags" or "Topics" heading, prose is its text ("Tags mark release points.").
_LABELS = r"tags|topics|filed under"
_LABELS_HEADING = re.compile(rf"^({_LABELS})$")
# A page's copyright line, by its year, sign or reservation ("Copyright © 2025
# Saltmere Weekly. All rights reserved."), not a section on copyright ("Copyright
# notice for the tide data" over the terms the data may be reused on).
_COPYRIGHT_LINE = r"(copyright\b.*(\d{4}|©|&copy;|\(c\)|all rights reserved)|(©|&copy;) ?\d{4}\b).*"
_FOOTER_HEADING = re.compile(
    rf"^(about us|about the author|about the publisher|{_LABELS}|copyright|{_COPYRIGHT_LINE}|(media|press) (contacts?|enquiries|inquiries))$"
)
# Share of the page's text that may follow a footer heading.
FOOTER_TAIL_SHARE = 0.25
# Headings that are chrome themselves and nothing more.
_CHROME_HEADING = re.compile(
    r"^(share this( article| story| post| page)?|share on \w+|follow us( on \w+)?|newsletter|sign up|"
    r"subscribe( now| today)?( to (our|the) newsletter)?|advertisement|advert|sponsored( content)?|"
    r"download (the|our) app|get the app)$"
)

# A teaser's link to the rest of its story. Said once after a page's text, it may
# head the page's teasers of other stories ("Read more", then their titles);
# said after each of several teasers, it is each one's link.
_TEASER_LINKS = frozenset({"read more", "continue reading", "read the full story", "read the full article", "full story"})

# Lines that are chrome wherever they stand: all short, so prose never matches.
CHROME_MAX_WORDS = 8
_NO_COMMENTS = re.compile(r"^no comments( yet)?\W*$")
_CHROME = [
    re.compile(r"^(logo|menu|search|home|share|tweet|print|email|e-mail|skip to (main )?content|advertisement|sponsored( content)?|back to top|close)$"),
    re.compile(rf"^({'|'.join(sorted(_TEASER_LINKS))})( [»›→]| \.\.\.)?$"),
    re.compile(r"^((posted|written|published|updated)( by| on)?\s*)+$"),
    _NO_COMMENTS,
    # A page's feedback box ("Is this page useful?", "Was this article helpful?"), a post's counters ("3 Likes").
    re.compile(r"^(is|was) this (page|article|answer|information|post) (useful|helpful)\??$|^thank you for your feedback$|^report a problem with this page$"),
    re.compile(r"^\d+ (likes?|shares?|views?|replies|reply)$|^\d+ min(ute)? read$"),
    # A notebook's cell prompts ("In [3]:", "Out[3]:").
    re.compile(r"^(in|out) ?\[\s*\d*\s*\]$"),
    # A page's number: "Page 2 of 4", an RFC's footer "Alvarsson  Informational  [Page 2]".
    re.compile(r"^page \d{1,4}( of \d{1,4})?$|\[page \d{1,4}\]$"),
    # A page's audio player ("Listen to this article"), an email's link to its web copy.
    re.compile(r"^listen to this (article|post|story|episode)$"),
    re.compile(r"\bview (this|the) (email|newsletter|message) (in|on) (your|a|the) (web )?browser\b"),
    # A site's promotion of its AI ("Try Our AI Features", "Explore what Daily8 AI can do for you:").
    re.compile(r"\b(ai features|ai can do for you)\b"),
    # A site's navigation heading (a MediaWiki's "Navigation menu" over its menus),
    # a generator's credit ("Created using Sphinx 5.3.0").
    re.compile(r"^(navigation|navigation menu|site navigation|main menu|on this page|table of contents)$"),
    # The categories a wiki hides from readers but lists for its editors, under its own categories.
    re.compile(r"^hidden categories$"),
    re.compile(r"^((created|generated) (using|with)|(powered|printed) by) [\w .-]{1,30}$"),
    # A wiki's or a blog's invitation to like a page ("Be the first to like this", under Confluence's "Like").
    re.compile(r"^be the first to (like|rate|review|comment on) this( page| post| article)?$"),
    re.compile(r"^(log|sign) in to (comment|reply|post|continue)$|^print this (page|article|story)$"),
    # A blog's "Like" widget ("Like this:", then "Like Loading..."), its reply form's heading and link.
    re.compile(r"^(like this|like loading|leave a reply( cancel reply)?|cancel reply)$"),
    # A news page's note around an ad ("Story continues below advertisement", "Skip Advertisement").
    re.compile(r"^((the )?(story|article) continues (below|after)( the)?( advertisement| advert| ad)?|continue reading( below| the main story)?|skip (advertisement|advert|ad))$"),
]
# A page's controls: an account's links, a "Like" button, a cookie banner's buttons. Chrome, but
# not as a heading of the document's own ("## Sign in" over how to sign in).
_CONTROLS = re.compile(
    r"^(sign in|log in|log out|sign out|register|subscribe|like|unlike)$|"
    r"^(accept|reject|allow|decline) (all|all cookies|cookies|necessary cookies)$|^(manage|cookie) (preferences|settings|options)$"
)
_CONTROL_BAR = re.compile(r"\s*[|·•]\s*")  # "Subscribe | Sign in": a row of them
# A cookie banner's notice: the site's cookies, and the reader's agreement to them
# by reading on or with a button ("We use cookies ... By continuing you agree ...").
_SITE_COOKIES = re.compile(r"\b(we|this (site|website)|our (site|website)) uses? cookies\b|\bour use of cookies\b")
_AGREEING = re.compile(r"\b(by continuing|by using|you (agree|consent|accept)|accept all)\b")
COOKIE_NOTICE_MAX_WORDS = 60
# A teaser set inline between a story's paragraphs: a label, then another story's
# title ("READ MORE: Harbour board approves new pier budget", "Also read | ...").
# Chrome when no sentence and no heading of the document's own (not "See also: the
# 2023 report, which lists every mooring.", nor "## Related: Windows").
TEASER_MAX_WORDS = 20
_INLINE_TEASER = re.compile(r"^(read more|also read|read also|related|watch|listen|see also|recommended)\s*[:|]\s*\S")
# Chrome only when no sentence: a post's or a comment's time stamp ("Anna Lee ·
# 5 minutes ago", not "The pier reopened 3 weeks ago."), and a site's button or
# banner for its app ("Download the app", "Get it on Google Play", not
# "Install the Authenticator app on your phone.").
_AGO_STAMP = re.compile(r"\d+\s*(seconds?|minutes?|hours?|days?|weeks?|months?)\s+ago$")
_APP_PROMO = re.compile(r"\b(download|install) (the |our )?[\w ]{0,20}app\b|\bapp-?store\b|\bplay-?store\b|\bgoogle play\b")
# A page's edit stamp ("start.txt · Last modified: 2026/12/03 12:41 by admin",
# "This page was last edited on 3 December 2026, at 12:42."): when the page
# changed, not what it says. A date must follow, so prose that opens "Last
# updated in the 1990s, the map ..." is no stamp.
_EDIT_STAMP = re.compile(r"^(?:\S+\s+[·|•–-]\s+)?(?:this page was\s+|page\s+)?last (?:modified|edited|updated|changed)(?:\s+on|\s+at)?\s*:?\s*\d")
EDIT_STAMP_MAX_WORDS = 16
# A trail of breadcrumbs that names itself ("You are here: Home > Business > Saltmere").
_YOU_ARE_HERE = re.compile(r"^you are here\s*:")
BREADCRUMBS_MAX_WORDS = 20
# A comment policy is chrome at any length.
_COMMENT_POLICY = re.compile(r"\b(right|reserves? the right)\b.{0,80}\b(monitor|remove)\b.{0,80}\bcomments?\b")

# Promotion vocabulary. A line is an ad with two distinct cues of which one is
# strong, or three weak ones: every weak cue alone is ordinary news vocabulary.
_STRONG_CUES = re.compile(
    r"\b(e-?book|audiobook|paperback|hardcover|print edition|buy (it|now|today)|order (it |yours )?now|shop now|"
    r"add to (cart|basket)|free trial|trial membership|coupon|promo code|bookseller|book seller|"
    r"available (now )?(at|on) amazon|download (\w+ )?app|(preferred|your) app store|get started now|subscribe for free)\b"
)
_FORMATS = frozenset({"e-book", "ebook", "audiobook", "paperback", "hardcover", "print"})  # as _cue names them
_WEAK_CUES = re.compile(
    r"\b(purchased?|amazon|audible|discount|subscribe|subscription|sign up|newsletter|sponsored|publisher|"
    r"available (now )?(at|on|from|everywhere|as)|vendors?)\b|\$\d+(\.\d\d)?"
)
# A review blurb: a quotation attributed with a dash, typical of book ads.
_BLURB = re.compile(r"^[\"“].{20,}[\"”]\s*(--|—|–)\s*\S")

# What a comment thread looks like, line by line.
_COMMENTER = re.compile(r"^[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}:\s")
_BARE_URL = re.compile(r"^(https?://|www\.)\S+$")
# "Comments" alone may be a report's section, "What do you think?" what an
# opinion piece asks its readers halfway, "Join the discussion" a guide's own
# section: they open a thread only when replies follow.
_AMBIGUOUS_COMMENT_HEADINGS = {
    "comment", "comments", "responses", "replies", "what do you think?", "what do you think",
    "join the conversation", "join the discussion",
}
COMMENT_SIGNS = 2  # lines with such signs needed after an ad to call the rest comments


# The suffixes an article is read by; anything else is reported as not read.
TEXT_SUFFIXES = frozenset({".txt"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})  # MDX: Markdown with JSX, as Docusaurus writes it
WEB_SUFFIXES = frozenset({".html", ".htm"})
RST_SUFFIXES = rst.RST_SUFFIXES  # read as text files are, their markup blanked (index.rst)


# Asked for every sentence shown or scored: a path parsed each time was most
# of the time spent showing a large page.
@functools.lru_cache(maxsize=4096)
def is_web_page(source: str) -> bool:
    """Whether ``source`` is read as a web page (by its file name's suffix)."""
    return PurePosixPath(source).suffix.lower() in WEB_SUFFIXES


@functools.lru_cache(maxsize=4096)
def is_markdown(source: str) -> bool:
    """Whether ``source`` is read as Markdown (by its file name's suffix)."""
    return PurePosixPath(source).suffix.lower() in MARKDOWN_SUFFIXES


def is_mdx(source: str) -> bool:
    """Whether ``source`` is MDX (Markdown with JSX), read as Markdown without its JavaScript."""
    return _suffix(source) == ".mdx"


def is_plain_text(source: str) -> bool:
    """Whether ``source`` is a text file (``.txt``), which may be written in a wiki's markup or in reStructuredText."""
    return _suffix(source) in TEXT_SUFFIXES


def is_rst(source: str, text: str = "") -> bool:
    """Whether ``source`` is reStructuredText, a text file whose marks are
    index.rst's: by its file name's suffix, or, a ``.txt`` file, by its
    ``text`` (:func:`index.rst.written_in`)."""
    suffix = _suffix(source)
    return suffix in RST_SUFFIXES or (bool(text) and suffix in TEXT_SUFFIXES and rst.written_in(text))


@functools.lru_cache(maxsize=4096)
def _suffix(source: str) -> str:
    return PurePosixPath(source).suffix.lower()


def segments(doc: Document, text: str) -> list[Segment]:
    """Label every non-empty line of ``doc`` with what it is; ``text`` is its :func:`visible_text`."""
    markdown, web = is_markdown(doc.source), is_web_page(doc.source)
    plain = not markdown and not web
    rst_file = is_rst(doc.source, doc.text)
    links: list[tuple[int, int]] = []
    pager: list[tuple[int, int]] = []
    if web:
        links = link_spans(doc.text)
        pager = pager_link_spans(doc.text)
    code = code_blocks(doc.source, doc.text, text)  # where "# ..." is a comment, not a heading, and no line runs on
    lines = _lines(text, markdown=markdown, wrapped=wrapping_text(doc.source, doc.text, text), rst_file=rst_file, code=code)
    if markdown:
        lines = _drop_front_matter(text, lines)
    ranks = heading_ranks(doc.text, lines) if web else {}
    page_title = _page_title(doc.text) if web else ""
    total = sum(e - s for s, e in lines) or 1
    kinds: list[str] = []
    headings: list[str] = []
    levels: dict[int, int] = {}  # the rank of each line that is a heading (1 for <h1> or "#")
    fence_lines = fences.fence_lines(text) if markdown else frozenset()
    section = "article"
    section_rank = 0  # the rank (1 for <h1>) of the page heading that opened ``section``; 0: none did
    related_title = ""
    reopening: set[int] = set()  # the headings that end such a section: the document's own
    # The page's heading that says its title (index.corpus found it): the document's own, even
    # when it stands beside chrome ("Skip to content" over a docs page's "Rate limits").
    own_title = _norm(doc.meta.title) if web else ""
    titled: set[int] = set()
    said: Counter[str] | None = None  # how often each line is said, counted when a teaser's link asks
    for i, (start, end) in enumerate(lines):
        line = text[start:end]
        if start in fence_lines:
            kinds.append("boilerplate")  # a code block's fence: markup
            headings.append("")
            continue
        if fences.inside(code, start):
            # Code: a "# See also" or "# Copyright ..." in a script is a comment
            # of its own, and opens or ends no section of the page.
            kinds.append(section)
            headings.append(related_title if section == "related" else "")
            continue
        # Nor does a line set in as far as code is (an indented listing, a
        # manual's text under its heading): no heading is set in that far.
        set_in = not web and _indent(doc.text, start) >= CODE_INDENT
        norm = _norm(line)
        markdown_heading = markdown and not set_in and line.lstrip().startswith("#")
        wiki_heading = plain and not set_in and (
            WIKI_HEADING_OPEN.fullmatch(doc.text, doc.text.rfind("\n", 0, start) + 1, start) is not None
            or (rst_file and underlined(doc.text, end))
        )
        # A manual's section heading in capitals ("SEE ALSO", then "BUGS") ranks as a page's <h1> does.
        rank = ranks.get(i, 0) or (1 if plain and not set_in and _CAPITALS_HEADING.fullmatch(line.strip()) else 0)
        if rank or markdown_heading:
            levels[i] = rank or markdown_heading_rank(line)
        if i in ranks and own_title and _norm(unescape(line).replace("¶", "")) == own_title:
            titled.add(i)
        if (
            (links and _link_dense(text, start, end, links) and not (i in ranks and _titles(norm, page_title)))
            or sum(1 for a, b in pager if start <= a and b <= end) >= 2
            or (markdown and _markdown_markup(line))
            or (plain and _CONTENTS_ENTRY.search(line))
        ):
            # Navigation, and never a heading: a table of contents' "See also" or
            # "Comments" entry must not open a section over the whole page.
            kinds.append("boilerplate")
            headings.append("")
            continue
        opened = _section_heading(norm) if not set_in else ""
        if opened == "related" and norm in _TEASER_LINKS:
            said = said if said is not None else Counter(_norm(text[a:b]) for a, b in lines)
            if said[norm] > 1:
                opened = ""  # each teaser's own "Read more" (a digest's, a blog's front page): chrome, not a heading over the rest
        if opened == "related" and markdown and i + 1 < len(lines) and _is_prose(text[lines[i + 1][0] : lines[i + 1][1]]):
            # In Markdown a teaser's title is a heading of its own: prose straight under
            # "## See also" or "## Latest news" is the file's own section.
            opened = ""
        if opened == "comment" and norm in _AMBIGUOUS_COMMENT_HEADINGS and not _thread_follows(text, lines, i, markdown):
            opened = ""  # a report's own "Comments" section: its text is the report's
        if opened:
            section, section_rank, related_title = opened, rank, ""
            kinds.append("boilerplate")
            headings.append("")
            continue
        # A document's own "Copyright" heading heads its text ("## Copyright Change").
        own_copyright = bool(markdown_heading or wiki_heading or rank) and norm.startswith("copyright")
        if (
            _FOOTER_HEADING.match(norm)
            and not own_copyright
            and not set_in
            and sum(e - s for s, e in lines[i + 1 :]) <= FOOTER_TAIL_SHARE * total  # (summed only under such a heading)
            and not (_LABELS_HEADING.match(norm) and any(_is_prose(text[a:b]) for a, b in lines[i + 1 :]))
        ):
            section, section_rank = "boilerplate", rank
            kinds.append("boilerplate")
            headings.append("")
            continue
        if markdown_heading or wiki_heading or (rank and rank <= section_rank):
            # A report's own heading ends a comment or related section; on a web
            # page, one of the rank of the heading that opened it or higher (a
            # wiki's "See also", then its "References"): teasers under a
            # "Related" heading are headings of a lower rank.
            if section != "article":
                reopening.add(i)
            section, section_rank = "article", 0
        if _is_chrome(line, norm) or (not (markdown_heading or wiki_heading or rank) and (_controls(norm) or _inline_teaser(line, norm))):
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
                    # As a reader sees it: a page's entities decoded ("board&#039;s").
                    related_title = unescape(" ".join(line.split())) if web else line.strip()
            continue
        kinds.append(section)
        headings.append("")
    if web:
        _mark_named_comments(doc.text, lines, kinds)
    _absorb_fragments(text, lines, kinds, reopening | titled | _subheadings(doc.text, text, lines, kinds, web, markdown), doc.text if web else "")
    _empty_sections(kinds, levels)  # after: a heading made chrome is no evidence that a fragment beside it is
    last_ad = _mark_ads(text, lines, kinds)
    _mark_trailing_comments(text, lines, kinds, last_ad)
    return [Segment(s, e, k, h) for (s, e), k, h in zip(lines, kinds, headings)]


# A table of contents' entry in text: its dot leaders and page number ("Introduction . . . . 2").
_CONTENTS_ENTRY = re.compile(r"\w\s*(?:\.\s?){4,}\s+\d{1,4}\s*$")
PAGE_EDGE = 2  # lines at the top and at the foot of each page where its running header and footer stand
# Pages a line must stand at the edge of to run over them (all pages of a shorter text): a
# licence's title at the top of its first page and of its terms is no running header.
RUNNING_PAGES = 3
_PAGE_NUMBER = re.compile(r"[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?")


@functools.lru_cache(maxsize=4)
def _page_breaks(text: str) -> tuple[tuple[int, int, int], ...]:
    """Where a text set in pages breaks them: from the end of the last line of
    text before each page break to the start of the first line after it,
    running footer, form feed and running header between, and how many line
    breaks stand for it there: one where a sentence runs on over the page
    break ("... added to our" / "reserves."), two elsewhere (a page may end
    with a paragraph or a heading). And the running header over the first
    page and the footer under the last, with none."""
    lines = []  # the text's own lines, none joined
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            lines.append((start, end))
    furniture = _page_furniture(text, lines)
    body = [line for i, line in enumerate(lines) if i not in furniture]
    starts = [a for a, _ in body]
    found = []
    for m in re.finditer("\f", text):
        after = bisect.bisect_right(starts, m.start())
        if after == 0 or after == len(body):
            continue
        end_before, start_after = body[after - 1][1], text.rfind("\n", 0, body[after][0]) + 1
        if end_before < start_after:
            runs_on = _RUNS_ON.search(text, 0, end_before) and text[body[after][0]].islower()
            found.append((end_before, start_after, 1 if runs_on else 2))
    # And the first page's header and the last page's footer, on lines of their own.
    found += [(a, b, 0) for i, (a, b) in enumerate(lines) if i in furniture and not any(s <= a < e for s, e, _ in found)]
    return tuple(sorted(found))


_RUNS_ON = re.compile(r"[^.!?:\"”’)\]]$")


def _without_page_furniture(text: str, breaks: tuple[tuple[int, int, int], ...]) -> str:
    """``text`` with each of ``breaks`` (:func:`_page_breaks`) blanked but for its line breaks, offsets unchanged."""
    parts = []
    pos = 0
    for start, end, newlines in breaks:
        newlines = min(newlines, end - start)  # a form feed within a line leaves one line break to stand for it
        parts += [text[pos:start], " " * (end - start - newlines), "\n" * newlines]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _page_furniture(text: str, lines: list[tuple[int, int]]) -> set[int]:
    """The running headers and footers of a text set in pages (a PDF's text, an
    RFC: its pages parted by form feeds), and its page numbers: a line at the
    top or the foot of three pages or more, its numbers aside ("Millbrook Valley
    Food Partnership — Annual Report 2025", "RFC 9999   TGTX Format
    December 2026"), or a number alone there ("2", "- 2 -")."""
    if "\f" not in text:
        return set()
    breaks = [m.start() for m in re.finditer("\f", text)]
    pages: dict[int, list[int]] = {}
    for i, (start, _) in enumerate(lines):
        pages.setdefault(bisect.bisect_right(breaks, start), []).append(i)
    edges = {i for page in pages.values() for i in page[:PAGE_EDGE] + page[-PAGE_EDGE:]}

    def key(i: int) -> str:
        return re.sub(r"\d+", "#", " ".join(text[lines[i][0] : lines[i][1]].split()).lower())

    seen: dict[str, set[int]] = {}
    for page, members in pages.items():
        for i in set(members[:PAGE_EDGE] + members[-PAGE_EDGE:]):
            seen.setdefault(key(i), set()).add(page)
    running = min(RUNNING_PAGES, len(pages))
    return {i for i in edges if len(seen[key(i)]) >= running or _PAGE_NUMBER.fullmatch(text, lines[i][0], lines[i][1])}


_TITLE_ELEMENT = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
TITLE_WORDS = 3  # a heading this long that begins the page's title is that title, not a site's name


def _page_title(page: str) -> str:
    m = _TITLE_ELEMENT.search(page)
    return _norm(unescape(TAG.sub("", m.group(1)))) if m else ""


TITLE_SEPARATORS = "-–—|:·•»"  # between a page's title and its site's name


def _titles(norm: str, page_title: str) -> bool:
    """Whether a heading (``norm``, as :func:`_norm` reads it) is the page's own
    title, which a blog links to the post's own address ("<h1><a
    href=\"/2026/02/18/weighing-a-beehive/\">Weighing a beehive every ten
    minutes</a></h1>", the page's title "Weighing a beehive every ten minutes -
    Hive Notes"): the post's title, not navigation."""
    if not norm or not page_title.startswith(norm):
        return False
    rest = page_title[len(norm) :].lstrip()
    return not rest or (len(norm.split()) >= TITLE_WORDS and rest[:1] in TITLE_SEPARATORS)


# A manual's section heading ("EXPRESSIONS"): a few words in capitals, no stop.
_CAPITALS_HEADING = re.compile(r"[A-Z][A-Z0-9 /&-]{2,40}")
THREAD_OPENING = 4  # lines under a "Comments" heading that must look like replies for a thread to follow


def _thread_follows(text: str, lines: list[tuple[int, int]], i: int, markdown: bool) -> bool:
    """Whether the first lines under heading ``i`` look like a comment thread.

    Only the first few: in a plain-text manual a "COMMENTS" section about a
    language's comments runs on to the end of the file, where some short line
    would always be found.
    """
    body = []
    for s, e in lines[i + 1 : i + 1 + THREAD_OPENING]:
        line = text[s:e]
        if _section_heading(_norm(line)) or (markdown and line.lstrip().startswith("#")) or _CAPITALS_HEADING.fullmatch(line.strip()):
            break
        body.append(line.strip())
    return _comment_signs(body) >= 1 or any(_NO_COMMENTS.search(_norm(line)) for line in body)


def _comment_signs(lines: list[str]) -> int:
    """How many lines read like replies: a writer's name first, a bare link, a few words.

    Not a few words that introduce what follows ("For example:", over an
    example of a config file's comments), nor a code fence ("```ini").
    """
    return sum(
        1
        for line in lines
        if _COMMENTER.match(line) or _BARE_URL.match(line) or (len(line.split()) <= 3 and not line.endswith(":") and not fences.FENCE_LINE.match(line))
    )


# A blog's count of the replies to its post, by the post's quoted title ("2
# thoughts on “Old mill reopens as a community bakery”", "One response to ...").
_REPLY_COUNT = re.compile(
    r"^(\d+|one) (thoughts?|comments?|responses?|repl(y|ies)) (on|to) ([\"“'‘]|&ldquo;|&#8220;|&quot;).{1,200}([\"”'’]|&rdquo;|&#8221;|&quot;)$"
)


# A heading's count of what it heads: "Comments (3)", "Comments: 12".
_COUNT = re.compile(r"\s*(?:\(\d+\)|\[\d+\]|:\s*\d+)$")


def _section_heading(norm: str) -> str:
    if _REPLY_COUNT.match(norm):
        return "comment"
    norm = _COUNT.sub("", norm)
    if len(norm.split()) > 6:
        return ""
    for pattern, kind in _SECTION_HEADINGS:
        if pattern.match(norm):
            return kind
    return ""


def _is_chrome(line: str, norm: str) -> bool:
    if not any(ch.isalnum() for ch in line):
        return True
    if _COMMENT_POLICY.search(norm) or (len(norm.split()) <= EDIT_STAMP_MAX_WORDS and _EDIT_STAMP.match(norm)) or _cookie_notice(norm):
        return True
    if len(norm.split()) <= BREADCRUMBS_MAX_WORDS and _YOU_ARE_HERE.match(norm):
        return True
    if len(norm.split()) <= CHROME_MAX_WORDS and (
        _CHROME_HEADING.match(norm)
        or any(p.search(norm) for p in _CHROME)
        or ((_APP_PROMO.search(norm) or _AGO_STAMP.search(norm)) and not _SENTENCE_END.search(line))
    ):
        return True
    return _ad_strength(norm) == 2


def _controls(norm: str) -> bool:
    """Whether a line is a page's control, or a row of them ("Subscribe | Sign in")."""
    if "&" in norm:
        norm = unescape(norm).replace("\xa0", " ")  # a page's "Subscribe&nbsp;|&nbsp;Sign in"
    return all(_CONTROLS.match(part) for part in _CONTROL_BAR.split(norm.strip()))


def _inline_teaser(line: str, norm: str) -> bool:
    return bool(_INLINE_TEASER.match(norm)) and len(norm.split()) <= TEASER_MAX_WORDS and not _SENTENCE_END.search(line)


def _cookie_notice(norm: str) -> bool:
    return len(norm.split()) <= COOKIE_NOTICE_MAX_WORDS and bool(_SITE_COOKIES.search(norm)) and bool(_AGREEING.search(norm))


def _ad_strength(norm: str) -> int:
    """2: the line is promotion; 1: it has a cue (joins an ad next to it); 0: none."""
    strong = {_cue(m.group(0)) for m in _STRONG_CUES.finditer(norm)}
    weak = {_cue(m.group(0)) for m in _WEAK_CUES.finditer(norm)}
    # Formats alone sell nothing: "borrow an ebook or an audiobook with your
    # library card" is a library's text; "now available as an ebook" sells.
    if (strong and len(strong) + len(weak) >= 2 and (strong | weak) - _FORMATS) or len(weak) >= 4:
        return 2
    return 1 if strong - _FORMATS else 0


def _cue(match: str) -> str:
    # Ten prices are one cue, not ten: a paragraph on tuition fees is no ad.
    return "$" if match.startswith("$") else match.split()[0]


def _empty_sections(kinds: list[str], levels: dict[int, int]) -> None:
    """A heading over a list of chrome and nothing else is chrome: it names no text of the page.

    Confluence's "Attachments:" over its list of files, a wiki's "External
    links" over its links. Not the page's first line (its title), and not a
    heading over a single line of chrome: an FAQ's question whose answer is
    a link, an API's name over its "Returns:" link.
    """
    for i, level in levels.items():
        if i == 0 or kinds[i] == "boilerplate":
            continue
        j = i + 1  # up to the section's end (the next heading of its rank or higher) or its first line of text
        while j < len(kinds) and levels.get(j, level + 1) > level and kinds[j] == "boilerplate":
            j += 1
        ended = j == len(kinds) or levels.get(j, level + 1) <= level
        if ended and j >= i + 3:
            kinds[i] = "boilerplate"


def _mark_named_comments(page: str, lines: list[tuple[int, int]], kinds: list[str]) -> None:
    """Every line of text within a block the page names as its comment thread is a comment."""
    blocks = _comment_blocks(page)
    if not blocks:
        return
    starts = [a for a, _ in blocks]
    for i, (start, _) in enumerate(lines):
        j = bisect.bisect_right(starts, start) - 1
        if j >= 0 and start < blocks[j][1] and kinds[i] != "boilerplate":
            kinds[i] = "comment"


_OPEN_BOLD = re.compile(r"<(b|strong)\b[^>]*>", re.I)
_CLOSE_BOLD = re.compile(r"</(b|strong)\s*>", re.I)
_TAGS_BEFORE = re.compile(r"(?:<[^>]+>\s*)+$")
_TAGS_AFTER = re.compile(r"\s*(?:<[^>]+>\s*)+")
_MD_BOLD_LINE = re.compile(r"\s*(\*\*|__)(?!\s)[^*_]+(?<!\s)\1\s*")


def _subheadings(page: str, text: str, lines: list[tuple[int, int]], kinds: list[str], web: bool, markdown: bool) -> set[int]:
    """The lines set wholly in bold over a paragraph of the article: a
    subheading where a page marks one without a heading element ("<p><b>Business
    booming</b></p>", "**Business booming**"), not a stray caption or a
    button's label beside chrome."""
    found: set[int] = set()
    for i in range(1, len(lines) - 1):
        s, e = lines[i]
        if kinds[i + 1] != "article" or not _is_prose(text[lines[i + 1][0] : lines[i + 1][1]]):
            continue
        if markdown:
            bold = _MD_BOLD_LINE.fullmatch(page, s, e) is not None
        elif web:
            before = _TAGS_BEFORE.search(page, max(0, s - 400), s)
            after = _TAGS_AFTER.match(page, e)
            bold = (
                before is not None and after is not None
                and _OPEN_BOLD.search(before.group(0)) is not None
                and _CLOSE_BOLD.search(after.group(0)) is not None
                and not _CLOSE_BOLD.search(page, s, e)
            )
        else:
            bold = False
        if bold:
            found.add(i)
    return found


def _absorb_fragments(
    text: str, lines: list[tuple[int, int]], kinds: list[str], headings: Collection[int] = (), page: str = ""
) -> None:
    """A stray fragment (an image caption, a button label) beside chrome is chrome.

    "Fragment": three words or fewer and no sentence punctuation. The first
    line (usually the title) is never absorbed, nor a heading beside its
    underline, nor one of ``headings`` (a heading that ends a related section
    is the document's: "References" under a "See also" list; a page's heading
    that says its title), nor a web
    ``page``'s table row of two cells or more (a fact box's "Constructed |
    1852" under a row of links is a fact).
    """
    def chrome(j: int) -> bool:
        # A rule or a heading's underline ("--------") is no evidence: it has no words;
        # nor is a code fence ("```ini"): the short lines it opens are code, not captions;
        # nor a picture (a heading above it is the document's), nor a story's "Read more"
        # (the title of the next story stands after it).
        line = text[lines[j][0] : lines[j][1]]
        return (
            kinds[j] == "boilerplate"
            and any(ch.isalnum() for ch in line)
            and not fences.FENCE_LINE.match(line)
            and not _MD_IMAGES_ONLY.fullmatch(line.strip())
            and _norm(line) not in _TEASER_LINKS
        )

    for i in range(1, len(lines)):
        s, e = lines[i]
        line = text[s:e]
        if kinds[i] == "boilerplate" or i in headings or len(line.split()) > 3 or re.search(r"[.!?:]", line):
            continue
        if page and CELL_TAG.search(page, s, e):
            continue
        if chrome(i - 1) or (i + 1 < len(lines) and chrome(i + 1)):
            kinds[i] = "boilerplate"


def _mark_ads(text: str, lines: list[tuple[int, int]], kinds: list[str]) -> int:
    """Grow advertisement blocks over neighbours; return the last ad line (or -1).

    Lines already found to be promotion seed a block; a neighbour joins it
    when it has a strong cue of its own or is a review blurb.
    """
    is_ad = [kinds[i] == "boilerplate" and _ad_strength(_norm(text[s:e])) == 2 for i, (s, e) in enumerate(lines)]
    changed = True
    while changed:
        changed = False
        for i, (s, e) in enumerate(lines):
            if is_ad[i] or kinds[i] not in ("article", "boilerplate"):
                continue
            near = (i > 0 and is_ad[i - 1]) or (i + 1 < len(lines) and is_ad[i + 1])
            line = text[s:e].strip()
            if near and (_ad_strength(_norm(line)) >= 1 or _BLURB.match(line)):
                is_ad[i] = changed = True
                kinds[i] = "boilerplate"
    return max((i for i, ad in enumerate(is_ad) if ad), default=-1)


def _mark_trailing_comments(text: str, lines: list[tuple[int, int]], kinds: list[str], last_ad: int) -> None:
    """Blog layout: the author's promotion closes the post, the comment thread follows.

    Lines after the last advertisement block become comments only when that
    block stands in the second half of the article and the lines after it
    look like a thread: replies that name their writer ("Ray: ..."), bare
    links, one- to three-word replies.
    """
    if last_ad < 0:
        return
    article_lines = [i for i, k in enumerate(kinds) if k == "article"]
    before = [i for i in article_lines if i < last_ad]
    after = [i for i in article_lines if i > last_ad]
    if len(after) < 2 or len(before) < max(3, len(after) // 2):
        return
    if _comment_signs([text[lines[i][0] : lines[i][1]].strip() for i in after]) >= COMMENT_SIGNS:
        for i in after:
            kinds[i] = "comment"


_HEADING_ELEMENT = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.I | re.S)


def heading_ranks(page: str, lines: list[tuple[int, int]]) -> dict[int, int]:
    """For each of ``lines`` (offsets into ``page``) that is a heading element, its rank: 1 for <h1>."""
    ranks: dict[int, int] = {}
    i = 0
    for m in _HEADING_ELEMENT.finditer(page):
        while i < len(lines) and lines[i][1] <= m.start(2):
            i += 1
        if i < len(lines) and lines[i][0] < m.end(2):
            ranks[i] = int(m.group(1))
    return ranks


def _is_prose(line: str) -> bool:
    """A sentence or more, not a teaser's title: twenty words and a stop among them, or eight ending in one."""
    words = line.split()
    if len(words) >= 20 and re.search(r"[.!?][\"'”’)]*(\s|$)", line):
        return True
    return len(words) >= 8 and bool(re.search(r"[.!?][\"'”’)]*$", line))


def _lines(
    text: str, markdown: bool = False, wrapped: str | None = None, rst_file: bool = False, code: tuple[tuple[int, int], ...] = ()
) -> list[tuple[int, int]]:
    """The text's lines, trimmed, empty ones left out; a wrapped paragraph is one line
    (``wrapped``: the text whose lines tell which breaks only wrap, see wrapping_text;
    ``code``: where code stands, whose lines are never joined)."""
    soft = soft_breaks(text if wrapped is None else wrapped, markdown, rst_file, code)
    out = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if out and start - 1 in soft:
            out[-1] = (out[-1][0], end)
            continue
        while start < end and text[start].isspace():
            start += 1
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
    """A line as the rules read it: lower case, one space, no heading marks or trailing colon."""
    norm = " ".join(line.lower().replace("’", "'").split())
    return norm.lstrip("#*> ").rstrip(":.!…").strip()


_SCRIPT = re.compile(r"<(script|style|noscript|head|nav|footer|aside|template|form|button|select)\b.*?</\1\s*>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
MD_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)  # in a stretch of Markdown shown: a comment, or one it cuts off
# Tags that end a line of text. A table row is one line; its cells are
# parted by spaces here, and shown parted by bars (index.chunking.readable).
BLOCK_TAG = re.compile(
    r"</?(p|div|br|h[1-6]|li|ul|ol|tr|table|caption|section|article|aside|header|footer|address|blockquote|pre|hr|title|figure|figcaption|"
    r"main|dd|dt|dl|details|summary|fieldset|legend)\b[^>]*>",
    re.I,
)
CELL_TAG = re.compile(r"<(td|th)\b[^>]*>", re.I)
_TABLE_EDGE = re.compile(r"<(/?)(td|th|tr|table)\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]+>")  # any tag, as the pages here are read: no parser
# A link: an <a> with an href. Not an anchor ("<a name=...>Title</a>"), nor one
# closed in its own tag ("<a name=.../>", as XHTML writes it), whose text would
# otherwise run to the next "</a>".
_LINK = re.compile(r"<a\b(?=[^>]*\bhref\s*=)[^>]*(?<!/)>(.*?)</a\s*>", re.S | re.I)
# A line of a page this much link text is navigation (menus, tag lists, "read next").
LINK_DENSITY = 0.6
OWN_WORDS = 3  # ... unless it is a sentence with this many words outside its links (_link_dense)
_OWN_WORD = re.compile(r"\b[a-z][a-z'’-]*\b")  # a word of the sentence's own, in lower case: not a name
_SENTENCE_END = re.compile(r"[\w)\]]\s*[.!?][\"'”’)\]]*\s*$")  # spaces: where a link's closing tag was


def wrapping_text(source: str, text: str, visible: str) -> str:
    """The text whose lines tell which of ``visible``'s line breaks only wrap a
    paragraph: a text file's own. Its wiki marks blanked leave runs of spaces
    ("You   must   first", from "You **must** first") that would read as a
    table's columns, whose lines are never joined."""
    if is_web_page(source) or is_markdown(source):
        return visible
    return _without_page_furniture(text, _page_breaks(text)) if "\f" in text else text


def visible_text(source: str, text: str) -> str:
    """What of ``source``'s text a reader sees, offsets unchanged: a web page
    without its markup, a Markdown file without its HTML comments (notes to
    whoever edits it: "<!-- YAML added: v0.1.16 -->"), a text file without
    wiki markup (:func:`without_wiki_marks`), reStructuredText without its own
    (index.rst)."""
    if is_web_page(source):
        return mask_html(text)
    if is_markdown(source):
        markup = site_markup(source, text)
        if markup:
            text = masked_spans(text, markup)
        if "<!--" in text:
            text = _COMMENT.sub(lambda m: _blanked(m.group(0)), text)
        return _html_rows_on_one_line(text) if "<tr" in text or "<TR" in text else text
    shown = without_wiki_marks(text, rst_file=is_rst(source, text))
    # A text set in pages (a PDF's text, an RFC) without its running headers and footers.
    return _without_page_furniture(shown, _page_breaks(text)) if "\f" in text else shown


_HTML_ROW = re.compile(r"<tr\b[^>]*>(?:(?!\n[ \t]*\n).)*?</tr\s*>", re.I | re.S)  # within a block: no blank line


def _html_rows_on_one_line(text: str) -> str:
    """A Markdown file's HTML table with each row on one line, as a page's is read
    (a README sets a cell a line: "<tr>", then "<td>Tidemaster 300</td>", ...).
    Line breaks become spaces, so every offset stays; code is left as written."""
    code = fences.code_blocks(text, indented=True)
    return _HTML_ROW.sub(lambda m: m.group(0) if fences.inside(code, m.start()) else m.group(0).replace("\n", " "), text)


# An MDX file's own JavaScript, outside code: an "import" or "export"
# statement at a line's start, to the next blank line (an export may run over
# lines), and a line of a component's tags alone ("<Tabs>", '<TabItem
# value="deb" label="Debian">'): a name in capitals, as JSX tells a component
# from HTML.
_MDX_MARKUP = re.compile(r"^(?:import|export)\b.*(?:\n(?![ \t]*\n).*)*|^[ \t]*(?:</?[A-Z][\w.]*(?:\s[^<>]*)?/?>[ \t]*)+$", re.M)


def mdx_markup(text: str) -> list[tuple[int, int]]:
    """Where an MDX file's statements and component tags stand (not its code blocks' lines)."""
    code = fences.code_blocks(text, indented=True)
    return [m.span() for m in _MDX_MARKUP.finditer(text) if not fences.inside(code, m.start())]


# A site generator's template tags in a Markdown page: Hugo's shortcodes
# ("{{< figure src=... >}}", "{{% notice info %}}", their closing tags) and
# Jekyll's Liquid tags ("{% include toc.html %}", "{% highlight ruby %}"). The
# site writes its own markup in their place; what they wrap is the page's text.
# A value a template prints ("{{ site.title }}") is left as it stands.
TEMPLATE_TAG = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}")
CODE_SPAN = re.compile(r"`[^`\n]*`")  # Markdown's inline code, within a line


def _template_tags(text: str) -> list[tuple[int, int]]:
    """Where a Markdown text's template tags stand, outside its code blocks and
    code spans (a page about Hugo shows "`{{< ref >}}`" as it is written)."""
    if "{{" not in text and "{%" not in text:
        return []
    code = fences.code_blocks(text, indented=True)
    spans = tuple(m.span() for m in CODE_SPAN.finditer(text))
    return [m.span() for m in TEMPLATE_TAG.finditer(text) if not fences.inside(code, m.start()) and not fences.inside(spans, m.start())]


# A fenced div's opening line as Pandoc writes it ("::: {.note}", "::::: {#summary}"): a box, no text.
_PANDOC_DIV = re.compile(r"^[ \t]*:{3,}[ \t]*\{[.#][^}\n]*\}[ \t]*$", re.M)  # not MyST's ":::{warning}", a titled box


def site_markup(source: str, text: str) -> list[tuple[int, int]]:
    """What of a Markdown page its site replaces, in order and apart: an MDX
    file's statements and component tags, template tags, and Pandoc's div fences."""
    divs = [m.span() for m in _PANDOC_DIV.finditer(text)] if ":::" in text else []
    found = sorted([*(mdx_markup(text) if is_mdx(source) else ()), *_template_tags(text), *divs])
    apart: list[tuple[int, int]] = []
    for a, b in found:
        if not apart or a >= apart[-1][1]:
            apart.append((a, b))
    return apart


def masked_spans(text: str, spans: Iterable[tuple[int, int]], fill: str = " ") -> str:
    """``text`` with each of ``spans`` (in order, apart) as ``fill``, its line breaks kept: the same length."""
    parts, at = [], 0
    for a, b in spans:
        parts += [text[at:a], "".join("\n" if ch == "\n" else fill for ch in text[a:b])]
        at = b
    parts.append(text[at:])
    return "".join(parts)


def underlined(text: str, line_end: int) -> bool:
    """Whether the line ending at ``line_end`` is a reStructuredText section title: the next line is its underline."""
    if line_end >= len(text) or text[line_end] != "\n" or line_end + 1 in rst.literal_lines(text):
        return False
    after = text.find("\n", line_end + 1)
    return bool(rst.ADORNMENT.match(text, line_end + 1, len(text) if after < 0 else after))


# A wiki that keeps its pages as text files (DokuWiki's data/pages/*.txt)
# writes them in wiki markup: "====== Harbour ferry ======", "[[page|the
# page]]", "**bold**", "//italic//", "''code''", "((a footnote))",
# "{{logo.png}}", "<code bash>" ... "</code>". Its readers see the words.
# Each pattern's groups are the marks; a mark opens and closes around words
# ("[[ -f x ]]" in a shell line is no link, "https://" no italics,
# "f(**kwargs) or g(**opts)" no bold).
# Each pattern with what its marks are: "pair", a mark opening words and one
# closing them; "link", "[[target|" then the shown text then "]]"; "heading",
# the equals signs around a heading's words; "whole", a mark taking its line
# or its image with it.
_WIKI_MARKS = (
    ("heading", re.compile(r"^[ \t]*(={2,6})[ \t]*[^=\s](?:[^\n]*[^=\s])?[ \t]*(={2,6})[ \t]*$", re.M)),
    ("link", re.compile(r"(\[\[)(?=[^\s\[\]])(?!(?:category|file|image):)(?:[^\[\]|\n]*(\|))?[^\[\]\n]*?(\]\])", re.I)),
    ("whole", re.compile(r"(\{\{[ \t]*[\w:./-]+\.(?:png|jpe?g|gif|svg|webp)\b[^{}\n]*\}\})", re.I)),
    ("pair", re.compile(r"(?<![\w*(,=])(\*\*)(?=[^\s*])[^*\n]*?(?<=[^\s*])(\*\*)(?![\w*])")),
    ("pair", re.compile(r"(?<![:\w/])(//)(?=[^\s/])[^\n]*?(?<=[^\s/:])(//)(?![\w/])")),
    ("pair", re.compile(r"(?<![\w'])('{2,3})(?=[^\s'])[^\n]*?(?<=[^\s'])(\1)(?![\w'])")),
    ("pair", re.compile(r"(\(\()(?=\S)[^\n]*?(?<=\S)(\)\))")),
    # A line that only opens or closes a code block ("<code bash>", "</file>") or is a macro ("~~NOTOC~~").
    ("whole", re.compile(r"^[ \t]*(</?(?:code|file|nowiki)\b[^<>\n]*>|~~[A-Z]+(?::[^~\n]*)?~~)[ \t]*$", re.M)),
    # MediaWiki's, as its raw export writes a page: a reference (shown as a
    # footnote's number, its text in the list at the end), that list, a
    # category or a file's link (a picture, its caption), a magic word.
    ("whole", re.compile(r"(<ref\b[^<>]*/>|<ref\b[^<>]*>.*?</ref\s*>|<references\s*/>)", re.S | re.I)),
    ("whole", re.compile(r"(__(?:NOTOC|TOC|FORCETOC|NOEDITSECTION)__)")),
    ("whole", re.compile(r"(\[\[(?:category|file|image):[^\[\]]*(?:\[\[[^\[\]]*\]\][^\[\]]*)*\]\])", re.I)),
)
_WIKI_CUES = ("==", "[[", "{{", "**", "//", "''", "((", "<code", "</code", "<file", "</file", "<nowiki", "</nowiki", "~~", "<ref")
# What stands before a wiki heading's words on its line, once its marks are blanked.
WIKI_HEADING_OPEN = re.compile(r"[ \t]*={2,6}[ \t]*")


def wiki_mark_edges(text: str, rst_file: bool = False) -> tuple[dict[int, int], dict[int, int]]:
    """The marks that open and close words in ``text`` ("**", "[[page|", "]]"), as
    {where the opening mark ends: where it starts} and {where the closing mark
    starts: where it ends}: a sentence that starts or ends at one takes it in,
    so that what it quotes holds both marks of a pair ("**Paragraphs** are ...")."""
    opens: dict[int, int] = {}
    closes: dict[int, int] = {}
    for (a, b), side in _text_marks(text, rst_file):
        if side == "open":
            opens[b] = a
        elif side == "close":
            closes[a] = b
    return opens, closes


def _text_marks(text: str, rst_file: bool) -> tuple[tuple[tuple[int, int], str], ...]:
    """A text file's marks: reStructuredText's (index.rst) or a wiki's."""
    return rst.marks(text) if rst_file else _wiki_marks(text)


# A document's marks are read to blank them and again for where its sentences start and end.
@functools.lru_cache(maxsize=2)
def _wiki_marks(text: str) -> tuple[tuple[tuple[int, int], str], ...]:
    """Each mark's span and whether it opens or closes words around it ("" for neither: a heading's, an image)."""
    if not any(cue in text for cue in _WIKI_CUES):
        return ()
    spans = []
    for kind, pattern in _WIKI_MARKS:
        for m in pattern.finditer(text):
            if kind == "link":
                # A link shows its text, "[[doku>acl|access controls]]" "access controls", or else
                # the page's own name, "[[wiki:syntax]]" "syntax" and "[[wp>Wiki]]" "Wiki"; an address whole.
                target = text[m.end(1) : m.start(3)]
                if m.start(2) >= 0:
                    shown = m.end(2)
                elif "://" in target or target.startswith("www."):
                    shown = m.end(1)
                else:
                    shown = m.end(1) + max(target.rfind(">"), target.rfind(":")) + 1
                spans += [((m.start(1), shown), "open"), (m.span(3), "close")]
            elif kind == "pair":
                spans += [(m.span(1), "open"), (m.span(2), "close")]
            elif kind == "heading":
                spans += [(m.span(1), ""), (m.span(2), "")]
            else:
                spans.append((m.span(1), ""))
    if "{{" in text:
        spans += [(span, "") for span in _templates(text)]
    return tuple(spans)


_TEMPLATE_OPEN = re.compile(r"\{\{(?=[A-Za-z])")
_BRACES = re.compile(r"\{\{|\}\}")


def _templates(text: str) -> list[tuple[int, int]]:
    """Where MediaWiki's templates stand ("{{Infobox station | name = ...}}",
    "{{cite web|...}}", "{{reflist}}"), each to its own closing braces, those
    it holds included: a box beside the text, a citation or a list, but none
    of the text. Not "{{ name }}", a template language's variable."""
    out: list[tuple[int, int]] = []
    at = 0
    while True:
        m = _TEMPLATE_OPEN.search(text, at)
        if m is None:
            return out
        depth = 0
        for brace in _BRACES.finditer(text, m.start()):
            depth += 1 if brace.group() == "{{" else -1
            if depth == 0:
                break
        if depth:
            return out  # left open: no template, as MediaWiki shows it
        out.append((m.start(), brace.end()))
        at = brace.end()


def without_wiki_marks(text: str, rst_file: bool = False) -> str:
    """``text`` with its wiki markup (``rst_file``: its reStructuredText) blanked, offsets
    unchanged; ``text`` itself when it has none."""
    # A line break inside a mark (a role's target run over two lines) stays one.
    return rewrite_wiki_marks(text, lambda mark: ["\n" if ch == "\n" else " " for ch in mark], rst_file)


# A footnote's parentheses part it from the sentence it follows; other marks part no words.
WIKI_FOOTNOTE_MARKS = frozenset({"((", "))"})


def strip_wiki_marks(text: str, rst_file: bool = False) -> str:
    """``text`` with its wiki markup (``rst_file``: its reStructuredText) taken out, as a reader sees it."""
    return rewrite_wiki_marks(text, lambda mark: [" " if mark in WIKI_FOOTNOTE_MARKS else ""] + [""] * (len(mark) - 1), rst_file)


def rewrite_wiki_marks(text: str, rewrite: Callable[[str], list[str]], rst_file: bool = False) -> str:
    """``text`` with each wiki mark's (``rst_file``: reStructuredText mark's) characters replaced by ``rewrite(mark)``, one string each."""
    spans = _text_marks(text, rst_file)
    if not spans:
        return text
    out = list(text)
    for (a, b), _ in spans:
        out[a:b] = rewrite(text[a:b])
    return "".join(out)


def layout_cells(html: str) -> list[int]:
    """Where the cells of a page's layout open: a cell holding a block (a
    paragraph, a line break, a list, a table) lays out the page, as tables
    did before style sheets (a menu's cell beside the content's), and its
    edges part lines as a block's do; so does the next cell's in its row.
    A data table's cells hold words, and a row of them stays one line."""
    edges = list(_TABLE_EDGE.finditer(html)) if "<t" in html or "<T" in html else []
    out: list[int] = []
    for k, m in enumerate(edges):
        if m.group(1) or m.group(2).lower() not in ("td", "th"):
            continue
        following = edges[k + 1] if k + 1 < len(edges) else None
        inner = html[m.end() : following.start() if following is not None else len(html)]
        nested = following is not None and following.group(2).lower() == "table" and not following.group(1)
        if not (nested or BLOCK_TAG.search(inner)):
            continue
        out.append(m.start())
        for e in edges[k + 1 :]:
            if e.group(2).lower() in ("tr", "table"):
                break
            if not e.group(1):
                out.append(e.start())
                break
    return out


def mask_html(html: str) -> str:
    """The text of an HTML page with all markup blanked out, offsets unchanged.

    Scripts, styles, navigation and forms disappear; block tags become line
    breaks so that paragraphs stay paragraphs, and the source's own line
    breaks (outside preformatted text) spaces, as a browser shows them.
    Every character keeps its position, so a sentence found here is cited by
    its offsets in the raw file.
    """

    def blank(m: re.Match[str]) -> str:
        return _blanked(m.group(0))

    def block(m: re.Match[str]) -> str:
        s = blank(m)
        return "\n" + s[1:]

    articles = _article_spans(html)
    headings = [h.span() for h in _HEADING_ELEMENT.finditer(html)] if "<button" in html or "<BUTTON" in html else []

    def hidden(m: re.Match[str]) -> str:
        if m.group(1).lower() == "button" and any(a <= m.start() < b for a, b in headings):
            # A button that is a heading's text: an accordion's question ("<h2><button
            # aria-expanded=...>Can visitors park in a resident bay?</button></h2>"),
            # shown over the answer it opens. Its tags go, its words stay.
            inside = m.group(0)
            opened, closed = inside.index(">") + 1, inside.lower().rindex("</button")
            return _blanked(inside[:opened]) + inside[opened:closed] + _blanked(inside[closed:])
        # An <aside> within an <article> is the article's own (a fact box); a
        # sidebar beside it is the site's, and a pull quote (a quotation set
        # aside, or one the page hides from screen readers) repeats what the
        # article says. What in it is chrome (a link list, a sign-up box named
        # so) goes as chrome does anywhere.
        if (
            m.group(1).lower() == "aside"
            and any(a <= m.start() < b for a, b in articles)
            and not _ARIA_HIDDEN.search(html, m.start(), html.index(">", m.start()))
            and not _BLOCKQUOTE.search(m.group(0))
        ):
            return m.group(0)
        return blank(m)

    out = _SCRIPT.sub(hidden, html)
    out = _COMMENT.sub(blank, out)
    out = _without_landmarks(out)
    out = _without_banner(out)
    out = _without_export_furniture(out)
    out = _EDIT_LINK.sub(blank, out)
    out = _FOOTNOTE_MARK.sub(blank, out)
    out = digit_scripts(out, keep_offsets=True)
    out = _BREADCRUMBS.sub(blank, out)
    out = _without_marked_chrome(out)
    out = _unwrap(out)
    out = BLOCK_TAG.sub(block, out)
    cells = sorted({at for at in layout_cells(html) if out.startswith("<", at)})
    if cells:
        # Each layout cell's tag a line break, the rest of it blank: one pass over the page.
        parts, done = [], 0
        for at in cells:
            end = out.index(">", at) + 1
            parts += [out[done:at], "\n", _blanked(out[at + 1 : end])]
            done = end
        out = "".join(parts) + out[done:]
    return TAG.sub(blank, out)


# A superscript or subscript of digits is part of what it follows:
# "10<sup>6</sup>" is a million, not 106, and "2<sup>n</sup>" no "2n". They
# read as the characters for them ("10⁶", "km²", "CO₂"); a superscript of
# other letters ("1<sup>st</sup>") reads as its letters.
_DIGIT_SCRIPT = re.compile(r"<(sup|sub)\b[^>]*>\s*([0-9+\-−]{1,8}|n)\s*</\1\s*>", re.I)
_SCRIPT_CHARACTERS = {
    "sup": str.maketrans("0123456789+-−n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻ⁿ"),
    "sub": str.maketrans("0123456789+-−", "₀₁₂₃₄₅₆₇₈₉₊₋₋"),
}


def scripted(kind: str, text: str) -> str:
    """``text``'s digits as superscript (``kind`` "sup") or subscript ("sub") characters."""
    return text.translate(_SCRIPT_CHARACTERS[kind.lower()])


def digit_scripts(html: str, keep_offsets: bool = False) -> str:
    """``html`` with each superscript or subscript of digits as its characters
    (padded with spaces to the markup's length if ``keep_offsets``)."""

    def script(m: re.Match[str]) -> str:
        shown = scripted(m.group(1), m.group(2))
        return _blanked(m.group(0)).replace(" " * len(shown), shown, 1) if keep_offsets else shown

    return _DIGIT_SCRIPT.sub(script, html)


_PRE = re.compile(r"<(pre|textarea)\b.*?</\1\s*>", re.S | re.I)
# A wiki's "[edit]" beside each heading, its brackets wrapped in spans or not, as
# are its words ("<a><span>edit</span></a>"), with "| edit source" where the
# wiki offers both editors.
_MARKS = r"(?:\s|<(?!/?a\b)[^>]*>)*"  # spaces and tags other than a link's, around a mark's characters
_EDIT_WORDS = rf"<a\b[^>]*>{_MARKS}edit(?: source)?{_MARKS}</a>"
_EDIT_LINK = re.compile(
    rf"(?:<span\b[^>]*>\s*)?\[(?:\s*</span>)?\s*{_EDIT_WORDS}(?:{_MARKS}\|{_MARKS}{_EDIT_WORDS})?\s*(?:<span\b[^>]*>\s*)?\](?:\s*</span>)?",
    re.I,
)
# A footnote's mark: a superscript link to a note further down the page
# (a wiki's "[2]" or "1)"), a superscript whose text is a mark in brackets
# (a number, or an encyclopedia's "[citation needed]"), or a link within the
# page whose text is a mark in brackets, in whatever spans (a word
# processor's "[2]", a shared document's comment mark "[a]"; the brackets
# may be written as character references, as Wikipedia writes "&#91;2&#93;").
# It stands between a full stop and the next sentence, where a reader skips
# it, and would otherwise run the two together. And the note's way back up to
# its mark, which opens the note: an arrow ("↑", "^", "↩", "↩²" to its
# second mark), the mark again, or a letter for each of its marks.
_OPEN, _CLOSE = r"(?:\[|&#91;|&#x5b;|&lsqb;|&lbrack;)", r"(?:\]|&#93;|&#x5d;|&rsqb;|&rbrack;)"
_FOOTNOTE_MARK = re.compile(
    rf"<sup\b[^>]*>\s*(?:<a\b[^>]*\bhref\s*=\s*[\"']#[^>]*>[^<]{{1,16}}</a\s*>|{_MARKS}{_OPEN}(?:[\w ]|<[^>]*>){{1,300}}?{_CLOSE}{_MARKS})\s*</sup\s*>"
    r"|<a\b[^>]*\bhref\s*=\s*[\"']#[^>]*>\s*(?:↑|\^|↩\ufe0e?)\s*(?:<sup\b[^>]*>\s*\d{1,3}\s*</sup\s*>\s*)?</a\s*>"
    rf"|<a\b[^>]*\bhref\s*=\s*[\"']#[^>]*>{_MARKS}{_OPEN}{_MARKS}\w{{1,4}}{_MARKS}{_CLOSE}{_MARKS}</a\s*>"
    # A note cited more than once: its way back to each mark, a letter each ("^ a b").
    rf"|(?:\^\s*)?(?:<a\b[^>]*\bhref\s*=\s*[\"']#[^>]*>{_MARKS}[a-z]{_MARKS}</a\s*>\s*){{2,}}",
    re.I,
)
# A breadcrumb trail ("Home › Manuals › Valves", "Trace: • normans"): where the page sits, not what it says.
_BREADCRUMBS = re.compile(r"<(div|nav|ol|ul|p)\b[^>]*\b(?:class|id|aria-label)\s*=\s*[\"'][^\"']*breadcrumb[^\"']*[\"'][^>]*>.*?</\1\s*>", re.S | re.I)


# Regions a page itself says are not its content (ARIA landmark roles): a
# site's banner, menus, sidebars, search box and footer ("Content is
# available under ...", "This page was last edited on ...").
_LANDMARK = re.compile(r"<([a-z][\w-]*)\b[^>]*(?<![\w-])role\s*=\s*[\"']?(?:navigation|banner|contentinfo|complementary|search)\b[^>]*>", re.I)


def _blanked(text: str) -> str:
    """``text`` as spaces, its line breaks kept: gone, with every offset after it unchanged."""
    return "".join("\n" if ch == "\n" else " " for ch in text)


_ARIA_HIDDEN = re.compile(r"\baria-hidden\s*=\s*[\"']?true", re.I)
_BLOCKQUOTE = re.compile(r"<blockquote\b", re.I)
_ARTICLE_TAG = re.compile(r"<(/?)article\b[^>]*>", re.I)


def _article_spans(html: str) -> list[tuple[int, int]]:
    """Where each outermost <article> element runs (to the page's end if it never closes)."""
    spans, depth, start = [], 0, 0
    for m in _ARTICLE_TAG.finditer(html):
        if not m.group(1):
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, m.end()))
    if depth:
        spans.append((start, len(html)))
    return spans


def _without_landmarks(html: str) -> str:
    return _without_elements(html, ((m.start(), m.group(1), m.end()) for m in _LANDMARK.finditer(html)))


# A page that marks where its content is (<main>, <article>) says that a
# <header> outside every such part is the site's banner (the implicit ARIA
# role): its name, tagline and menu, not the article's title.
_CONTENT_ELEMENT = re.compile(r"<(?:main|article)\b", re.I)
_SECTIONING = re.compile(r"<(/?)(article|aside|main|nav|section|header)\b[^>]*>", re.I)


def _without_banner(html: str) -> str:
    if not _CONTENT_ELEMENT.search(html):
        return html  # nothing says where the content is: when unsure, keep the text
    return _without_elements(html, _outer_headers(html))


def _outer_headers(html: str) -> Iterator[tuple[int, str, int]]:
    """The ``<header>`` start tags outside every sectioning element."""
    depth = 0
    for m in _SECTIONING.finditer(html):
        closing, name = m.group(1), m.group(2).lower()
        if name == "header":
            if not closing and depth == 0:
                yield m.start(), "header", m.end()
        else:
            depth = max(0, depth - 1) if closing else depth + 1


# Blocks a page names as chrome by their class or id: a cookie notice, a
# newsletter sign-up box, an ad slot, a pop-up, a menu, a sidebar, a footer
# ("cookie-consent", "newsletter-signup", "ad-slot", "footer": names that
# readability tools have long read the same way; "pageid": a wiki's page name
# shown over the page, "harbour_ferry"; "sitenotice": a MediaWiki's notice shown
# over every page, "The wiki will be read-only ..."; "portlet": a MediaWiki's
# menus, its language menu's "3 languages" among them; "noprint": what a
# MediaWiki leaves off a printed article, its "From Wikipedia, the free
# encyclopedia" tagline among it; "revision": a docs page's revision stamp,
# MkDocs' "git-revision-date-localized-plugin" dates). A word of the name counts,
# not a part of one ("header" holds no "ad"); a post's category and tags,
# which WordPress writes into its classes ("tag-cookies"), are no names; and
# a block holding a quarter of the page's text or more is kept whatever its
# name.
_NAMED_BLOCK = re.compile(r"<(div|section|aside|p|ul|ol|span|dialog)\b([^>]*)>", re.I)
# The names a page gives its blocks: class and id, and where classes are
# hashed by a build ("css-1r4l7xk"), a test id or a component's name
# ("data-testid=\"consent-banner\""), and an accessible label ("Cookie consent").
_NAME_ATTR = re.compile(r"\b(?:class|id|data-testid|data-test-id|data-component|aria-label)\s*=\s*([\"'])(.*?)\1", re.I | re.S)
CHROME_NAMES = frozenset(
    "cookie cookies gdpr consent newsletter signup advert adverts advertisement ad ads adslot sponsored promo popup modal footer menu navbar sidebar toc pageid sitenotice portlet noprint revision".split()
)
CHROME_BLOCK_SHARE = 0.25


def _named(attributes: str, names: frozenset[str]) -> bool:
    values = [value.lower() for m in _NAME_ATTR.finditer(attributes) for value in m.group(2).split()]
    words = {w for value in values if not value.startswith(("category-", "tag-")) for w in re.split(r"[^a-z0-9]+", value)}
    return not words.isdisjoint(names)


def _chrome_named(attributes: str) -> bool:
    return _named(attributes, CHROME_NAMES)


# A page's comment thread, by the names it gives the blocks that hold it
# (WordPress's "comments-area" and "comment-list", Substack's "comments-page",
# Disqus's "disqus_thread", a theme's "page__comments"). Its repliers' names
# may be set as headings of a higher rank than its own "Comments", which end
# a section such a heading opens; the block does not end before its end tag.
# Block elements only: a code listing's highlighted "# a comment" is a span.
COMMENT_NAMES = frozenset("comment comments commentlist disqus".split())
_BLOCK_ELEMENT = re.compile(r"<(div|section|ol|ul|li|article|aside)\b([^>]*)>", re.I)


# A document editor's export keeps its reviewers' comments at the end, each block opening with
# the comment's own anchor, which links back to where it was made (Google Docs: '<a href="#cmnt_ref1" id="cmnt1">[a]</a>').
_COMMENT_ANCHOR = re.compile(r"\s*(?:<(?!a\b)[a-z][a-z0-9]*\b[^>]*>\s*)*<a\b[^>]*\bid=[\"']?(?:cmnt|comment)[-_]?\d+\b", re.I)


def _comment_blocks(page: str) -> list[tuple[int, int]]:
    """Where the blocks ``page`` names as its comment thread, or as one comment, start and end, outermost only."""
    found: list[tuple[int, int]] = []
    for m in _BLOCK_ELEMENT.finditer(page):
        if (found and m.start() < found[-1][1]) or not (_named(m.group(2), COMMENT_NAMES) or _COMMENT_ANCHOR.match(page, m.end())):
            continue
        end = _element_end(page, m.group(1), m.end())
        if end > m.end():
            found.append((m.start(), end))
    return found


# A document editor's web page export (Google Docs': "<body class="... doc-content">") sets the
# document's running header and footer as bare <div>s: the body's first child, and its last before
# the reviewers' comments ("Brindlecombe Harbour Trust · HT-07 Volunteer Expenses · DRAFT v3").
_EXPORT_BODY = re.compile(r"<body\b[^>]*\bclass=[\"'][^\"']*\bdoc-content\b[^>]*>", re.I)
_BARE_DIV = re.compile(r"<div\s*>", re.I)
_SPACE = re.compile(r"\s*")
_BODY_END = re.compile(r"</body\b", re.I)


def _without_export_furniture(html: str) -> str:
    body = _EXPORT_BODY.search(html)
    if body is None:
        return html
    found = []
    first = _BARE_DIV.match(html, _SPACE.match(html, body.end()).end())
    if first:
        found.append((first.start(), "div", first.end()))
    # The footer: a bare <div> after which come only the comments and the body's end.
    for m in _BARE_DIV.finditer(html, _element_end(html, "div", first.end()) if first else body.end()):
        end = _element_end(html, "div", m.end())
        if end > m.end() and _only_comments_after(html, end):
            found.append((m.start(), "div", m.end()))
            break
    return _without_elements(html, found, _small_part_of(html))


def _only_comments_after(html: str, pos: int) -> bool:
    """Whether nothing but comment blocks (see _COMMENT_ANCHOR) stands between ``pos`` and the body's end."""
    while True:
        pos = _SPACE.match(html, pos).end()
        if _BODY_END.match(html, pos):
            return True
        m = _BLOCK_ELEMENT.match(html, pos)
        if m is None or not _COMMENT_ANCHOR.match(html, m.end()):
            return False
        end = _element_end(html, m.group(1), m.end())
        if end <= m.end():
            return False
        pos = end


def _small_part_of(html: str) -> Callable[[str], bool]:
    """Whether a block's inside is small enough a part of ``html`` to be a notice, a header or a
    footer: a block of a large share of the page's text is kept, whatever it is named."""
    total = _letters(TAG.sub(" ", html)) or 1
    return lambda inside: _letters(TAG.sub(" ", inside)) < CHROME_BLOCK_SHARE * total


def _without_marked_chrome(html: str) -> str:
    named = ((m.start(), m.group(1), m.end()) for m in _NAMED_BLOCK.finditer(html) if _chrome_named(m.group(2)))
    return _without_elements(html, named, _small_part_of(html))


def _without_elements(html: str, found: Iterable[tuple[int, str, int]], blank_if: Callable[[str], bool] | None = None) -> str:
    """``html`` with each element ``found`` (where its start tag starts, its name,
    where the tag ends) blanked up to its own end, if ``blank_if`` its inside.
    One that never closes is kept (when unsure, keep the text), and one
    inside an element already blanked is gone with it."""
    parts = []
    pos = 0
    for start, name, tag_end in found:
        if start < pos:
            continue
        end = _element_end(html, name, tag_end)
        if end == tag_end or (blank_if is not None and not blank_if(html[tag_end:end])):
            continue
        parts += [html[pos:start], _blanked(html[start:end])]
        pos = end
    parts.append(html[pos:])
    return "".join(parts)


def _element_end(html: str, name: str, start: int) -> int:
    """Where the element whose start tag ends at ``start`` ends; only its start tag when it never closes (when unsure, keep the text)."""
    depth = 1
    for t in re.compile(rf"<(/?){re.escape(name)}\b[^>]*?(/?)>", re.I).finditer(html, start):
        if t.group(1):
            depth -= 1
        elif not t.group(2):
            depth += 1
        if depth == 0:
            return t.end()
    return start


def _unwrap(html: str) -> str:
    """Line breaks in a page's source are spaces to a browser, except in preformatted text."""
    parts = []
    pos = 0
    for m in _PRE.finditer(html):
        parts += [html[pos : m.start()].replace("\n", " "), m.group(0)]
        pos = m.end()
    parts.append(html[pos:].replace("\n", " "))
    return "".join(parts)


def link_spans(html: str) -> list[tuple[int, int]]:
    """Where the text of each link stands in the raw page, but in a code listing.

    A listing's links are cross-references (an API manual links each type
    in a declaration to its own entry): the listing is code, not a menu.
    """
    listings = [m.span() for m in _PRE.finditer(html)]
    out = []
    for m in _LINK.finditer(html):
        k = bisect.bisect_right(listings, (m.start(), float("inf"))) - 1
        if k < 0 or listings[k][1] <= m.start():
            out.append(m.span(1))
    return out


# Links that say they lead to the page before, after or above this one: a
# pager ("Next: Using libffi, Previous: libffi, Up: libffi"), whatever its wording.
_PAGER_LINK = re.compile(r"<a\b[^>]*\brel\s*=\s*[\"']?(?:next|prev|previous|up|first|last|index|contents)\b[^>]*>(.*?)</a\s*>", re.S | re.I)


def pager_link_spans(html: str) -> list[tuple[int, int]]:
    """Where the text of each pager link stands in the raw page (a line with two of them is navigation)."""
    return [m.span(1) for m in _PAGER_LINK.finditer(html)]


# Markdown's images and links: "![alt](src)", "[text](href)" and "[text][ref]".
MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")
_MD_BADGE = re.compile(r"\[!\[([^\]]*)\]\([^)]*\)\]\([^)]*\)")  # "[![build](badge.svg)](ci)"
_MD_ANCHOR = re.compile(r"\[([^\]]*)\]\(#[^)]*\)")  # "[Fares](#fares)"


def markdown_heading_rank(line: str) -> int:
    """How many "#" open a Markdown heading's line: 1 for "# Title", 2 for "## Section"."""
    stripped = line.lstrip()
    return len(stripped) - len(stripped.lstrip("#"))


CODE_INDENT = 4  # columns a line is set in as code (a tab counts four), as Markdown's indented code blocks are


def _indent(text: str, start: int) -> int:
    """How many columns the line holding ``start`` is set in by (a tab counts four)."""
    begin = at = text.rfind("\n", 0, start) + 1
    while at < len(text) and text[at] in " \t":
        at += 1
    return len(text[begin:at].expandtabs(CODE_INDENT))


@functools.lru_cache(maxsize=16)  # asked by cleaning and by the sentences' leads, of one page in turn
def code_blocks(source: str, raw: str, text: str) -> tuple[tuple[int, int], ...]:
    """Where code stands in ``source`` (``raw`` as read, ``text`` as visible_text gives it):
    a Markdown text's code blocks, a web page's preformatted text,
    reStructuredText's literal blocks (a line each)."""
    if is_markdown(source):
        return fences.code_blocks(text, indented=True)
    if is_web_page(source):
        return tuple(m.span() for m in _PRE.finditer(raw) if m.group(1).lower() == "pre")
    if is_rst(source, raw):
        return tuple((a, line_end(raw, a)) for a in sorted(rst.literal_lines(raw)))
    return ()


def line_end(text: str, start: int) -> int:
    """Where the line of ``text`` holding ``start`` ends (its line break, or the text's end)."""
    end = text.find("\n", start)
    return len(text) if end < 0 else end


# A link reference definition ("[path.sep]: #pathsep"): the target of "[text][path.sep]",
# not shown. A footnote's ("[^2]: On Windows ...") is.
_MD_LINK_DEFINITION = re.compile(r"""^ {0,3}\[(?!\^)[^\]]+\]:\s*<?\S+>?(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*$""")


_MD_IMAGES_ONLY = re.compile(r"(?:(?:!\[[^\]]*\]\([^)]*\)|!\[\[[^\[\]\n]+\]\])\s*)+")  # "![[diagram.png]]": a note app's embed


def _markdown_markup(line: str) -> bool:
    """A Markdown line that is markup, not text (besides a code block's fences,
    index.fences): a link reference definition, a line of images alone (a
    reader sees the pictures, not their alt text: "image", as a page's <img>
    is no text either), or
    mostly links within the page (a table of contents) or linked images (a row
    of badges). Links to elsewhere are text: a list of them under "Running
    rustfmt from your editor" says which editors."""
    if all(_MD_LINK_DEFINITION.match(part) for part in line.splitlines()):
        return True
    if _MD_IMAGES_ONLY.fullmatch(line.strip()):
        return True
    navigation = sum(_letters(m.group(1)) for m in _MD_BADGE.finditer(line))
    line = MD_IMAGE.sub(r"\1", _MD_BADGE.sub(r"\1", line))
    navigation += sum(_letters(m.group(1)) for m in _MD_ANCHOR.finditer(line))
    shown = MD_LINK.sub(lambda m: m.group(1) or m.group(2) or "", line)
    if re.search(r"[.!?][\"'”’)]*\s*$", shown) and len(shown.split()) >= 5:
        return False  # a sentence written as a link is still a sentence
    visible = _letters(shown)
    return visible > 0 and navigation / visible >= LINK_DENSITY


def _letters(text: str) -> int:
    return len(re.sub(r"\W", "", text))


def _link_dense(text: str, start: int, end: int, links: list[tuple[int, int]]) -> bool:
    """Mostly link text, and not a sentence about what it links to.

    A reference links every name it mentions ("socket.bufferSize is just an
    alias for writable.writableLength."): a line that ends as a sentence does,
    with words of its own between its links, is text; a menu's items, a tag
    list or a teaser's title have no such words.
    """
    visible = sum(1 for ch in text[start:end] if not ch.isspace())
    if not visible:
        return False
    inside = [(max(a, start), min(b, end)) for a, b in links if a < end and b > start]
    linked = sum(1 for a, b in inside for ch in text[a:b] if not ch.isspace())
    if linked / visible < LINK_DENSITY:
        return False
    if not _SENTENCE_END.search(text, start, end):
        return True
    own = list(text[start:end])
    for a, b in inside:
        own[a - start : b - start] = " " * (b - a)
    return len(_OWN_WORD.findall("".join(own))) < OWN_WORDS
