"""Reading a corpus folder: each file's text, title and, for what cannot be read, a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunking import sentence_words, split_document
from index.corpus import scan

from ..conftest import write_corpus


def read_one(tmp_path: Path, name: str, data: bytes, max_bytes: int = 10_000_000):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / name).write_bytes(data)
    return scan(corpus, max_bytes), corpus / name


@pytest.mark.parametrize(
    "name, data, title",
    [
        ("page.html", b"<HTML><HEAD><TITLE\n>Users &amp; groups</TITLE\n></HEAD><BODY><P>Text.</P></BODY></HTML>", "Users & groups"),
        ("readme.md", b"[![Build](https://ci.example/badge.svg)](https://ci.example) [![npm](https://b.example/v.svg)](https://n.example)\n\n# Git - fast\n\nText.\n", "Git - fast"),
        # The other names Markdown files and web pages go by read the same way.
        ("notes.markdown", b"---\ntitle: Release notes\n---\n\n# Changes\n\nText.\n", "Release notes"),
        ("README.markdown", b"[![CI](https://ci.example/badge.svg)](https://ci.example)\n\n# libsodium\n\nText.\n", "libsodium"),
        ("install.mdx", b"---\ntitle: Installing the agent\n---\n\nimport Tabs from '@theme/Tabs';\n\nText.\n", "Installing the agent"),
        ("setup.mdx", b"import Tabs from '@theme/Tabs';\n\n# Setting up\n\nText.\n", "Setting up"),
        # As a Markdown renderer shows the first heading of the first rank: without its badges, marks and
        # links; over a README, a logo's name; after front matter without a title, or a line before it.
        ("rustfmt.md", b"# rustfmt [![linux](https://ci.example/badge.svg)](https://ci.example)\n\nA tool.\n", "rustfmt"),
        ("handbook.md", b"# **Volunteer driver handbook**\n\n**Version 3\\.2**\n", "Volunteer driver handbook"),
        ("guide.md", b"# [Tidewatch](https://tide.example) user guide ##\n\nText.\n", "Tidewatch user guide"),
        ("zstd.md", b'<p align="center"><img src="logo.png" alt="Zstandard"></p>\n\n__Zstandard__ is fast.\n', "Zstandard"),
        ("heron.md", b"---\ntags:\n  - heron\n---\n# Heron depot review\n\nText.\n", "Heron depot review"),
        ("changes.md", b"To read these notes, run:\n\n```sh\n# deploy --changelog\n```\n\nChangelog\n=========\n\nText.\n", "Changelog"),
        ("fees.md", b"## Harbour fees ##\n\nText.\n", "Harbour fees"),
        ("page.HTM", b"<html><head><title>Users &amp; groups</title></head><body><p>Text.</p></body></html>", "Users & groups"),
        ("notes.txt", "\ufeffHarbour notes\n\nText.\n".encode("utf-8"), "Harbour notes"),
        ("manual.txt", b"*usr_01.txt*\tFor Vim version 9.0.  Last change: 2024\n\nText.\n", "*usr_01.txt* For Vim version 9.0. Last change: 2024"),
        # A wiki's page: the <title> adds the site's name, and the site's logo is a heading too.
        ("steam.html", b"<html><head><title>Steam engine - Team wiki</title></head><body><h1 id='firstHeading'><span>Steam engine</span></h1><p>Text.</p></body></html>", "Steam engine"),
        ("steam2.html", b"<html><head><title>steam_engine [Team wiki]</title></head><body><h1><a href='/'>Team wiki</a></h1><h1 class='sectionedit1'>Steam engine</h1><p>Text.</p></body></html>", "Steam engine"),
        ("steam_engine.html", b"<div class='mw-parser-output'><p>Steam engines are external combustion engines.</p></div>", "steam engine"),
        # A Confluence export names the page's space first, as its breadcrumbs do; without them, a colon is the title's.
        (
            "release.html",
            b"<html><head><title>Platform Engineering : Release checklist</title></head><body><ol id='breadcrumbs'>"
            b"<li><a href='index.html'>Platform Engineering</a></li></ol><h1>Platform Engineering : Release checklist</h1></body></html>",
            "Release checklist",
        ),
        ("ratio.html", b"<html><head><title>Ratio : a guide</title></head><body><h1>Ratio : a guide</h1></body></html>", "Ratio : a guide"),
        # A Google Docs or Word export without a <title>: its title paragraph by class, not its first heading.
        (
            "policy.html",
            b"<html><body><div><p class='c22'>Harbour Trust &middot; HT-07</p></div><p class='c9 title'><span>Volunteer Expenses Policy</span></p>"
            b"<h1 class='c5'>1. Purpose</h1><p>Text.</p></body></html>",
            "Volunteer Expenses Policy",
        ),
        ("report.htm", b"<html><body><p class=MsoTitle>Leakage Review</p><h1>Summary</h1><p>Text.</p></body></html>", "Leakage Review"),
        ("rst-page.rst", b":orphan:\n:title: AWS CLI S3 FAQ\n:category: S3\n\nS3 FAQ\n======\n\nText.\n", "AWS CLI S3 FAQ"),
        ("rst-plain.rst", b"=========\nGauge log\n=========\n\n.. note:: Text.\n", "Gauge log"),
        # A manual page rendered as text: its running header is no title, its NAME line is.
        ("tar.1.txt", b"TAR(1)              GNU TAR Manual              TAR(1)\n\nNAME\n       tar - an archiving utility\n\nSYNOPSIS\n       tar -c\n", "tar - an archiving utility"),
        ("ls.txt", b"LS(1)      User Commands      LS(1)\n\nSYNOPSIS\n       ls [OPTION]...\n", "LS(1)"),
        # A text that opens with a paragraph, as a wiki's raw export does: the page's name is the file's.
        ("Brackwater_station.txt", b"Brackwater station serves the town of Brackwater in the county of Wessex, and was opened in 1862 by the Great Western Railway.\n", "Brackwater station"),
        # And a wiki's Markdown page, as GitHub's wiki keeps each page in a file of its name.
        (
            "Deploying-to-staging.md",
            b"Before you start, read [[Access requests]] and make sure you are in the `deployers` group, which the platform team grants within a day.\n\n## Steps\n",
            "Deploying-to-staging",
        ),
        # A blog's name over each post is a link to its home page: the <title> names the site, then the post.
        (
            "alston.html",
            b"<html><head><title>Tyneside Rail Rambles: The last day of the Alston branch</title></head><body>"
            b"<h1 class='title'><a href='https://tyneside.example/'>Tyneside Rail Rambles</a></h1>"
            b"<h3 class='post-title'>The last day of the Alston branch</h3><p>Text.</p></body></html>",
            "The last day of the Alston branch",
        ),
        # A heading's permalink, as Sphinx and MkDocs put one after each, is no part of it.
        (
            "limits.html",
            b"<html><head><title>Rate limits - Harbour API docs</title></head><body><h1 id='rate-limits'>Rate limits"
            b"<a class='headerlink' href='#rate-limits' title='Permanent link'>&para;</a></h1><p>Text.</p></body></html>",
            "Rate limits",
        ),
        (
            "bees.html",
            b"<html><head><title>Hive weights | Hive Notes</title></head><body><h1><a href='/'>Hive Notes</a></h1><p>Text.</p></body></html>",
            "Hive weights",
        ),
    ],
)
def test_a_file_without_a_title_in_the_metadata_gets_the_one_a_reader_would_see(tmp_path, name, data, title):
    result, _ = read_one(tmp_path, name, data)
    assert result.documents[0].meta.title == title


def test_windows_line_ends_are_read_as_text_mode_reads_them(tmp_path):
    result, path = read_one(tmp_path, "report.txt", b"Title\r\n\r\nFirst line.\r\nSecond line.\r\n")
    assert result.documents[0].text == open(path, encoding="utf-8").read() == "Title\n\nFirst line.\nSecond line.\n"


BOM = b"\xef\xbb\xbf"  # as Notepad and many exports begin a UTF-8 file


@pytest.mark.parametrize(
    "name, data, title, first",
    [
        ("leave.md", BOM + b"# Leave policy\n\nStaff get 25 days a year.\n", "Leave policy", "Leave policy"),
        ("parking.md", BOM + b"---\ntitle: Parking\n---\n\nThe car park opens at 7am.\n", "Parking", "The car park opens at 7am."),
        ("leave.txt", BOM + b"Leave policy\r\n============\r\n\r\nStaff get 25 days a year.\r\n", "Leave policy", "Leave policy"),
        ("agent.rst", BOM + b"=====\nAgent\n=====\n\nIt runs hourly.\n", "Agent", "Agent"),
        ("leave.html", BOM + b"<!DOCTYPE html><title>Leave policy</title><h1>Leave</h1><p>Staff get 25 days.</p>", "Leave", "Leave policy"),
    ],
)
def test_a_byte_order_mark_is_no_text_and_moves_no_offset(tmp_path, name, data, title, first):
    result, path = read_one(tmp_path, name, data)
    doc = result.documents[0]
    assert doc.meta.title == title
    sentences = split_document(doc)
    assert sentence_words(sentences[0]) == first  # no mark before a heading, front matter no text
    as_read = open(path, encoding="utf-8").read()
    assert as_read[0] == "\ufeff" and len(doc.text) == len(as_read)
    assert all(as_read[s.start : s.end] == s.text for s in sentences)


@pytest.mark.parametrize(
    "head, body, stated",
    [
        # Open Graph and <meta name="author">, as news sites and blogs write their head.
        (
            '<meta property="og:site_name" content="Wrenbury Courier"><meta name="author" content="Harriet Colley">'
            '<meta property="article:published_time" content="2025-03-04T09:12:00+00:00">'
            '<meta property="article:modified_time" content="2025-03-05T10:00:00+00:00">',
            "",
            ("2025-03-04", "Harriet Colley", "Wrenbury Courier"),
        ),
        # schema.org's JSON-LD: the article's own item, not a reply's after it; a person's name, not the address of their profile.
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Quillbox"},'
            '{"@type": "DiscussionForumPosting", "datePublished": "2026-02-09T14:22:31Z", "author": [{"@type": "Person", "name": "Tomas Reyes"}],'
            '"publisher": {"@type": "Organization", "name": "Quillbox Community"}},'
            '{"@type": "Comment", "datePublished": "2026-02-10T09:12:40Z", "author": {"name": "Ana"}}]}</script>'
            '<meta property="article:author" content="https://quillbox.example/u/treyes">',
            "",
            ("2026-02-09", "Tomas Reyes", "Quillbox Community"),
        ),
        # A byline's markup: schema.org microdata, a link to the writer's page; a comment's time after it is no date of the page.
        (
            "",
            '<p class="byline">By <a rel="author" href="/profile/nadia-ferrow"><span itemprop="name">Nadia Ferrow</span></a>, '
            '<time itemprop="datePublished" datetime="2025-03-10T08:05:00Z">10 March</time></p><p>Text.</p>'
            '<div class="comment"><a href="/author/sam-lee/">Sam Lee</a> <time class="published" datetime="2025-03-11">11 March</time></div>',
            ("2025-03-10", "Nadia Ferrow", ""),
        ),
        # A blog theme's hAtom ("abbr class=published"), and its "/author/" link.
        (
            "",
            "<p>Text.</p><span class='post-author vcard'>Posted by <a class='g-profile' href='https://blog.example/author/ian-routledge/'>"
            "<span>Ian Routledge</span></a></span> at <abbr class='published' title='2025-05-03T10:42:00+01:00'>10:42</abbr>",
            ("2025-05-03", "Ian Routledge", ""),
        ),
        # Asciidoctor's header: the document's author and its revision's date.
        (
            '<meta name="generator" content="Asciidoctor 2.0.20"><meta name="author" content="Platform Team">',
            '<div class="details"><span id="author" class="author">Platform Team</span><br>'
            '<span id="revnumber">version 3.1,</span> <span id="revdate">2025-09-14</span></div><p>Text.</p>',
            ("2025-09-14", "Platform Team", ""),
        ),
        # A wiki export's "Created by" names its author by class, as a theme's "vcard author" does; the editor is no author.
        (
            "",
            "<div class='page-metadata'>Created by <span class='author'> Grace Adeyemi</span>, last modified by "
            "<span class='editor'> Tomas Lindqvist</span> on Mar 12, 2024</div><p>Text.</p>",
            ("", "Grace Adeyemi", ""),
        ),
        # A writer named after the comment thread opens is a reply's, and a comment's author class is another class.
        (
            "",
            "<p>Text.</p><div class='comment-author vcard'><cite>Sam Lee</cite></div>"
            "<ol id='comments'><li><span class='author'>Ana Ruiz</span> said</li></ol>",
            ("", "", ""),
        ),
        # Only when it was changed, and a link to a profile that names no one: nothing is stated.
        (
            '<meta property="article:modified_time" content="2026-02-11T09:14:27Z"><meta name="author" content="https://example.org/me">',
            '<p>Text.</p><time itemprop="dateModified" datetime="2026-02-11T09:14:27Z">Feb 11</time><a rel="author" href="/me">View my profile</a>',
            ("", "", ""),
        ),
    ],
)
def test_a_web_page_states_its_date_author_and_outlet_for_its_citations(tmp_path, head, body, stated):
    page = f"<html><head><title>Flood report</title>{head}</head><body><h1>Flood report</h1>{body}</body></html>"
    result, _ = read_one(tmp_path, "flood.html", page.encode("utf-8"))
    meta = result.documents[0].meta
    assert (meta.date, meta.author, meta.publisher) == stated


@pytest.mark.parametrize("written, date", [("2025-03-03T10:00:00+01:00", "2025-03-03"), ('"2025-03"', "2025-03"), ("March 2025", "March 2025")])
def test_a_markdown_page_is_dated_by_the_day_its_front_matter_gives(tmp_path, written, date):
    result, _ = read_one(tmp_path, "post.md", f"---\ntitle: Harbour news\ndate: {written}\n---\n\nText.\n".encode("utf-8"))
    assert result.documents[0].meta.date == date


def test_the_metadata_file_wins_over_what_a_page_states(tmp_path):
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "flood.html": '<html><head><title>Flood</title><meta property="og:site_name" content="Wrenbury Courier">'
            '<meta property="article:published_time" content="2025-03-04T09:12:00Z"></head><body><p>Text.</p></body></html>',
            "metadata.json": '{"flood.html": {"publisher": "The Courier", "author": "H. Colley"}}',
        },
    )
    meta = scan(corpus, 10_000_000).documents[0].meta
    assert (meta.publisher, meta.author, meta.date) == ("The Courier", "H. Colley", "2025-03-04")


def test_a_web_page_in_the_encoding_it_declares_is_read_as_a_browser_shows_it(tmp_path):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>Caf\u00e9 Ren\u00e9</title></head>'
        "<body><p>Caf\u00e9 Ren\u00e9 opened on the Quai Saint-Andr\u00e9 in 1968.</p><p>A cr\u00e8me br\u00fbl\u00e9e costs \u00a36.50.</p></body></html>"
    )
    result, path = read_one(tmp_path, "cafe.html", page.encode("latin-1"))
    doc = result.documents[0]
    sentences = split_document(doc)
    assert doc.meta.title == "Caf\u00e9 Ren\u00e9"
    assert [sentence_words(s) for s in sentences][-2:] == ["Caf\u00e9 Ren\u00e9 opened on the Quai Saint-Andr\u00e9 in 1968.", "A cr\u00e8me br\u00fbl\u00e9e costs \u00a36.50."]
    # Offsets are the file's as Python reads it in that encoding (Windows-1252, as browsers read "iso-8859-1").
    as_read = open(path, encoding="cp1252").read()
    assert all(as_read[s.start : s.end] == s.text for s in sentences)


@pytest.mark.parametrize(
    "name, data, said",
    [
        # A text file says nothing of its encoding: it is not guessed.
        ("handbook.txt", "The caf\u00e9 serves breakfast until 10:30.\n".encode("cp1252"), "not valid UTF-8 (byte 7)."),
        # Nor is a page that declares UTF-8 and is not, nor one whose encoding Python does not know.
        ("menu.html", '<meta charset="utf-8"><p>Caf\u00e9</p>'.encode("cp1252"), 'not valid UTF-8 (byte 28) (it declares "utf-8").'),
        ("old.html", '<meta charset="x-mac-klingon"><p>Caf\u00e9</p>'.encode("cp1252"), 'it declares "x-mac-klingon"'),
    ],
)
def test_a_file_in_an_encoding_it_does_not_declare_is_skipped_with_the_fix(tmp_path, name, data, said):
    result, _ = read_one(tmp_path, name, data)
    assert not result.documents
    assert said in result.skipped[name] and "iconv -f windows-1252 -t utf-8" in result.skipped[name]


def test_the_size_limit_is_stated_as_set(tmp_path):
    result, _ = read_one(tmp_path, "big.txt", b"Words. " * 50_000, max_bytes=100_000)
    assert "0.35 MB is larger than the 0.1 MB limit" in result.skipped["big.txt"]
