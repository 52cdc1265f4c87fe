"""What a web page says about itself: when it was published, by whom, and where.

Publishers put this in the page's head for search engines and link previews
(Open Graph's ``article:published_time`` and ``og:site_name``, a ``<meta
name="author">``, schema.org's JSON-LD), and in the markup of its byline (a
``<time itemprop="datePublished">``, a blog theme's ``class="published"``,
Asciidoctor's revision date under the title).
Read from there, a saved page's citations show its date and outlet without a
``metadata.json``; the sidecar, when it has a field, still wins.

Only the page's own publication is read: a modification date, a comment's
time or a related story's date says nothing about when the article was written.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from index.clean import TAG

_META_TAG = re.compile(r"<meta\b([^>]*)>", re.I)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
_JSON_LD = re.compile(r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>", re.I | re.S)
# The byline's own date: schema.org's microdata, or hAtom's class as blog themes write it
# ("<time class=\"entry-date published\" datetime=...>", Blogger's "<abbr class=\"published\" title=...>").
_PUBLISHED_ELEMENT = re.compile(
    r"<(?:time|abbr|span|meta)\b(?=[^>]*(?:\bitemprop\s*=\s*[\"']?datePublished\b|\bclass\s*=\s*[\"'](?:[^\"']*\s)?published[\s\"']))[^>]*>",
    re.I,
)

# Asciidoctor's revision date under the document's title ("<span id=\"revdate\">2025-09-14</span>").
_REVISION_DATE = re.compile(r"<span\b[^>]*\bid\s*=\s*[\"']revdate[\"'][^>]*>([^<]*)</span\s*>", re.I)

# By the name (or property) of a <meta>, in the order of trust: the first present wins.
_DATE_NAMES = (
    "article:published_time",
    "datepublished",
    "citation_publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "pubdate",
    "publish-date",
    "parsely-pub-date",
)
_AUTHOR_NAMES = ("author", "article:author", "dc.creator", "dcterms.creator", "citation_author", "parsely-author")
_PUBLISHER_NAMES = ("og:site_name", "citation_publisher", "dc.publisher", "dcterms.publisher", "publisher")

# A byline's link to its writer's page: "rel=author", or a blog's "/author/<name>/" address.
_AUTHOR_LINK = re.compile(
    r"<a\b(?=[^>]*(?:\brel\s*=\s*[\"']?(?:[^\"'>]*\s)?author\b|\bhref\s*=\s*[\"'][^\"']*/author/))[^>]*>(.*?)</a\s*>", re.I | re.S
)
_PERSON = re.compile(r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){1,3}")  # "Lucy Marchetti", not "Staff" nor "View my profile"
# An element its class names as the author's (a wiki export's "Created by <span
# class='author'>...", a theme's "vcard author"), its text a name: a
# "comment-author" is another class, a reply's writer.
_AUTHOR_ELEMENT = re.compile(
    r"<(span|div|p|a|address|cite|strong|b)\b[^>]*\bclass\s*=\s*([\"'])(?:[^\"']*\s)?author(?:\s[^\"']*)?\2[^>]*>(.*?)</\1\s*>", re.I | re.S
)
# Where a page's comment thread opens: a writer named after it is a reply's.
_COMMENTS_OPEN = re.compile(r"\b(?:class|id)\s*=\s*[\"'][^\"']*\bcomments?\b", re.I)

_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?(?![\d])")
MAX_NAME_WORDS = 8  # an author or outlet longer than this is a sentence, not a name


def page_metadata(page: str) -> dict[str, str]:
    """``date``, ``author`` and ``publisher`` as the page states them; a field it does not state is absent."""
    metas: dict[str, str] = {}
    for m in _META_TAG.finditer(page):
        attrs = _attributes(m.group(1))
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key and "content" in attrs:
            metas.setdefault(key, attrs["content"])
    ld = _linked_data(page)
    stated = {
        "date": _first(metas, _DATE_NAMES, iso_date)
        or iso_date(_text(ld.get("datePublished")))
        or _published_element_date(page)
        or _revision_date(page),
        "author": _first(metas, _AUTHOR_NAMES, _name) or _name(_text(ld.get("author"))) or _byline_author(page) or _author_element(page),
        "publisher": _first(metas, _PUBLISHER_NAMES, _name) or _name(_text(ld.get("publisher"))),
    }
    return {field: value for field, value in stated.items() if value}


def _first(metas: dict[str, str], names: tuple[str, ...], read: Callable[[str], str]) -> str:
    """The first of the <meta> ``names`` the page gives that ``read`` makes something of."""
    return next((value for value in (read(metas.get(name, "")) for name in names) if value), "")


def _attributes(inside: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v.strip("\"'")) for k, v in _ATTRIBUTE.findall(inside)}


def _linked_data(page: str) -> dict:
    """The page's own item in its JSON-LD: the first that says when it was published.

    A forum thread lists each reply with its own date after the thread's, and a
    graph ("@graph") holds the site and the page beside the article.
    """
    for m in _JSON_LD.finditer(page):
        try:
            data = json.loads(m.group(1))  # a script's text: no character references to read
        except ValueError:
            continue  # a page's broken JSON-LD says nothing; the page's text is still read
        for item in _items(data):
            if isinstance(item, dict) and item.get("datePublished"):
                return item
    return {}


def _items(data):
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            yield item
            if isinstance(item.get("@graph"), list):
                stack[:0] = item["@graph"]


def _text(value) -> str:
    """A JSON-LD value as a string: a person's or organisation's name, the first of a list."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name", "")
    return value if isinstance(value, str) else ""


def _byline_author(page: str) -> str:
    """The first link to a writer's page that names a person: the byline, before any reply's."""
    return next(filter(None, (_person(m.group(1)) for m in _AUTHOR_LINK.finditer(page))), "")


def _author_element(page: str) -> str:
    """The first element the page's classes name as the author's that holds a person's name, before any comment thread."""
    thread = _COMMENTS_OPEN.search(page)
    found = _AUTHOR_ELEMENT.finditer(page, 0, thread.start() if thread else len(page))
    return next(filter(None, (_person(m.group(3)) for m in found)), "")


def _person(markup: str) -> str:
    """The person's name ``markup`` shows, or "" when it shows something else ("Staff", "View my profile")."""
    name = " ".join(html.unescape(TAG.sub(" ", markup)).split())
    return name if _PERSON.fullmatch(name) else ""


def _published_element_date(page: str) -> str:
    for m in _PUBLISHED_ELEMENT.finditer(page):
        attrs = _attributes(m.group(0)[1:-1])
        found = iso_date(attrs.get("datetime") or attrs.get("content") or attrs.get("title") or "")
        if found:
            return found
    return ""


def _revision_date(page: str) -> str:
    m = _REVISION_DATE.search(page)
    return iso_date(html.unescape(m.group(1))) if m else ""


def iso_date(value: str) -> str:
    """An ISO date ("2025-03-07T03:15:00+00:00" as "2025-03-07"), or "" when the value is none."""
    m = _ISO_DATE.match(value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or (m.group(3) and not 1 <= int(m.group(3)) <= 31):
        return ""
    year, month = m.group(1), m.group(2).zfill(2)
    return f"{year}-{month}-{m.group(3).zfill(2)}" if m.group(3) else f"{year}-{month}"


def _name(value: str) -> str:
    """A person's or outlet's name as shown, or "" for what is none (a profile's address, a sentence)."""
    value = " ".join(TAG.sub(" ", value).split())
    if not value or "://" in value or value.startswith(("/", "@")) or len(value.split()) > MAX_NAME_WORDS:
        return ""
    return value
