"""The widget inside a page of a real DokuWiki, in Chromium: answered where the wiki is allowed, refused elsewhere.

The wiki is set up as its admin would (see conftest.py): raw HTML allowed
(``htmlok``), a page with the widget's <iframe> and its token, and
``qa serve`` started with the wiki's address in ``allowed_origins``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from qa.engine import Engine

from ..ui.conftest import ask, assert_refused_in_frame, expect_cited, first_answer
from .conftest import Wiki

pytestmark = [pytest.mark.wiki, pytest.mark.browser]

PAGE = "space_cooperation"


def page_with_widget(widget: str, token: str) -> str:
    """The page's DokuWiki markup: a heading, a line of text and the widget."""
    return (
        "====== Space cooperation ======\n\n"
        "Questions about US–Russian space cooperation? Ask the article collection; "
        "every answer cites the sentences it comes from.\n\n"
        "<html>\n"
        f'<iframe id="qa" src="{widget}/widget?token={token}" title="Ask the articles" width="420" height="600" '
        'style="border:1px solid #d1d9e0;border-radius:8px"></iframe>\n'
        "</html>\n"
    )


def expect_dokuwiki_page(page: Page) -> None:
    """The page on screen is the wiki's, rendered by DokuWiki."""
    expect(page.locator('meta[name="generator"]')).to_have_attribute("content", "DokuWiki")
    expect(page.locator(f"h1#{PAGE}")).to_have_text("Space cooperation")


def test_widget_in_a_dokuwiki_page_answers_with_citations(
    page: Page,
    dokuwiki: Wiki,
    widget_server: tuple[str, str],
    engine: Engine,
    dev_questions: list[dict],
    screenshots: Path,
) -> None:
    url, token = widget_server
    dokuwiki.write_page(PAGE, page_with_widget(url, token))
    question, expected = first_answer(engine, dev_questions)

    page.goto(dokuwiki.url(PAGE), wait_until="load")
    expect_dokuwiki_page(page)
    frame = page.frame_locator("#dokuwiki__content iframe#qa")
    expect(frame.locator("#question")).to_be_visible()
    widget = next(f for f in page.frames if f.url.startswith(url))
    assert widget.url == f"{url}/widget", "the token should have been swapped for a cookie at once"

    message = ask(frame, question)
    expect_cited(message, expected)
    page.screenshot(path=str(screenshots / "wiki.png"))

    message.locator("button.chip").first.click()
    expect(frame.locator("#article-title")).to_have_text(expected.citations[0].title)
    mark = frame.locator("#article mark")
    expect(mark).to_have_text(expected.citations[0].quote)
    expect(mark).to_be_in_viewport()
    page.screenshot(path=str(screenshots / "wiki-article.png"))


def test_the_same_page_from_an_origin_not_allowed_shows_no_widget(
    page: Page, dokuwiki: Wiki, widget_server: tuple[str, str], screenshots: Path
) -> None:
    url, token = widget_server
    dokuwiki.write_page(PAGE, page_with_widget(url, token))
    widget_responses: list[Response] = []
    page.on("response", lambda r: widget_responses.append(r) if r.url.startswith(f"{url}/widget") else None)

    assert_refused_in_frame(page, dokuwiki.url(PAGE, dokuwiki.other_origin), f"{url}/widget", "#question")
    expect_dokuwiki_page(page)  # the wiki page itself shows, without the widget
    assert widget_responses, "the browser never asked the server for the widget"
    for response in widget_responses:
        policy = response.headers.get("content-security-policy", "")
        assert f"frame-ancestors 'self' {dokuwiki.origin}" in policy, policy
        assert dokuwiki.other_origin not in policy, policy
    page.screenshot(path=str(screenshots / "wiki-refused.png"))
