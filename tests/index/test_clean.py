"""Cleaning the seed articles: what is kept, what is labelled, what is dropped."""

import json
from pathlib import Path

import pytest

from index.chunking import readable, split_document
from index.clean import mask_html, strip_wiki_marks, without_wiki_marks
from index.corpus import scan
from index.types import Document

from .conftest import article_shown, shown, split_text


@pytest.fixture(scope="module")
def sentences(seeds: Path) -> dict[str, list]:
    return {d.source: split_document(d) for d in scan(seeds, 10_000_000).documents}


def texts(sents, kind=None) -> str:
    return "\n".join(s.text for s in sents if kind is None or s.kind == kind)


def test_every_sentence_is_an_exact_slice_of_its_file(seeds, sentences):
    for source, sents in sentences.items():
        raw = (seeds / source).read_text(encoding="utf-8")
        assert sents, source
        for s in sents:
            assert raw[s.start : s.end] == s.text


def test_repeated_article_body_is_indexed_once(sentences):
    sents = sentences["001_2c412687df2d06db.txt"]
    keys = [" ".join(s.text.split()).lower() for s in sents]
    assert len(keys) == len(set(keys))
    assert sum("paper tiger" in k for k in keys) == 1


def test_book_advertisement_is_dropped(sentences):
    all_text = "\n".join(texts(s) for s in sentences.values())
    assert "Genesis: the Story of Apollo 8" not in all_text
    assert "ebookit" not in all_text
    assert "San Antonio Express-News" not in all_text


def test_reader_comments_are_kept_apart_and_labelled(sentences):
    sents = sentences["001_2c412687df2d06db.txt"]
    comments = texts(sents, "comment")
    article = texts(sents, "article")
    assert "Germany’s Fiscal Free Fall" in comments
    assert "enjoy it while it lasts" in comments
    assert "Germany" not in article
    assert "Roscosmos says it is building Russia’s own space station" in article


def test_site_chrome_is_dropped(sentences):
    rt = texts(sentences["003_573ec961aca9243d.txt"])
    for chrome in ("Try Our AI Features", "DOWNLOAD THE APP", "app-storeplay-store", "Orange background", "2 days ago", "No comments yet"):
        assert chrome not in rt
    assert "Posted by Written by" not in texts(sentences["000_50b292b35026a21a.txt"])
    assert "our firm helps Russian companies relocate" not in texts(sentences["000_50b292b35026a21a.txt"])


def test_related_articles_keep_their_own_title(sentences):
    sents = sentences["003_573ec961aca9243d.txt"]
    related = [s for s in sents if s.kind == "related"]
    fission = [s for s in related if "40-kilowatt lunar fission system" in s.text]
    assert fission and fission[0].heading.startswith("US aiming to")
    # Teaser titles are not sentences of their own; the main article is not "related".
    assert not any(s.text.startswith("US aiming to") for s in sents)
    assert any(s.kind == "article" and "Gazeta.ru" in s.text for s in sents)


def test_html_is_reduced_to_text_with_offsets_into_the_raw_file():
    raw = (
        "<html><head><title>T</title><script>var x = 'No.';</script></head>"
        "<body><nav>Home | News</nav><p>NASA met Roscosmos in <b>Houston</b>. They talked.</p>"
        "<footer>Copyright</footer></body></html>"
    )
    doc = Document(source="page.html", text=raw, fingerprint="x")
    sents = split_document(doc)
    assert [raw[s.start : s.end] for s in sents] == [s.text for s in sents]
    joined = " ".join(s.text for s in sents)
    assert "var x" not in joined and "Home | News" not in joined and "Copyright" not in joined
    assert any("Houston" in s.text for s in sents)


# Documents of other kinds than the seeds: every sentence of their body must be
# indexed as article text, and their chrome dropped (tests/data/cleaning/, and
# those of the varied question set's documents its expected.json names).
CLEANING = Path(__file__).resolve().parents[1] / "data" / "cleaning"
VARIED = Path(__file__).resolve().parents[1] / "data" / "varied" / "corpus"
CLEANING_EXPECTED = json.loads((CLEANING / "expected.json").read_text(encoding="utf-8"))


def folder_of(source: str) -> Path:
    return CLEANING if (CLEANING / source).exists() else VARIED


@pytest.fixture(scope="module")
def varied_documents() -> dict[str, Document]:
    documents = {}
    for folder in (CLEANING, VARIED):
        scanned = scan(folder, 10_000_000)
        assert not scanned.skipped
        documents.update({d.source: d for d in scanned.documents if folder == CLEANING or d.source in CLEANING_EXPECTED})
    return documents


@pytest.fixture(scope="module")
def varied(varied_documents) -> dict[str, list]:
    return {source: split_document(d) for source, d in varied_documents.items()}


@pytest.mark.parametrize("source", sorted(CLEANING_EXPECTED))
def test_every_body_sentence_of_other_documents_is_article_text(varied, source):
    sents = varied[source]
    # As a reader sees them: a wrapped sentence's line breaks are spaces, a page's markup gone.
    article = [shown(s) for s in sents if s.kind == "article"]
    missing = [body for body in CLEANING_EXPECTED[source]["article"] if body not in article]
    assert not missing, f"{CLEANING_EXPECTED[source]['kind']}: not indexed as article text: {missing}"


@pytest.mark.parametrize("source", sorted(CLEANING_EXPECTED))
def test_chrome_of_other_documents_is_dropped_and_comments_labelled(varied, source):
    sents = varied[source]
    expected = CLEANING_EXPECTED[source]
    for chrome in expected["dropped"]:
        # A sentence that runs on over a page break quotes the running footer and
        # header between; a reader is shown it without them.
        assert not any(chrome in (shown(s) if "\f" in s.text else s.text) for s in sents), chrome
    comments = texts(sents, "comment")
    for comment in expected["comment"]:
        assert comment in comments, comment
    if not expected["comment"]:
        assert not comments


def test_offsets_of_other_documents_slice_the_raw_files(varied):
    for source, sents in varied.items():
        raw = (folder_of(source) / source).read_text(encoding="utf-8")
        for s in sents:
            assert raw[s.start : s.end] == s.text


def masked(page: str) -> str:
    """The page as cleaning reads it, its offsets checked unchanged."""
    out = mask_html(page)
    assert len(out) == len(page)
    return out


def test_a_region_marked_by_a_landmark_role_is_chrome_up_to_its_own_end():
    page = (
        '<div role="contentinfo"><div><p>Last edited today.</p></div><p>Licence text.</p></div>'
        "<p>Article text after it.</p>"
        '<div data-role="navigation"><p>Kept: not a role.</p></div>'
        '<div role="navigation"><p>Never closed, so kept.</p>'
    )
    text = masked(page)
    assert "Last edited" not in text and "Licence" not in text
    assert "Article text after it." in text and "Kept: not a role." in text and "Never closed, so kept." in text


def test_a_document_exports_running_header_and_footer_are_chrome_its_comments_comments():
    page = (
        '<body class="c21 doc-content"><div><p class="c22">Harbour Trust - HT-07 - DRAFT v3</p></div>'
        '<p class="title">Expenses Policy</p><p>Meals cost up to 9 pounds.</p>'
        + "<p>Volunteers may claim bus and train fares at standard class, with a ticket as proof.</p>" * 3
        + '<div><p class="c22">Harbour Office - Not for circulation</p></div>'
        '<div class="c6"><p><a href="#cmnt_ref1" id="cmnt1">[a]</a>Should we raise this?</p></div></body>'
    )
    text = masked(page)
    assert "DRAFT v3" not in text and "Not for circulation" not in text
    assert "Expenses Policy" in text and "Meals cost" in text and "Should we raise this?" in text
    # Without the editor's mark on the body, or with text after it, a bare block is kept.
    assert "DRAFT v3" in masked(page.replace(" doc-content", ""))
    assert "Not for circulation" in masked(page.replace("</body>", "<p>More text.</p></body>"))


def test_a_header_outside_the_content_a_page_marks_is_its_banner():
    page = (
        "<body><header><p>Riverside Gazette</p><p>News from the valley since 1921</p></header>"
        "<main><article><header><h1>Old mill reopens</h1><p>By Mara Quist</p></header><p>The mill reopened.</p></article>"
        "<section><header><h2>Comments</h2></header><p>Lovely.</p></section></main></body>"
    )
    text = masked(page)
    assert "Riverside Gazette" not in text and "since 1921" not in text
    assert "Old mill reopens" in text and "By Mara Quist" in text and "Comments" in text
    # A page that does not say where its content is keeps its header: it may be the article's title.
    plain = "<body><header><h1>Old mill reopens</h1></header><p>The mill reopened.</p></body>"
    assert "Old mill reopens" in mask_html(plain)


def test_a_block_named_as_chrome_is_dropped_but_not_a_post_tagged_with_such_a_word():
    body = "<p>" + "The mill reopened on Saturday as a bakery run by a cooperative. " * 6 + "</p>"
    page = (
        '<div id="cookie-banner"><p>We use cookies on this site.</p><button>Accept</button></div>'
        f'<article class="post tag-cookies category-newsletter">{body}</article>'
        '<div class="newsletter-signup"><div><h3>Get the Gazette</h3></div><p>Stories in your inbox.</p></div>'
        '<div class="header-main"><p>Kept: "header" holds no "ad".</p></div>'
        '<div class="footer"><p>Generated by GTK-Doc V1.33.1</p></div>'
    )
    text = masked(page)
    assert "We use cookies" not in text and "Get the Gazette" not in text and "in your inbox" not in text
    assert "GTK-Doc" not in text
    assert "bakery run by a cooperative" in text and "Kept:" in text
    # A block of most of the page's text is its content, whatever it is named.
    assert "bakery run by a cooperative" in mask_html(f'<div class="modal-content">{body}</div><p>Footnote.</p>')


def test_a_block_named_by_its_test_id_or_label_is_chrome_and_most_read_opens_teasers():
    # A site whose build hashes its class names ("css-f3a9q2") names its blocks
    # for its tests and for screen readers instead.
    body = "<p>" + "The line reopened on Sunday after 58 years, with trains every hour. " * 6 + "</p>"
    page = (
        '<div class="css-f3a9q2" data-testid="consent-banner"><p>We use cookies on this site.</p></div>'
        f'<article class="css-1k9qvbn">{body}</article>'
        '<section aria-label="Advertisement"><p>Spring sale now on at the garden centre.</p></section>'
        '<h2>Most read</h2><ul><li><h3>Pensioner celebrates 105th birthday</h3>'
        "<p>She puts her long life down to gardening and a daily crossword.</p></li></ul>"
    )
    text = masked(page)
    assert "We use cookies" not in text and "Spring sale" not in text
    assert "trains every hour" in text
    kinds = {shown(s): s.kind for s in split_text("page.html", page)}
    assert kinds["She puts her long life down to gardening and a daily crossword."] == "related"
    assert "Pensioner celebrates 105th birthday" not in kinds


def test_a_subheading_set_in_bold_beside_chrome_is_kept_but_a_stray_label_is_not():
    # Pages without heading elements mark a subheading in bold; a short line
    # beside chrome is otherwise taken for a caption or a button's label.
    prose = "<p>The bakery sold 4,800 cookies last weekend, against a usual total of about 1,500.</p>"
    page = (
        "<p>" + "The retailer agreed to withdraw the tin after a formal notice. " * 4 + "</p>"
        '<p><b>Read more:</b> <a href="/news/parking.php">Quay Street traders call for free parking in winter</a></p>'
        '<p style="margin:18px 0 6px 0;"><b><font size="4">Business booming</font></b></p>'
        f"{prose}"
        "<p><b>Our partners</b></p>"
        '<p><a href="/a">Saltmere Motors</a> <a href="/b">Penrock Salt</a> <a href="/c">Harbour Inn</a></p>'
    )
    kinds = {shown(s): s.kind for s in split_text("bakery.html", page)}
    assert kinds.get("Business booming") == "article"
    assert kinds.get("The bakery sold 4,800 cookies last weekend, against a usual total of about 1,500.") == "article"
    assert kinds.get("Our partners", "boilerplate") == "boilerplate"
    markdown = (
        "# Bakery wins its case\n\n" + "The retailer agreed to withdraw the tin after a formal notice. " * 4 + "\n\n"
        "Advertisement\n\n**Business booming**\n\n"
        "The bakery sold 4,800 cookies last weekend, against a usual total of about 1,500.\n"
    )
    kinds = {shown(s): s.kind for s in split_text("bakery.md", markdown)}
    assert kinds.get("Business booming") == "article"


def test_a_thread_the_page_names_as_comments_is_labelled_whatever_its_headings():
    # A theme sets each replier's name as a heading of a higher rank than its "Comments".
    body = "<p>" + "The scale under hive 3 logged 48,000 readings in eleven months. " * 5 + "</p>"
    reply = (
        '<article id="comment{n}" class="js-comment comment"><h3 class="comment__author"><span>{name}</span></h3>'
        '<p class="comment__date"><a href="#comment{n}"><time>February 19, 2026 at 8:14 am</time></a></p>'
        "<div><p>{text}</p></div></article>"
    )
    page = (
        f"<article><h1>Weighing a beehive</h1>{body}<pre><code>read() <span class=\"token comment\"># grams per raw unit</span></code></pre></article>"
        '<div class="page__comments"><h4 class="page__comments-title">Comments</h4>'
        + reply.format(n=1, name="Joris Vennekamp", text="Did you calibrate the cells with a known weight?")
        + reply.format(n=2, name="Maud Tessenberg", text="The swarm detection alone makes this worth it.")
        + "</div>"
    )
    kinds = {shown(s): s.kind for s in split_text("hive.html", page)}
    assert kinds["Did you calibrate the cells with a known weight?"] == "comment"
    assert kinds["The swarm detection alone makes this worth it."] == "comment"
    assert kinds["The scale under hive 3 logged 48,000 readings in eleven months."] == "article"
    assert kinds["read() # grams per raw unit"] == "article"


def test_a_post_title_linked_to_the_post_itself_is_its_title_not_navigation():
    page = (
        "<html><head><title>Weighing a beehive every ten minutes - Hive Notes</title></head><body>"
        '<h1 class="page__title"><a href="https://hivenotes.example.org/2026/02/18/weighing-a-beehive/">'
        "Weighing a beehive every ten minutes</a></h1>"
        "<p>" + "Last spring I put a scale under hive number 3 in my garden. " * 4 + "</p>"
        '<h3><a href="/2026/01/insulating-a-hive/">Insulating a hive for winter</a></h3></body></html>'
    )
    kinds = {shown(s): s.kind for s in split_text("hive.html", page)}
    assert kinds.get("Weighing a beehive every ten minutes") == "article"
    assert "Insulating a hive for winter" not in kinds


def test_newsletter_and_blog_chrome_is_dropped_but_prose_about_subscribing_is_not():
    body = "The ferry board will decide on the 06:40 sailing in April, after a consultation. " * 3
    page = (
        f"<p>Listen to this post</p><p>{body}</p>"
        "<p>Thanks for reading The Saltmarsh Ledger! Subscribe for free to receive new posts and support my work.</p>"
        "<p>Islanders who subscribe to the ferry pass pay 40% less.</p>"
        '<h2>You may also enjoy</h2><h3><a href="/p/tariffs">Three pages of tariffs</a></h3>'
        "<p>Plywood, lemongrass oil and a lot of patience went into the new harbour office.</p>"
    )
    kinds = {shown(s): s.kind for s in split_text("ferry.html", page)}
    assert "Listen to this post" not in kinds
    assert not any("Subscribe for free" in t for t in kinds)
    assert kinds["Islanders who subscribe to the ferry pass pay 40% less."] == "article"
    assert kinds["Plywood, lemongrass oil and a lot of patience went into the new harbour office."] == "related"
    email = "View this email in your browser (https://example.org/spring)\n\nDear plot holders,\n\n" + body + "\n"
    assert not any("browser" in shown(s) for s in split_text("newsletter.txt", email))


def test_an_emails_quotation_runs_on_across_its_lines_without_its_marks_and_its_fields_do_not():
    wrapped = (
        "From: Northfield Allotment Society <newsletter@northfieldallotments.org.uk>\n"
        "Subject: Spring news: water troughs, seed swap and new rents\n"
        "\n"
        "Several of you wrote to us about the leaking trough by plot 41. Dennis\n"
        "Okafor-Hale put it best in his email of 14 March, which we print here:\n"
        "\n"
        "> The trough by plot 41 has been leaking since January and the path\n"
        "> beside it is now ankle-deep mud. Could the committee please fix it\n"
        "> before the spring sowing starts?\n"
        "\n"
        "We are glad to report that it has been fixed. Volunteers replaced the\n"
        "float valve and laid 14 metres of new gravel path on Saturday 28 March.\n"
        "The mains water will be switched on for the season on Wednesday 8 April,\n"
        "weather permitting, and the taps by the hut will follow a week later.\n"
        "\n"
        "To check the flow meter from the hut's laptop:\n"
        "\n"
        ">>> meter.read()\n"
        ">>> meter.reset()\n"
    )
    kept = [shown(s) for s in split_text("newsletter.txt", wrapped)]
    assert "The trough by plot 41 has been leaking since January and the path beside it is now ankle-deep mud." in kept
    assert "Could the committee please fix it before the spring sowing starts?" in kept
    assert ">>> meter.read()" in kept
    assert "Subject: Spring news: water troughs, seed swap and new rents" in kept


def test_a_paged_texts_running_header_footer_page_numbers_and_contents_are_chrome():
    # As a PDF's text comes out of a converter: pages parted by form feeds.
    page = "Millbrook Valley Food Partnership \u2014 Annual Report 2025\n\n{body}\n\n                 Page {n} of 3\n"
    text = "\f".join(
        [
            page.format(n=1, body="Contents\n\n1. A message from our chair . . . . . . . 1\n2. Our year in numbers . . . . . . . . . 2\n\nThe charity supported 4,870 households in 2025."),
            page.format(
                n=2,
                body=(
                    "Our year in numbers\n\n"
                    "The partnership handed out more food parcels than in any year since it opened its\n"
                    "first distribution point, and it did so with fewer paid staff than the year before.\n"
                    "Food parcels rose by 25.5 per cent on 2024, while the number of households that\n"
                    "came to us for the first time went up by more than a third, most of them from the\n"
                    "estates on the eastern edge of the town where the packaging plant closed in March,\n"
                    "and the number of households"
                ),
            ),
            page.format(
                n=3,
                body=(
                    "supported rose by a fifth over the year as a whole, to 4,870 from the 3,960 of 2024.\n\n"
                    "Looking ahead\n\nA fourth distribution point opens on the Westmoor estate in 2026.\n\n3"
                ),
            ),
        ]
    )
    kept = [shown(s) for s in split_text("annual-report.txt", text)]
    assert "The charity supported 4,870 households in 2025." in kept
    assert "Our year in numbers" in kept and "Looking ahead" in kept  # a heading at a page's top, once
    # A sentence the page break cuts is one, shown without the footer and header between.
    assert any(t.endswith("and the number of households supported rose by a fifth over the year as a whole, to 4,870 from the 3,960 of 2024.") for t in kept)
    assert not any("Annual Report 2025" in t or "Page" in t or ". . ." in t for t in kept)
    assert "3" not in kept


def test_a_feedback_box_a_posts_counters_and_a_press_releases_contacts_are_chrome():
    body = "".join(
        f"<p>{t}</p>"
        for t in (
            "Nordvik Tidal has signed a contract to supply 14 tidal turbines to the Oslofjord array, the company said on Wednesday.",
            "The turbines will be installed in two phases, the first in the autumn of 2026 and the second in 2027.",
            "About Nordvik Tidal",
            "Nordvik Tidal designs and builds tidal turbines and employs 230 people in Norway and Scotland.",
            "Users who find this page useful can share it with their colleagues in the field teams.",
        )
    )
    page = (
        f"<article>{body}<p>Media contact:</p><p>Sigrid Nakken</p><p>Head of Communications, Nordvik Tidal</p>"
        "<p>+47 912 34 567</p></article><p>3 Likes</p><h2>Is this page useful?</h2><p>Thank you for your feedback</p>"
    )
    kept = [shown(s) for s in split_text("release.html", page)]
    assert "Nordvik Tidal designs and builds tidal turbines and employs 230 people in Norway and Scotland." in kept
    assert "Users who find this page useful can share it with their colleagues in the field teams." in kept
    for chrome in ("Sigrid Nakken", "+47 912 34 567", "3 Likes", "Is this page useful?", "Thank you for your feedback"):
        assert chrome not in kept


def test_a_notebooks_prompts_a_reading_time_and_recommended_posts_are_chrome():
    body = "<p>" + "Weekday ridership rose by 14 per cent in 2025, with the largest gain in March. " * 3 + "</p>"
    page = (
        '<h2 id="before">Before you begin<a class="hash-link" href="#before">&#8203;</a></h2>'
        f"<p>6 min read</p>{body}<div class=\"jp-InputPrompt\">In [3]:</div><pre>rides.groupby('month').sum()</pre>"
        "<h2>Recommended from Medium</h2><h3>Mesh networks for villages</h3>"
        "<p>How twelve households in a valley built their own network over one winter.</p>"
    )
    kinds = {shown(s): s.kind for s in split_text("notes.html", page)}
    assert kinds["Before you begin\u200b"] == "article"  # a heading's link to itself, "&#8203;", is no chrome
    assert "6 min read" not in kinds and "In [3]:" not in kinds
    assert kinds["How twelve households in a valley built their own network over one winter."] == "related"


def test_a_short_code_block_in_markdown_is_kept():
    # A fence's marker ("```ini") is markup, not chrome: the short lines it opens are the answer.
    text = "# Settings\n\nTo give the freeze command its own timeout, write this in the file:\n\n```ini\n[freeze]\ntimeout = 10\n```\n\nOther commands keep theirs.\n"
    sentences = split_text("settings.md", text)
    kept = {s.text for s in sentences if s.kind == "article"}
    assert {"[freeze]", "timeout = 10"} <= kept


def test_a_manuals_comments_section_is_manual_text_not_a_comment_thread():
    # bc(1) documents its language's comments under "COMMENTS"; short lines
    # further down (the next section's heading) are no replies.
    text = (
        "BC(1)                       General Commands Manual                      BC(1)\n\n"
        "NAME\n       bc - An arbitrary precision calculator language\n\n"
        "   COMMENTS\n"
        "       Comments in bc start with the characters /* and end with the characters\n"
        "       */.  Comments may start anywhere and appear as a single space in the\n"
        "       input.\n\n"
        "       A single line comment starts at a # character and continues to the\n"
        "       next end of the line.\n\n"
        "   EXPRESSIONS\n"
        "       The numbers are manipulated by expressions and statements.\n"
    )
    sentences = split_text("bc.1.txt", text)
    kinds = {" ".join(s.text.split()): s.kind for s in sentences}
    assert kinds["A single line comment starts at a # character and continues to the next end of the line."] == "article"
    assert kinds["The numbers are manipulated by expressions and statements."] == "article"
    assert "comment" not in kinds.values()


def test_a_configuration_guides_comments_section_with_an_example_is_no_thread():
    # As npm documents .npmrc: "Comments", what they are, "For example:" and the example.
    page = (
        "<h1>npmrc</h1><p>npm gets its settings from the command line and from npmrc files.</p>"
        "<h4>Comments</h4><p>Lines in .npmrc files are interpreted as comments when they begin with a ; or # character.</p>"
        "<p>For example:</p><pre><code># last modified: 01 Jan 2016\n; Set a new registry for a scoped package\n"
        "@myscope:registry=https://registry.example.org\n</code></pre>"
    )
    sentences = split_text("npmrc.html", page)
    assert "comment" not in {s.kind for s in sentences}
    assert "Lines in .npmrc files are interpreted as comments when they begin with a ; or # character." in [shown(s) for s in sentences]
    markdown = (
        "# npmrc\n\nnpm gets its settings from the command line and from npmrc files.\n\n#### Comments\n\n"
        "Lines in `.npmrc` files are interpreted as comments when they begin with a `;` or `#` character.\n\n"
        "For example:\n\n```ini\n# last modified: 01 Jan 2016\n; Set a new registry for a scoped package\n```\n"
    )
    assert "comment" not in {s.kind for s in split_text("npmrc.md", markdown)}


def test_a_related_section_ends_at_the_next_heading_of_its_rank_on_a_web_page():
    story = "<p>" + "The ferry board met on Monday and agreed to run a night service across the bay. " * 4 + "</p>"
    page = (
        f"<h1>Night ferry</h1>{story}"
        "<h2>Related articles</h2>"
        "<h3>Tram drivers&#039; strike ends</h3><p>Drivers return to work on Monday after a week of talks.</p>"
        "<h3>New pier opens in June</h3>"
        "<h2>Lost property</h2><p>Items left on board are kept at the pier for thirty days.</p>"
    )
    sents = split_text("night-ferry.html", page)
    # Teaser titles under the "Related" heading are headings of a lower rank: still teasers,
    # and a teaser's sentence is read under its title, as a reader sees it.
    assert not any("strike ends" in s.text or "New pier" in s.text for s in sents if s.kind == "article")
    assert [s.heading for s in sents if s.kind == "related"] == ["Tram drivers' strike ends"]
    # The page's next section of the same rank is its own text again.
    assert "Items left on board are kept at the pier for thirty days." in texts(sents, "article")


def test_a_heading_over_a_list_of_chrome_alone_is_chrome():
    story = "<p>" + "The ferry board met on Monday and agreed to run a night service across the bay. " * 4 + "</p>"
    links = "".join(f'<li><a href="/files/{n}.pdf">{n}.pdf</a></li>' for n in ("timetable", "fares", "map"))
    page = (
        f"<h1>Night ferry</h1>{story}"
        f"<h2>Files for this page:</h2><ul>{links}</ul>"
        '<h2>Where are the fares listed?</h2><p><a href="/fares">fares.example.org</a></p>'
        "<h2>Lost property</h2><p>Items left on board are kept at the pier for thirty days.</p>"
    )
    article = texts(split_text("night-ferry.html", page), "article")
    assert "Files for this page" not in article and "timetable.pdf" not in article
    # One line of chrome under a heading may be its answer: the question stays.
    assert "Where are the fares listed?" in article
    assert "Items left on board are kept at the pier for thirty days." in article


def test_a_code_listing_that_links_its_types_is_text_not_a_menu():
    page = (
        "<h1>Ferry API</h1><p>Each sailing is read with one call.</p>"
        '<ul><li><a href="/">Home</a></li><li><a href="/api">API index</a></li></ul>'
        '<pre class="programlisting"><a href="#SailingPtr">SailingPtr</a> <a href="#ferry_sailing">ferry_sailing</a> '
        '(<a href="#FerryPtr">FerryPtr</a> ferry, <a href="#TimePtr">TimePtr</a> when);</pre>'
    )
    article = article_shown("ferry-api.html", page)
    assert "SailingPtr ferry_sailing (FerryPtr ferry, TimePtr when);" in article
    assert not any("API index" in s for s in article)


def test_anchors_are_not_links_even_closed_in_their_own_tag():
    # As DocBook and gtk-doc write XHTML: "<a name=.../>" before a heading, "<a name=...>" around one.
    page = (
        '<h1>Ferry API</h1><p>Read the <a href="/intro.html">introduction</a> first.</p>'
        '<h2><a name="sailings"></a>Sailings</h2><p><a name="ferry-sailing"/>Each sailing is read with one call, '
        "and the call returns nothing when the ferry has no sailing at that time.</p>"
        '<h2><a name="fares">Fares</a></h2><p>Fares are read with another call.</p><p>See <a href="/api.html">the API</a>.</p>'
    )
    article = article_shown("ferry-api.html", page)
    assert "Each sailing is read with one call, and the call returns nothing when the ferry has no sailing at that time." in article
    assert "Fares" in article and "Fares are read with another call." in article


def test_a_sentence_that_links_the_names_it_mentions_is_text_not_a_menu():
    page = (
        "<h1>Sailings</h1><p>Each sailing is read with one call, and its fare with another.</p>"
        '<p><a href="#sailing-get">sailing.get()</a> is an alias for <a href="#sailings-find">sailings.find()</a>.</p>'
        '<p>Tagged <a href="/tag/news">News</a>, <a href="/tag/ferries">Ferries</a>, <a href="/tag/bay">Bay</a>.</p>'
        '<ul><li><a href="/">Home</a></li><li><a href="/fares">Fares and tickets</a></li></ul>'
    )
    article = article_shown("sailings.html", page)
    assert "sailing.get() is an alias for sailings.find()." in article
    assert not any("Tagged" in s or "Fares and tickets" in s for s in article)


def test_a_comment_in_a_markdown_code_block_ends_no_section():
    text = (
        "# Tool\n\nThe tool copies files between hosts.\n\n## Examples\n\n![a copy running](run.png)\n\n```bash\n"
        "# copy one file\ntool copy a.txt host:/tmp\n# copy a folder\ntool copy -r docs host:/tmp\n```\n"
    )
    seen = [shown(s) for s in split_text("tool.md", text)]
    assert "Examples" in seen and any("tool copy -r docs" in s for s in seen)


def test_a_line_of_code_opens_and_ends_no_section():
    # A script's comments that read like a page's "See also" or "Copyright"
    # heading are code: the code and what follows it are the page's text, in
    # a Markdown fence, an indented listing or a web page's <pre>.
    body = "The nightly job copies the database to the archive host, then checks the copy. " * 8
    after = "The copy is checked each morning before eight."
    for comment in ("# See also", "# Related", "# Copyright 2024 Harbour Trust"):
        script = f"{comment}\nrsync -a /srv/db archive:/backups\n"
        indented = "".join(f"    {line}\n" for line in script.splitlines())
        pages = {
            "backups.md": f"# Backups\n\n{body}\n\nRun it by hand like this:\n\n```bash\n{script}```\n\n{after}\n",
            "indented.md": f"# Backups\n\n{body}\n\nRun it by hand like this:\n\n{indented}\n{after}\n",
            "backups.txt": f"Backups\n\n{body}\n\nRun it by hand like this:\n\n{indented}\n{after}\n",
            "backups.html": f"<h1>Backups</h1><p>{body}</p><p>Run it by hand like this:</p><pre><code>{script}</code></pre><p>{after}</p>",
        }
        for name, text in pages.items():
            sents = split_text(name, text)
            assert {s.kind for s in sents} == {"article"}, (name, comment)
            seen = [shown(s) for s in sents]
            assert "rsync -a /srv/db archive:/backups" in seen and after in seen, (name, comment)


def test_a_code_fence_is_found_however_its_info_string_is_written():
    # A renderer opens a block at "```js title=...", "``` yaml" or "~~~~", and a
    # block of four backticks holds a "```" of its own; a comment inside any of
    # them that reads like "See also", "Related" or "Comments" opens no section
    # over the article's text after it.
    body = "The worker reads its settings from a file at start-up. " * 6
    after = "Retries are spaced a minute apart, and the worker logs every job it takes."
    for opening, closing in (
        ('```python title="settings.py"', "```"),
        ("``` yaml", "```"),
        ("```js {1,3}", "```"),
        ("~~~~ {.ini}", "~~~~"),
        ("````markdown\n```bash", "```\n````"),
    ):
        for comment in ("# See also", "# Related", "# Comments"):
            text = f"# Worker\n\n{body}\n\n{opening}\n{comment}\nretries = 3\n{closing}\n\n{after}\n"
            sents = split_text("worker.md", text)
            assert {s.kind for s in sents} == {"article"}, (opening, comment)
            seen = [shown(s) for s in sents]
            assert "retries = 3" in seen and after in seen, (opening, comment)
            assert not any(opening.split("\n")[0] in s for s in seen), (opening, comment)  # the fence itself is markup


def test_a_digests_read_more_after_each_story_is_chrome_not_a_related_section():
    stories = [
        ("Budget approved", "The council approved next year's budget on Tuesday, with a 4% rise for road repairs."),
        ("Pier reopens", "The pier reopens on Monday after the winter repairs, two weeks ahead of plan."),
        ("Car park closures", "The north car park closes from 3 April while the new barrier is fitted."),
    ]
    digest = "Staff news digest, week 12\n\n" + "".join(f"{title}\n{story}\nRead more\n\n" for title, story in stories)
    sents = split_text("digest.txt", digest)
    assert {s.kind for s in sents} == {"article"}
    assert [shown(s) for s in sents][1:] == [line for pair in stories for line in pair]
    # Said once after the page's text, over other stories' titles, it heads them.
    page = f"{stories[0][1]} {stories[1][1]}\n\nRead more\n\nLibrary to open on Sundays\nNew bins for the harbour\n"
    assert "Library to open on Sundays" not in texts(split_text("story.txt", page), "article")


def test_prose_under_a_markdown_related_heading_is_the_files_own_section():
    # A Markdown file's teasers each have a heading of their own; prose straight
    # under "## Latest news" is the bulletin's news, while a list of links
    # under "## See also" is still no text of it.
    text = (
        "# Staff bulletin, March\n\nThe bulletin goes to all staff on the first Monday of the month.\n\n"
        "## Latest news\n\nThe canteen reopens on Monday after its refurbishment, with a new salad bar.\n\n"
        "## See also\n\n- [Parking policy](parking.md)\n- [Canteen menu](canteen.md)\n"
    )
    sents = split_text("bulletin.md", text)
    news = next(s for s in sents if "canteen reopens" in s.text)
    assert news.kind == "article" and shown(sents[news.section]) == "Latest news"
    assert "Parking policy" not in texts(sents, "article")


def test_a_scraped_pages_account_links_cookie_banner_and_copyright_line_are_chrome():
    story = [
        "The Quay Street bakery won the regional bread award on Saturday for its sourdough.",
        "The bakery's cookies sold out by noon as visitors queued along the harbour.",
        "Owner Ann Lee said the award would pay for a second oven.",
    ]
    chrome = [
        "Sign in",
        "We use cookies to give you the best experience on our website. By continuing you agree to our use of cookies.",
        "Accept all cookies",
        "Manage preferences",
        "Print this page",
        "Log in to comment",
        "© 2026 Harbour Gazette",
        "Story continues below advertisement",
        "Continue reading below",
    ]
    page = "\n".join([*chrome[:4], "Bakery wins regional award", story[0], chrome[-2], story[1], chrome[-1], story[2], *chrome[4:-2]]) + "\n"
    article = texts(split_text("bakery.txt", page), "article")
    assert all(sentence in article for sentence in story)
    assert not any(line.split(".")[0] in article for line in chrome)
    # A privacy page's own words on cookies are its text, as is a recipe's.
    policy = "We use cookies to remember your language. You can turn them off in your browser's settings.\n"
    assert "We use cookies to remember your language." in texts(split_text("privacy.txt", policy), "article")
    recipe = "If you agree that cookies are best warm, bake them just before the guests arrive.\n"
    assert recipe.strip() in texts(split_text("recipe.txt", recipe), "article")
    # A help page's own heading "Sign in" is its text.
    guide = "# Using the portal\n\n## Sign in\n\nUse your staff number and the password the service desk gave you.\n"
    assert "Sign in" in [shown(s) for s in split_text("portal.md", guide)]


def test_a_page_laid_out_in_a_table_reads_its_cells_apart_and_its_row_of_controls_and_trail_are_chrome():
    # Before style sheets, a page set its menu in one cell and its text in the
    # next: the menu's last link is no part of the text's first line.
    page = (
        "<html><head><title>Parish council news</title></head><body>"
        '<table width="100%"><tr><td valign="top">SALTMERE PARISH<br>Serving the parish since 1894</td>'
        '<td align="right"><a href="/subscribe">Subscribe</a> &nbsp;|&nbsp; <a href="/login">Sign in</a></td></tr></table>'
        '<table width="100%"><tr><td width="150" valign="top"><a href="/">Home</a><br><a href="/news">News</a><br>'
        '<a href="/contact">Contact</a></td><td valign="top">'
        '<div>You are here: <a href="/">Home</a> &gt; <a href="/news">News</a> &gt; Council</div>'
        "<b>Parish council news</b><br><br>"
        "The parish council met on 3 March in the village hall.<br>"
        "Councillors agreed to repair the bus shelter on Mill Lane.</td></tr></table>"
        "<table><tr><th>Meeting</th><th>Date</th></tr><tr><td>Planning</td><td>7 April</td></tr></table>"
        "</body></html>"
    )
    shown_lines = [shown(s) for s in split_text("parish.html", page) if s.kind == "article"]
    assert shown_lines == [
        "SALTMERE PARISH",
        "Serving the parish since 1894",
        "Parish council news",
        "The parish council met on 3 March in the village hall.",
        "Councillors agreed to repair the bus shelter on Mill Lane.",
        "Meeting | Date",  # a table of data: a row is one line, its cells parted
        "Planning | 7 April",
    ]


def test_a_teaser_between_a_storys_paragraphs_is_chrome_but_a_see_also_sentence_is_text():
    story = [
        "The harbour board approved a 4% rise in ferry fares on Tuesday, the first rise in three years.",
        "Season tickets will rise by 3%, and children under five will still travel free on every sailing.",
        "See also: the board's 2023 report, which lists every mooring and its fee.",
        "The board said fuel costs had risen by a fifth since last spring, and wages by a tenth.",
    ]
    teasers = ["READ MORE: Harbour board approves new pier budget", "Also read | Lifeboat crew rescue two kayakers off Penrock Point", "Related: New timetable for winter sailings"]
    page = "\n".join(["Ferry fares to rise in April", story[0], teasers[0], story[1], teasers[1], story[2], teasers[2], story[3]]) + "\n"
    sents = split_text("fares.txt", page)
    assert all(s in texts(sents, "article") for s in story)
    assert not any(shown(s) in teasers for s in sents)
    guide = "# Install\n\nRun the installer.\n\n## Related: Windows\n\nOn Windows, run it as an administrator.\n"
    assert "Related: Windows" in [shown(s) for s in split_text("install.md", guide)]


def test_a_wiki_page_copied_as_text_loses_its_like_button_and_credits():
    body = [
        "Before each release, the release manager checks that the change has been approved at CAB.",
        "The release is tagged in Git and the notes are published on this page.",
    ]
    chrome = ["Like", "Be the first to like this", "Powered by Atlassian Confluence 8.5.4", "Printed by Atlassian Confluence 8.5.4"]
    page = "\n".join(["Release checklist", *body, *chrome]) + "\n"
    sents = split_text("release.txt", page)
    assert all(b in texts(sents, "article") for b in body)
    assert not any(shown(s) in chrome for s in sents)
    # A guide's own heading "Like" is its text.
    guide = "# Reactions\n\n## Like\n\nA like tells the author that you found the page useful.\n"
    assert "Like" in [shown(s) for s in split_text("reactions.md", guide)]


def test_a_documents_own_tags_or_topics_section_at_its_end_is_its_text():
    # A blog's "Tags" heading over its labels is a footer; a guide's own
    # "## Tags" section, or minutes' "Topics", is prose under a heading.
    body = "Git stores history as a graph of commits, each pointing at its parents. " * 6
    for heading, prose in (("## Tags", "Tags mark release points, and git tag -a v1.0 creates an annotated one."),
                           ("Topics", "The board discussed the new pier and the winter timetable at length.")):
        text = f"# Git basics\n\n{body}\n\n## Branches\n\nA branch is a movable pointer to a commit.\n\n{heading}\n\n{prose}\n"
        assert prose in texts(split_text("guide.md", text), "article"), heading
    labels = f"# Git basics\n\n{body}\n\n## Tags\n\n- git\n- version-control\n"
    assert "version-control" not in texts(split_text("post.md", labels), "article")


def test_a_fact_box_within_an_article_is_its_text_but_a_sidebar_and_a_pull_quote_are_not():
    story = "<p>The new bridge over the Sele opened on Monday after three years of work.</p>"
    page = (
        f"<html><body><article><h1>Sele bridge opens</h1>{story}"
        "<aside class='factbox'><h3>Key facts</h3><p>The bridge cost £14 million and is 220 metres long.</p></aside>"
        "<p>Drivers queued from six to cross it first, said the council.</p>"
        "<aside class='quote'><blockquote><p>Drivers queued from six to cross it first.</p><footer>Ann Lee, council leader</footer></blockquote></aside>"
        "<aside aria-hidden='true'><p>“Three years of work”</p></aside>"
        "</article><aside><h3>Most read</h3><p>Ferry fares rise again in the spring, the board says.</p></aside></body></html>"
    )
    article = texts(split_text("bridge.html", page), "article")
    assert "The bridge cost £14 million and is 220 metres long." in article
    assert "Ann Lee" not in article and "“Three years of work”" not in article
    assert "Ferry fares" not in article


def test_a_sentence_telling_staff_to_install_an_app_is_text_but_an_app_button_is_not():
    text = (
        "# Your first day\n\nYour manager meets you at reception at nine.\n\n"
        "Install the app on your work phone only.\n\nDownload the ShiftBase app to book leave.\n\n"
        "Download the app\n\nGet it on Google Play\n"
    )
    article = texts(split_text("first-day.md", text), "article")
    assert "Install the app on your work phone only." in article
    assert "Download the ShiftBase app to book leave." in article
    assert "Download the app\n" not in article + "\n" and "Google Play" not in article


def test_a_sentence_that_ends_ago_is_text_but_a_posts_time_stamp_is_not():
    text = (
        "# Harbour news\n\nThe pier reopened 3 weeks ago.\n\nAnna Lee · 5 minutes ago\n\n"
        "What the Service Desk can do for you\n\nThe desk resets passwords and lends laptops.\n"
    )
    article = texts(split_text("news.md", text), "article")
    assert "The pier reopened 3 weeks ago." in article and "What the Service Desk can do for you" in article
    assert "5 minutes ago" not in article


def test_a_question_to_readers_halfway_opens_no_thread_unless_replies_follow():
    body = "The council voted to close the Pellow Road library in a meeting on Tuesday night. " * 3
    after = "The library costs £90,000 a year to run, and the council says it cannot afford it."
    for heading in ("What do you think?", "## Join the discussion"):
        text = f"# Close the library?\n\n{body}\n\n{heading}\n\n{after}\n"
        assert after in texts(split_text("oped.md", text), "article"), heading
    thread = f"<h1>Close the library?</h1><p>{body}</p><h2>Join the conversation</h2><p>Anna: Shameful decision.</p><p>Ben: Agreed.</p>"
    assert "Anna: Shameful decision." in texts(split_text("oped.html", thread), "comment")


def test_a_sentence_naming_books_formats_is_no_ad_without_a_sale():
    text = (
        "# Library services\n\nYou can borrow an ebook or an audiobook free with your library card.\n\n"
        "Genesis is now available as both an ebook and an audiobook.\n\nThe library opens at nine on weekdays.\n"
    )
    article = texts(split_text("library.md", text), "article")
    assert "You can borrow an ebook or an audiobook free with your library card." in article
    assert "now available as" not in article


def test_a_disclosure_widgets_question_and_its_answer_are_sentences_of_their_own():
    # <summary> and <details> are blocks, as a browser shows them: the lines of
    # an FAQ of such widgets read as a wrapped paragraph had run each question
    # into its answer.
    faq = [
        ("Who can park in the staff car park?", "Any member of staff with a valid permit. Visitors park on Quay Street."),
        ("How do I get a permit?", "Apply through the staff portal. Permits cost £5 a month and are taken from your salary."),
        ("Is there charging for electric cars?", "Yes. There are six charging points by the north entrance, free for staff."),
    ]
    page = "<main><h1>Parking FAQ</h1>\n" + "\n".join(f"<details><summary>{q}</summary><p>{a}</p></details>" for q, a in faq) + "\n</main>"
    seen = [shown(s) for s in split_text("faq.html", page)]
    for question, answer in faq:
        assert question in seen and answer.split(". ")[0] + "." in seen, question


def test_a_page_edit_stamp_is_chrome_but_prose_about_an_update_is_not():
    text = (
        "The map of the harbour shows every mooring.\n\n"
        "harbour.txt · Last modified: 2026/12/03 12:41 by admin\n\n"
        "This page was last edited on 3 December 2026, at 12:42.\n\n"
        "Last updated in the 1990s, the map still shows the old ferry pier.\n"
    )
    sents = split_text("harbour.txt", text)
    article = texts(sents, "article")
    assert "Last modified" not in article and "last edited" not in article
    assert "Last updated in the 1990s, the map still shows the old ferry pier." in article


def test_footnote_marks_on_a_web_page_are_no_text_and_part_no_sentences():
    page = (
        '<p>It entered service in 2014.<sup id="cite_ref-2" class="reference"><a href="#cite_note-2">&#91;2&#93;</a></sup>'
        ' The oldest boat is kept.<sup><a href="#fn__1" class="fn_top">1)</a></sup></p>'
        "<p>It was built in 1990.<sup>[3]</sup> The hull is steel.</p>"
        '<ol class="references"><li id="cite_note-2"><span class="mw-cite-backlink"><a href="#cite_ref-2">↑</a></span>'
        " Harbour board, fleet report, 2015."
        # GitHub's arrows back to a note's first and second marks.
        ' <a href="#user-content-fnref-2" class="data-footnote-backref">↩</a>'
        ' <a href="#user-content-fnref-2-2" class="data-footnote-backref">↩<sup>2</sup></a></li></ol>'
    )
    sents = split_text("ferry.html", page)
    assert [shown(s) for s in sents] == [
        "It entered service in 2014.",
        "The oldest boat is kept.",
        "It was built in 1990.",
        "The hull is steel.",
        "Harbour board, fleet report, 2015.",
    ]


def test_a_word_processors_footnote_link_and_a_shared_documents_comment_mark_are_no_text():
    # Word links its "[2]" within spans, not a superscript; Google Docs its comment marks "[a]".
    page = (
        "<p class=MsoNormal><span lang=EN-GB>Ground movement appears to have opened several joints.<a "
        'style=\'mso-footnote-id:ftn2\' href="#_ftn2" name="_ftnref2" title=""><span class=MsoFootnoteReference>'
        "<span lang=EN-GB><!--[if !supportFootnotes]--><span class=MsoFootnoteReference>[2]</span><!--[endif]-->"
        "</span></span></a> The crews also found two illegal connections.</span></p>"
        '<p class="c3"><span class="c1">Submit a claim within 28 days.</span><sup><a href="#cmnt2" id="cmnt_ref2">[b]</a></sup>'
        '<span class="c1">&nbsp;Paper forms are at the visitor centre desk.</span></p>'
        '<p class=MsoFootnoteText><a href="#_ftnref2" name="_ftn2" title=""><span class=MsoFootnoteReference>[2]</span></a>'
        " Joint failures are recorded by the repair crews.</p>"
    )
    assert [shown(s) for s in split_text("report.html", page)] == [
        "Ground movement appears to have opened several joints.",
        "The crews also found two illegal connections.",
        "Submit a claim within 28 days.",
        "Paper forms are at the visitor centre desk.",
        "Joint failures are recorded by the repair crews.",
    ]
    # A link within the page that says more than a mark is text.
    page = '<p>See <a href="#costs">[costs table]</a> for the figures. They are final.</p>'
    assert "costs table" in " ".join(shown(s) for s in split_text("report.html", page))


def test_superscript_and_subscript_digits_read_as_part_of_their_number():
    # "10<sup>6</sup>" is a million: read as "106" it would be cited as a wrong number.
    page = (
        "<p>The lake covers 25 km<sup>2</sup> and holds 10<sup>6</sup> fish.</p>"
        "<p>Its water is rich in CO<sub>2</sub> and Fe<sup>3+</sup> ions.</p>"
        "<p>Growth doubles, as 2<sup>n</sup> does, from the 1<sup>st</sup> year.</p>"
    )
    sents = split_text("lake.html", page)
    assert [shown(s) for s in sents] == [
        "The lake covers 25 km² and holds 10⁶ fish.",
        "Its water is rich in CO₂ and Fe³⁺ ions.",
        "Growth doubles, as 2ⁿ does, from the 1st year.",
    ]
    assert "10⁶ fish" in " ".join(mask_html(page).split())
    assert readable("notes.md", "holds 10<sup>6</sup> fish") == "holds 10⁶ fish"


def test_a_mediawiki_site_notice_and_navigation_heading_are_chrome():
    # Shown over and under every page of the wiki: its notice, and the heading
    # of its menus (here after a "See also" list, which it does not continue).
    page = (
        '<html><body><div id="content" class="mw-body" role="main">'
        '<div id="siteNotice"><div class="sitenotice"><p>The wiki will be read-only on Saturday.</p></div></div>'
        '<h1 id="firstHeading">Ferries</h1><div id="mw-content-text"><p>The ferry crosses the bay every hour.'
        ' The first crossing leaves the old town at six, the last returns from the islands at eleven.'
        ' Bicycles travel free on every crossing, and dogs on a lead are welcome on the open deck.</p>'
        '<h2>See also</h2><ul><li><a href="/wiki/Buses">Buses</a></li></ul></div></div>'
        '<div id="mw-navigation"><h2>Navigation menu</h2><nav role="navigation"><ul><li>Main page</li></ul></nav></div>'
        '</body></html>'
    )
    article = article_shown("ferries.html", page)
    assert "The ferry crosses the bay every hour." in article
    assert not [s for s in article if "read-only" in s or "Navigation menu" in s]


def test_a_wiki_page_kept_as_a_text_file_reads_as_the_wiki_shows_it(varied_documents, varied):
    # DokuWiki keeps each page as a text file of its markup (data/pages/*.txt).
    assert varied_documents["dokuwiki-source.txt"].meta.title == "Harbour ferry"
    sents = varied["dokuwiki-source.txt"]
    by_text = {shown(s): s for s in sents}
    # A "==== Bicycles ====" heading heads its section, as a Markdown "#" one does.
    under = by_text["Bicycles are carried free of charge outside the rush hours."]
    assert by_text["Bicycles"].position == under.section
    # A sentence that opens in bold quotes both marks, and shows neither.
    assert by_text["Night ferries run on Fridays and Saturdays only."].text.startswith("**Night ferries**")
    # A table row is read under its header row ("^ Route ^ First departure ^ ...").
    assert by_text["B | 06:10 | 22:00"].lead == by_text["Route | First departure | Last departure"].position
    # Text that only looks like wiki markup is left as it is.
    for text in (
        "if [[ -f ~/.profile ]]; then",
        "See https://example.org//path, where a == b.",
        "***NOTE*** The format changed.",
        "Call f(**kwargs) or g(**opts), with x = '' or y = ''.",
    ):
        assert without_wiki_marks(text) == text and strip_wiki_marks(text) == text


def test_a_documents_own_copyright_section_is_text_but_a_copyright_line_at_the_tail_is_not():
    body = "The tool reports which processes use a file. " * 12
    readme = f"# fuser\n\n{body}\n\n## Copyright Change\n\nThe license has changed to GPL for version 20 onwards.\n"
    sents = split_text("README.md", readme)
    assert "The license has changed to GPL for version 20 onwards." in texts(sents, "article")
    news = f"{body}\n\nCopyright 2024\n\nHarbour Media Group. All rights reserved.\n"
    sents = split_text("story.txt", news)
    assert "All rights reserved" not in texts(sents)
    # In plain text too: a line about copyright is no copyright line, which a year, a sign or a reservation makes.
    terms = "The tide predictions are Crown copyright and may be reused under the Open Government Licence."
    for line in ("Copyright notice for the tide data", "Copyright and reuse"):
        sents = split_text("README.txt", f"{body}\n\n{line}\n\n{terms}\n")
        assert terms in texts(sents, "article"), line
    for line in ("Copyright (c) 2026 Harbour Trust", "Copyright © Harbour Trust. All rights reserved."):
        sents = split_text("README.txt", f"{body}\n\n{line}\n\nHarbour Trust, 1 Quay Street, Westhaven.\n")
        assert "Quay Street" not in texts(sents), line


def test_a_markdown_line_of_images_alone_is_no_text_but_the_heading_over_it_is():
    text = (
        "# Setup\n\nInstall the tool first.\n\n### Comparing runs\n\n![image](docs/setup.png)\n\n"
        "Then run it. See the screenshot ![the main window](a.png) for the buttons.\n"
    )
    sents = split_text("setup.md", text)
    seen = [shown(s) for s in sents]
    assert "image" not in seen
    assert "Comparing runs" in seen
    assert "See the screenshot the main window for the buttons." in seen


def test_a_manuals_sections_after_see_also_are_its_own():
    text = (
        "TIDE(1)                     General Commands Manual                     TIDE(1)\n\n"
        "NAME\n       tide - pack tide tables\n\n"
        "SEE ALSO\n       gzip(1), tar(1)\n\n"
        "BUGS\n       The tide command cannot read files larger than four gigabytes.\n\n"
        "AUTHOR\n       Written by the harbour office staff.\n"
    )
    sents = split_text("tide.txt", text)
    article = [shown(s) for s in sents if s.kind == "article"]
    for own in ("BUGS", "The tide command cannot read files larger than four gigabytes.", "Written by the harbour office staff."):
        assert own in article


def test_a_wiki_code_block_in_a_text_file_shows_its_code_not_its_tags():
    text = "====== Restart ======\n~~NOTOC~~\n\nTo restart the service, run:\n\n<code bash>\nsudo systemctl restart ferry\n</code>\n"
    sents = split_text("restart.txt", text)
    assert [shown(s) for s in sents] == [
        "Restart",
        "To restart the service, run:",
        "sudo systemctl restart ferry",
    ]


def test_a_mediawiki_page_exported_raw_reads_as_the_wiki_shows_it():
    # Its infobox, references, categories and pictures are not its text; its
    # links show their words, and a template language's "{{ name }}" is text.
    text = (
        "{{Infobox station\n| name = Brackwater\n| opened = {{start date|1862}}\n}}\n"
        "'''Brackwater railway station''' serves [[Brackwater]] in [[Wessex|the county of Wessex]]."
        "<ref>{{cite web|url=http://example.org|title=Station facts}}</ref> It opened in 1862.<ref name=\"gwr\"/>\n\n"
        "== History ==\n__NOTOC__\n"
        "[[File:Brackwater station.jpg|thumb|The station in [[1910]]]]\n"
        "The station was rebuilt in 1978 after a fire.{{citation needed|date=May 2024}}\n\n"
        "The mail-merge field {{ name }} is filled in from the list.\n\n"
        "== References ==\n{{reflist}}\n<references />\n\n"
        "[[Category:Railway stations in Wessex]]\n"
    )
    sents = split_text("Brackwater_railway_station.txt", text)
    assert [shown(s) for s in sents] == [
        "Brackwater railway station serves Brackwater in the county of Wessex.",
        "It opened in 1862.",
        "History",
        "The station was rebuilt in 1978 after a fire.",
        "The mail-merge field {{ name }} is filled in from the list.",
        "References",
    ]
    assert all(s.kind == "article" for s in sents)


def test_a_blogs_like_widget_and_reply_form_are_chrome():
    page = (
        "<html><body><article><h1>Why the hall switched to heat pumps</h1>"
        "<p>The committee replaced the oil boiler in October.</p>"
        '<div class="sharedaddy"><h3 class="sd-title">Like this:</h3>'
        '<div class="likes-widget-placeholder"><span class="button"><span>Like</span></span> <span class="loading">Loading...</span></div></div>'
        "</article>"
        '<div id="respond"><h3 id="reply-title">Leave a Reply <small><a href="#">Cancel reply</a></small></h3>'
        "<p>Your email address will not be published.</p></div></body></html>"
    )
    shown_lines = [shown(s) for s in split_text("post.html", page)]
    assert "The committee replaced the oil boiler in October." in shown_lines
    assert not any(line.startswith(("Like", "Leave a Reply")) for line in shown_lines)
    # A page's own words are its text.
    assert "Like this: the hall is warm by 9am." in [shown(s) for s in split_text("note.txt", "Like this: the hall is warm by 9am.\n")]
