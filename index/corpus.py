"""Read a corpus folder: articles plus what is known about each of them.

A file that cannot be used (empty, binary, not UTF-8, too large) is skipped
with a reason the user can act on; it never stops the rest of the corpus.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from index import fences
from index.chunking import readable
from index.clean import (
    MARKDOWN_SUFFIXES,
    RST_SUFFIXES,
    TAG,
    TEXT_SUFFIXES,
    TITLE_SEPARATORS,
    WEB_SUFFIXES,
    code_blocks,
    is_markdown,
    is_rst,
    is_web_page,
    visible_text,
)
from index.errors import CorpusError
from index.page_meta import iso_date, page_metadata
from index.types import Document, Metadata

SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | WEB_SUFFIXES | RST_SUFFIXES
# How messages name the files read: one phrase, so that none forgets a type.
READ_TYPES = ".txt, .md, .mdx, .rst or .html"
METADATA_FILE = "metadata.json"


@dataclass
class CorpusScan:
    documents: list[Document] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # source -> reason
    other_types: dict[str, int] = field(default_factory=dict)  # files not read, by suffix (".pdf": 2)


def corpus_files(corpus: Path) -> list[Path]:
    """The article files of a corpus folder, in a stable order."""
    corpus = Path(corpus)
    if not corpus.exists():
        raise CorpusError(
            f"Corpus folder {corpus} does not exist.",
            f"Pass --corpus DIR (or set QA_CORPUS) to a folder of {READ_TYPES} articles.",
        )
    if not corpus.is_dir():
        raise CorpusError(f"Corpus path {corpus} is a file, not a folder.", "Point --corpus at the folder that holds the articles.")
    files = sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    )
    if not files:
        raise CorpusError(
            f"Corpus folder {corpus} has no articles ({READ_TYPES} files).",
            "Add article files to it, or pass --corpus DIR for another folder.",
        )
    return files


def _other_types(corpus: Path) -> dict[str, int]:
    """How many files of each other type the folder holds: a user may expect them read."""
    counts: dict[str, int] = {}
    for p in corpus.rglob("*"):
        if p.is_file() and p.suffix.lower() not in SUFFIXES and p.name != METADATA_FILE and not any(part.startswith(".") for part in p.relative_to(corpus).parts):
            suffix = p.suffix.lower() or "(none)"
            counts[suffix] = counts.get(suffix, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def source_name(corpus: Path, path: Path) -> str:
    return path.relative_to(corpus).as_posix()


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_metadata(corpus: Path) -> tuple[dict[str, Metadata], str]:
    """The sidecar metadata, and a warning if the sidecar could not be used."""
    path = Path(corpus) / METADATA_FILE
    if not path.exists():
        return {}, ""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("expected an object keyed by file name")
        fields = {"title", "publisher", "author", "date"}
        return {
            str(name): Metadata(**{k: str(v) for k, v in entry.items() if k in fields})
            for name, entry in raw.items()
            if isinstance(entry, dict)
        }, ""
    except (OSError, ValueError) as exc:
        return {}, f"{METADATA_FILE} ignored ({exc}); fix it to get titles and dates in citations"


def load_document(corpus: Path, path: Path, meta: Metadata | None, max_bytes: int) -> Document:
    """Read one file; raise CorpusError with the reason it cannot be indexed."""
    source = source_name(corpus, path)
    size = path.stat().st_size
    if size > max_bytes:
        raise CorpusError(
            f"{source}: {size / 1e6:.3g} MB is larger than the {max_bytes / 1e6:.3g} MB limit.",
            "Split the file, or raise the limit with QA_MAX_FILE_MB.",
        )
    data = path.read_bytes()
    if not data.strip():
        raise CorpusError(f"{source}: the file is empty.", "Add the article's text or remove the file.")
    if b"\x00" in data[:8192]:
        raise CorpusError(f"{source}: looks like a binary file, not text.", f"Convert it to {READ_TYPES}.")
    # As Python's text mode reads it ("\r\n" and "\r" become "\n"), so that
    # open(path, encoding=...).read()[start:end] is the quote.
    text = _decoded(source, path, data).replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith(BYTE_ORDER_MARK):
        # No text, as an editor shows it: read as a line break, every offset
        # still the file's, so "# Leave policy" after it is a heading.
        text = "\n" + text[1:]
    meta = _merge(meta or Metadata(), _stated(path, text))
    if not meta.title:
        meta = Metadata(title=_guess_title(text, path), publisher=meta.publisher, author=meta.author, date=meta.date)
    return Document(source=source, text=text, fingerprint=fingerprint(data), meta=meta)


# A web page's own statement of its encoding, as a browser reads it: <meta charset="...">
# or <meta http-equiv="Content-Type" content="text/html; charset=...">, near its top.
_DECLARED_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
CHARSET_SNIFF_BYTES = 1024  # as the HTML standard's prescan, over the first kilobyte


def _decoded(source: str, path: Path, data: bytes) -> str:
    """The file's text: UTF-8, or a web page's declared encoding (an old page's
    "iso-8859-1" or "windows-1252"), which a browser would use to show it."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _DECLARED_CHARSET.search(data, 0, CHARSET_SNIFF_BYTES) if is_web_page(path.name) else None
        if declared:
            name = declared.group(1).decode("ascii", "replace").lower()
            # As browsers do: a page that says Latin-1 is read as Windows-1252, its superset.
            name = "cp1252" if name in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"} else name
            try:
                return data.decode(name)
            except (LookupError, UnicodeDecodeError):
                pass  # a name Python does not know, or bytes the encoding lacks: the error below
        said = f' (it declares "{declared.group(1).decode("ascii", "replace")}")' if declared else ""
        raise CorpusError(
            f"{source}: not valid UTF-8 (byte {exc.start}){said}.",
            "Re-save the file as UTF-8 (e.g. iconv -f windows-1252 -t utf-8).",
        ) from None


def scan(corpus: Path, max_bytes: int) -> CorpusScan:
    """Load every article of ``corpus``, skipping (with reasons) what cannot be read."""
    corpus = Path(corpus)
    files = corpus_files(corpus)
    metadata, warning = read_metadata(corpus)
    result = CorpusScan(other_types=_other_types(corpus))
    if warning:
        result.skipped[METADATA_FILE] = warning
    for path in files:
        source = source_name(corpus, path)
        try:
            result.documents.append(load_document(corpus, path, metadata.get(source), max_bytes))
        except CorpusError as exc:
            result.skipped[source] = str(exc)
        except OSError as exc:
            result.skipped[source] = f"{source}: cannot be read ({exc.strerror}). Check its permissions."
    return result


BYTE_ORDER_MARK = "\ufeff"  # as Windows editors begin a UTF-8 file
# At the file's start, or after its byte order mark (read as a line break).
FRONT_MATTER = re.compile(r"\A\n?---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def _front_matter(text: str) -> dict[str, str]:
    """Simple ``key: value`` pairs of a Markdown file's front matter."""
    m = FRONT_MATTER.match(text)
    if not m:
        return {}
    out = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in {"title", "publisher", "author", "date"}:
            out[key.strip().lower()] = value.strip().strip("'\"")
    if "date" in out:
        out["date"] = iso_date(out["date"]) or out["date"]  # Hugo's "2025-03-03T10:00:00+01:00" as the day
    return out


def _stated(path: Path, text: str) -> dict[str, str]:
    """What a file states of itself: a Markdown file in its front matter, a web page in its head and byline."""
    if is_markdown(path.name):
        return _front_matter(text)
    return page_metadata(text) if is_web_page(path.name) else {}


def _merge(meta: Metadata, extra: dict[str, str]) -> Metadata:
    """The sidecar wins; what the file states of itself (front matter, a page's head) fills what it leaves empty."""
    return Metadata(**{k: getattr(meta, k) or extra.get(k, "") for k in ("title", "publisher", "author", "date")})


_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
# The first link of a page's breadcrumbs (a list or block whose id or class names them).
_FIRST_BREADCRUMB = re.compile(r"<(?:ol|ul|nav|div)\b[^>]*\b(?:id|class)=[\"'][^\"']*breadcrumb[^\"']*[\"'][^>]*>.*?<a\b[^>]*>(.*?)</a\s*>", re.I | re.S)
# A Markdown line that is only images and links (badges, a logo): not a title.
_ONLY_LINKS = re.compile(r"^(?:\s*!?\[(?:[^\]]|\[[^\]]*\])*\]\([^)]*\))+\s*$")


# A manual page's running header ("TAR(1)    GNU TAR Manual    TAR(1)"), and its NAME section's line.
_MAN_HEADER = re.compile(r"\s*([\w.+-]+)\((\w+)\)\s{2,}.*?\s{2,}\1\(\2\)[ \t]*\n")
_MAN_NAME = re.compile(r"^NAME[ \t]*\n[ \t]+(\S[^\n]*(?:\n[ \t]+\S[^\n]*)?)", re.M)
_HEADING_TAG = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
# A heading that is a link to the site's home page ("/", "https://example.org/", "index.html") alone.
_HOME_LINK = re.compile(r"\s*<a\b[^>]*\bhref\s*=\s*[\"'](?:(?:https?:)?//[^/\"']+)?(?:/|\./|/?index\.html?)?[\"'][^>]*>(.*?)</a\s*>\s*", re.I | re.S)
_TITLE_CLASS = re.compile(
    r"<(p|div|h1)\b[^>]*\bclass=(?:[\"'](?:[^\"']*\s)?(?:title|MsoTitle)(?:\s[^\"']*)?[\"']|(?:title|MsoTitle)(?=[\s/>]))[^>]*>(.*?)</\1\s*>", re.I | re.S
)


# reStructuredText's fields over a document (":title: AWS CLI S3 FAQ", then ":category: S3"), one of them its title.
_RST_TITLE_FIELD = re.compile(r"\A\n?(?:[ \t]*:[^:\n]+:[^\n]*\n)*?[ \t]*:title:[ \t]*(\S[^\n]*)", re.I)


TITLE_MAX_WORDS = 20  # a first line longer is a paragraph, no title


def _guess_title(text: str, path: Path) -> str:
    if is_web_page(path.name):
        return _page_title(text) or path.stem.replace("_", " ")
    titled = _RST_TITLE_FIELD.match(text) if is_rst(path.name, text) else None
    if titled:
        return " ".join(titled.group(1).split())[:120]
    manual = _MAN_HEADER.match(text)
    if manual:
        # A manual page rendered as text: "TAR(1)  GNU TAR Manual  TAR(1)" is its
        # running header; its NAME line says what it is.
        named = _MAN_NAME.search(text)
        return " ".join(named.group(1).split())[:120] if named else f"{manual.group(1)}({manual.group(2)})"
    if is_markdown(path.name):
        return _markdown_title(path.name, text) or path.stem
    for line in visible_text(path.name, text).splitlines():
        line = line.strip().lstrip("#").strip()
        if line and line != "---" and any(ch.isalpha() for ch in line) and not _ONLY_LINKS.match(line):
            if len(line.split()) > TITLE_MAX_WORDS:
                break  # a paragraph, as a wiki's raw export begins: the page's name is the file's
            return " ".join(line.split())[:120]  # tabs laid out for a terminal are one space in a title
    return path.stem.replace("_", " ")


# A Markdown page's heading of the first rank: "# rustfmt", or a line underlined with "=".
_MD_TOP_HEADING = re.compile(r"^[ \t]{0,3}#[ \t]+\S.*$|^[ \t]{0,3}\S.*\n[ \t]{0,3}=+[ \t]*$", re.M)
# A logo alone over a README ('<p align="center"><img src="logo.png" alt="Zstandard"></p>',
# "![Zstandard](logo.png)"): the name it shows.
_LOGO = re.compile(r"^(?:<p\b[^>]*>\s*)?(?:<img\b[^>]*\balt=[\"']([^\"']+)[\"'][^>]*>|!\[([^\]]+)\]\([^)]*\))\s*(?:</p\s*>)?$", re.I)
_LINKED_IMAGE = re.compile(r"\[\s*!\[[^\]]*\]\([^)]*\)\s*\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)")


def _markdown_title(source: str, text: str) -> str:
    """A Markdown page's title, as its renderer shows it: its first heading of
    the first rank, else its first line (unless a paragraph), or the name a logo alone there shows.
    Front matter without a title field is no part of it, nor are a heading's
    badges ("# rustfmt [![linux](...)](...)"), nor code."""
    body = visible_text(source, FRONT_MATTER.sub("", text, count=1))
    code = code_blocks(source, text, body)
    top = next((m for m in _MD_TOP_HEADING.finditer(body) if not fences.inside(code, m.start())), None)
    lines = [top.group(0).splitlines()[0]] if top else body.splitlines()
    for line in lines:
        line = line.strip()
        logo = _LOGO.match(line)
        if logo:
            return " ".join((logo.group(1) or logo.group(2)).split())[:120]
        if not line or _ONLY_LINKS.match(line):
            continue
        shown = " ".join(readable(source, _LINKED_IMAGE.sub("", line)).split())
        if any(ch.isalpha() for ch in shown):
            # A paragraph, as a wiki page's file opens (its name is the page's): no title.
            return "" if not top and len(shown.split()) > TITLE_MAX_WORDS else shown[:120]
    return ""


def _page_title(page: str) -> str:
    """A web page's own title: its heading when the <title> is that plus the
    site's name ("Steam engine - Team wiki", "steam_engine [Team wiki]"),
    else the <title> (without the site's name a heading links home with),
    else the heading."""

    def shown(fragment: str) -> str:
        # Without a heading's permalink ("Rate limits¶", as Sphinx and MkDocs link each heading).
        return " ".join(html.unescape(TAG.sub("", fragment)).replace("¶", "").split())

    def key(s: str) -> str:
        return re.sub(r"[\W_]+", "", s.lower())

    m = _TITLE_TAG.search(page)
    # A document exported without a <title> (Google Docs, Word) marks its title paragraph by class.
    m = m or _TITLE_CLASS.search(page)
    title = shown(m.group(m.lastindex)) if m else ""
    # A heading that links to the site's home page is the site's name (a blog's, over each
    # post), no heading of the page: "Tyneside Rail Rambles: The last day of the Alston
    # branch" titles the post "The last day of the Alston branch".
    headings, sites = [], []
    for m in _HEADING_TAG.finditer(page):
        (sites if _HOME_LINK.fullmatch(m.group(1)) else headings).append(shown(m.group(1)))
    headings = [h for h in headings if key(h)]
    for site in filter(None, sites):
        if title.startswith(site) and title[len(site) :].lstrip()[:1] in TITLE_SEPARATORS:
            title = title[len(site) :].lstrip()[1:].strip() or title
        elif title.endswith(site) and title[: -len(site)].rstrip()[-1:] in TITLE_SEPARATORS:
            title = title[: -len(site)].rstrip()[:-1].strip() or title
    # A site's own name can be a heading too (a wiki's logo): the page's comes first in the <title>.
    named = sorted((key(title).index(key(h)), -len(h), h) for h in headings if key(h) in key(title))
    found = named[0][2] if named else title or (headings[0] if headings else "")
    # The space a page is in, named before its title as a Confluence export writes it
    # ("Platform Engineering : Release checklist"), when the page's breadcrumbs open with it.
    space, colon, rest = found.partition(" : ")
    crumb = _FIRST_BREADCRUMB.search(page) if colon else None
    if crumb and key(rest) and key(space) == key(shown(crumb.group(1))):
        return rest
    return found
