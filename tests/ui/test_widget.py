"""The widget in a real Chromium, framed by a page from another origin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.web.app import create_app
from qa.config import Settings
from qa.engine import CAUTION, Engine

from ..conftest import engine_over_documents, running
from .conftest import ask, assert_refused_in_frame, expect_cited, first_answer

pytestmark = pytest.mark.browser

HOSTILE = 'Who heads Roscosmos? <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> [click](javascript:window.__pwned=1)'


def test_widget_in_an_allowed_origin_answers_with_citations(
    page: Page, framable_server: str, embed_origin: str, engine: Engine, dev_questions: list[dict], screenshots: Path
) -> None:
    question, expected = first_answer(engine, dev_questions)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{embed_origin}/embed?src={framable_server}/widget", wait_until="domcontentloaded")
    frame = page.frame_locator("#qa")

    message = ask(frame, question)
    expect_cited(message, expected)
    page.screenshot(path=str(screenshots / "widget.png"))

    message.locator("button.chip").first.click()
    mark = frame.locator("#article mark")
    expect(mark).to_have_text(expected.citations[0].quote)
    expect(mark).to_be_in_viewport()
    expect(frame.locator("#article-title")).to_have_text(expected.citations[0].title)
    page.screenshot(path=str(screenshots / "widget-article.png"))
    frame.locator("#article-close").click()
    expect(frame.locator("#article")).to_be_hidden()

    # The page itself comes from the wiki's origin; everything the widget loads, from the server.
    outside = [u for u in requests if not u.startswith((framable_server, f"{embed_origin}/embed"))]
    assert outside == [], f"the widget loaded from elsewhere: {outside}"
    assert any(u.startswith(f"{framable_server}/api/ask/stream") for u in requests)


def test_widget_is_not_framed_by_another_origin(page: Page, live_server: str, embed_origin: str) -> None:
    """live_server has the default allowed_origins: only itself may frame /widget."""
    src = f"{live_server}/widget"
    assert_refused_in_frame(page, f"{embed_origin}/embed?src={src}", src, "#question")


def test_hostile_question_is_shown_not_run(page: Page, framable_server: str) -> None:
    page.goto(f"{framable_server}/widget", wait_until="domcontentloaded")
    ask(page, HOSTILE)
    expect(page.locator(".msg.user").last).to_have_text(HOSTILE)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img, script:not([src]), a[href^='javascript:']").count() == 0


@pytest.fixture(scope="module")
def token_widget(engine: Engine, settings: Settings) -> Iterator[tuple[str, str]]:
    token = "widget-token"
    with running(create_app(engine, settings.replace(api_token=token))) as url:
        yield url, token


def test_widget_opened_with_a_token_answers_without_it_in_the_url(
    page: Page, token_widget: tuple[str, str], engine: Engine, dev_questions: list[dict]
) -> None:
    url, token = token_widget
    question, expected = first_answer(engine, dev_questions)
    assert page.goto(f"{url}/widget").status == 401
    page.goto(f"{url}/widget?token={token}", wait_until="domcontentloaded")
    assert page.url == f"{url}/widget"  # swapped for a cookie at once: gone from the address and any Referer
    message = ask(page, question)
    expect(message.locator("button.chip").first).to_be_visible()
    message.locator("button.chip").first.click()
    expect(page.locator("#article mark")).to_have_text(expected.citations[0].quote)


def test_widget_abstention_looks_different(
    page: Page, framable_server: str, engine: Engine, dev_questions: list[dict]
) -> None:
    item = next((q for q in dev_questions if not q["answerable"] and engine.ask(q["question"]).abstained), None)
    assert item is not None, "the engine abstains on none of the unanswerable dev questions"
    page.goto(f"{framable_server}/widget", wait_until="domcontentloaded")
    message = ask(page, item["question"])
    expect(message).to_have_class(re.compile(r"\babstained\b"))
    expect(message.locator(".badge")).to_have_text("Not found in the articles")
    if engine.ask(item["question"]).citations:
        expect(message.locator("details.sources summary")).to_contain_text("Closest passages")
        # The answer says the closest passages are listed below: they are, without a click.
        expect(message.locator("li.source blockquote").first).to_be_visible()


def test_widget_keeps_a_chip_and_the_stop_after_it_on_one_line(page: Page, framable_server: str) -> None:
    page.goto(f"{framable_server}/widget", wait_until="domcontentloaded")
    message = ask(page, "When did Russia join the space station program?")
    cited = message.locator("p.text span.cited")
    expect(cited.first).to_be_visible()
    for width in range(280, 700, 2):  # at some width the chip ends a line
        page.set_viewport_size({"width": width, "height": 800})
        lines = cited.evaluate_all("spans => spans.map(s => s.getClientRects().length)")
        assert lines and all(n == 1 for n in lines), (width, lines)


def test_widget_says_when_the_scorer_is_unsure(page: Page, framable_server: str, unsure_server: str) -> None:
    page.goto(f"{framable_server}/widget", wait_until="domcontentloaded")
    expect(ask(page, "When did Russia join the space station program?").locator(".note")).to_have_count(0)
    page.goto(f"{unsure_server}/widget", wait_until="domcontentloaded")
    message = ask(page, "When did Russia join the space station program?")
    expect(message.locator("p.note.caution")).to_have_text(CAUTION)
    expect(message.locator("button.chip").first).to_be_visible()
    expect(message).not_to_have_class(re.compile(r"\babstained\b"))


def test_widget_greeting_is_answered_without_the_not_found_badge(page: Page, framable_server: str) -> None:
    page.goto(f"{framable_server}/widget", wait_until="domcontentloaded")
    message = ask(page, "Hello!")
    expect(message).to_contain_text("I answer questions from")
    expect(message).not_to_have_class(re.compile(r"\babstained\b"))
    expect(message.locator(".badge")).to_have_count(0)


@pytest.fixture(scope="module")
def documents_widget(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """The widget over a web page and a Markdown file."""
    engine = engine_over_documents(settings, tmp_path_factory.mktemp("widget-documents"), ["valve-manual.html", "ferry-timetable.md"])
    with running(create_app(engine, engine.settings)) as url:
        yield url, engine


@pytest.mark.parametrize(
    ("question", "source", "paragraphs"),
    [
        ("What does the rate argument of the valve tool set?", "valve-manual.html", "The basics\n\nThe vctl tool opens"),
        ("How can passengers check the day's ferry sailings?", "ferry-timetable.md", "Fares\n\nTicket | Price\n\nAdult return | 9.50"),
    ],
)
def test_widget_shows_quotes_and_articles_as_a_reader_sees_them(
    page: Page, documents_widget: tuple[str, Engine], question: str, source: str, paragraphs: str
) -> None:
    url, engine = documents_widget
    c = next(c for c in engine.ask(question).citations if c.source == source)
    assert c.shown != c.quote  # the file's text holds markup
    page.goto(f"{url}/widget", wait_until="domcontentloaded")
    message = ask(page, question)
    message.locator("details.sources summary").click()
    item = message.locator("li.source").nth(c.n - 1)
    expect(item.locator("blockquote")).to_have_text(c.shown)

    item.locator("button.title").click()
    expect(page.locator("#article mark")).to_have_text(c.shown)
    expect(page.locator("#article mark")).to_be_focused()
    article = page.locator("#article-text").inner_text()
    assert paragraphs in article  # a blank line between blocks
    for markup in ("<", "&nbsp;", "](", "`", "title:", "# "):
        assert markup not in article, markup
