"""The widget inside a page of a real MediaWiki, in Chromium: answered where the wiki is allowed, refused elsewhere.

The wiki is set up as its admin would (see conftest.py): installed with
install.php, raw HTML allowed (``$wgRawHtml``), a page with the widget's
<iframe> and its token saved by an editor, and ``qa serve`` started with
the wiki's address in ``allowed_origins``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.engine import Engine

from .conftest import MediaWiki
from .embed import answers_with_citations, refused_from_other_origin, widget_iframe

pytestmark = [pytest.mark.wiki, pytest.mark.browser]

PAGE = "Space_cooperation"


def page_with_widget(widget: str, token: str) -> str:
    """The page's wikitext: a line of text and the widget (the page's title is its heading)."""
    return (
        "Questions about US–Russian space cooperation? Ask the article collection; "
        "every answer cites the sentences it comes from.\n\n"
        f"<html>\n{widget_iframe(widget, token)}\n</html>\n"
    )


def expect_mediawiki_page(page: Page) -> None:
    """The page on screen is the wiki's, rendered by MediaWiki 1.39."""
    expect(page.locator('meta[name="generator"]')).to_have_attribute("content", re.compile(r"^MediaWiki 1\.39\."))
    expect(page.locator("h1#firstHeading")).to_have_text("Space cooperation")


def test_widget_in_a_mediawiki_page_answers_with_citations(
    page: Page,
    mediawiki: MediaWiki,
    mediawiki_widget_server: tuple[str, str],
    engine: Engine,
    dev_questions: list[dict],
    screenshots: Path,
) -> None:
    url, token = mediawiki_widget_server
    mediawiki.write_page(PAGE, page_with_widget(url, token))

    page.goto(mediawiki.url(PAGE), wait_until="load")
    expect_mediawiki_page(page)
    frame = page.frame_locator("#mw-content-text iframe#qa")
    answers_with_citations(
        page, frame, url, engine, dev_questions, (screenshots / "mediawiki.png", screenshots / "mediawiki-article.png")
    )


def test_the_same_mediawiki_page_from_an_origin_not_allowed_shows_no_widget(
    page: Page, mediawiki: MediaWiki, mediawiki_widget_server: tuple[str, str], screenshots: Path
) -> None:
    url, token = mediawiki_widget_server
    mediawiki.write_page(PAGE, page_with_widget(url, token))
    refused_from_other_origin(page, mediawiki, PAGE, url, expect_mediawiki_page, screenshots / "mediawiki-refused.png")
