"""What every wiki's page with the widget must do in Chromium: answer with citations where the wiki
is allowed, stay empty where it is not (tests/wiki/test_*_embed.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import FrameLocator, Page, Response, expect

from qa.engine import Engine

from ..ui.conftest import ask, assert_refused_in_frame, expect_cited, first_answer
from .conftest import Wiki


def widget_iframe(widget: str, token: str) -> str:
    """The <iframe> an admin puts on the page: the widget with its token."""
    return (
        f'<iframe id="qa" src="{widget}/widget?token={token}" title="Ask the articles" width="420" height="600" '
        'style="border:1px solid #d1d9e0;border-radius:8px"></iframe>'
    )


def answers_with_citations(
    page: Page,
    frame: FrameLocator,
    widget: str,
    engine: Engine,
    dev_questions: list[dict],
    screenshots: tuple[Path, Path],
) -> None:
    """On the wiki page already open, ``frame`` (the widget served from ``widget``) answers a seed question
    with its citations, and a citation opens its article at the quote. Screenshots: the answer, the article."""
    question, expected = first_answer(engine, dev_questions)
    expect(frame.locator("#question")).to_be_visible()
    inner = next(f for f in page.frames if f.url.startswith(widget))
    assert inner.url == f"{widget}/widget", "the token should have been swapped for a cookie at once"

    message = ask(frame, question)
    expect_cited(message, expected)
    page.screenshot(path=str(screenshots[0]))

    message.locator("button.chip").first.click()
    expect(frame.locator("#article-title")).to_have_text(expected.citations[0].title)
    mark = frame.locator("#article mark")
    expect(mark).to_have_text(expected.citations[0].quote)
    expect(mark).to_be_in_viewport()
    page.screenshot(path=str(screenshots[1]))


def refused_from_other_origin(
    page: Page, wiki: Wiki, name: str, widget: str, expect_wiki_page: Callable[[Page], None], screenshot: Path
) -> None:
    """Page ``name`` from the wiki's second address, an origin not allowed: the page shows, its widget frame
    stays empty, and every widget response named only the allowed origin in ``frame-ancestors``."""
    responses: list[Response] = []
    page.on("response", lambda r: responses.append(r) if r.url.startswith(f"{widget}/widget") else None)

    assert_refused_in_frame(page, wiki.url(name, wiki.other_origin), f"{widget}/widget", "#question")
    expect_wiki_page(page)  # the wiki page itself shows, without the widget
    assert responses, "the browser never asked the server for the widget"
    for response in responses:
        policy = response.headers.get("content-security-policy", "")
        assert f"frame-ancestors 'self' {wiki.origin}" in policy, policy
        assert wiki.other_origin not in policy, policy
    page.screenshot(path=str(screenshot))
