"""The widget inside a page of a real DokuWiki, in Chromium: answered where the wiki is allowed, refused elsewhere.

The wiki is set up as its admin would (see conftest.py): raw HTML allowed
(``htmlok``), a page with the widget's <iframe> and its token, and
``qa serve`` started with the wiki's address in ``allowed_origins``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.engine import Engine

from .conftest import DokuWiki
from .embed import answers_with_citations, refused_from_other_origin, widget_iframe

pytestmark = [pytest.mark.wiki, pytest.mark.browser]

PAGE = "space_cooperation"


def page_with_widget(widget: str, token: str) -> str:
    """The page's DokuWiki markup: a heading, a line of text and the widget."""
    return (
        "====== Space cooperation ======\n\n"
        "Questions about US–Russian space cooperation? Ask the article collection; "
        "every answer cites the sentences it comes from.\n\n"
        f"<html>\n{widget_iframe(widget, token)}\n</html>\n"
    )


def expect_dokuwiki_page(page: Page) -> None:
    """The page on screen is the wiki's, rendered by DokuWiki."""
    expect(page.locator('meta[name="generator"]')).to_have_attribute("content", "DokuWiki")
    expect(page.locator(f"h1#{PAGE}")).to_have_text("Space cooperation")


def test_widget_in_a_dokuwiki_page_answers_with_citations(
    page: Page,
    dokuwiki: DokuWiki,
    dokuwiki_widget_server: tuple[str, str],
    engine: Engine,
    dev_questions: list[dict],
    screenshots: Path,
) -> None:
    url, token = dokuwiki_widget_server
    dokuwiki.write_page(PAGE, page_with_widget(url, token))

    page.goto(dokuwiki.url(PAGE), wait_until="load")
    expect_dokuwiki_page(page)
    frame = page.frame_locator("#dokuwiki__content iframe#qa")
    answers_with_citations(
        page, frame, url, engine, dev_questions, (screenshots / "wiki.png", screenshots / "wiki-article.png")
    )


def test_the_same_page_from_an_origin_not_allowed_shows_no_widget(
    page: Page, dokuwiki: DokuWiki, dokuwiki_widget_server: tuple[str, str], screenshots: Path
) -> None:
    url, token = dokuwiki_widget_server
    dokuwiki.write_page(PAGE, page_with_widget(url, token))
    refused_from_other_origin(page, dokuwiki, PAGE, url, expect_dokuwiki_page, screenshots / "wiki-refused.png")
