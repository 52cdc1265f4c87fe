"""The chat in a real Chromium: answers, citation chips, sources, the article view, feedback, safety."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from qa.render import render
from qa.config import Settings
from qa.engine import CAUTION, Engine
from qa.types import Answer

from ..conftest import running
from .conftest import assert_refused_in_frame

pytestmark = pytest.mark.browser

FINAL = ".qa-answer:not(.qa-pending), .qa-abstained, .qa-error"
HOSTILE = 'Who heads Roscosmos? <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> [click](javascript:window.__pwned=1)'


def squash(text: str) -> str:
    return " ".join(text.split())


def open_chat(page: Page, url: str) -> None:
    page.goto(url + "/", wait_until="domcontentloaded")
    expect(page.locator("#qa-question textarea")).to_be_editable()


def ask(page: Page, question: str) -> Locator:
    """Type a question, send it, and return the finished bot message."""
    bots = page.locator("#qa-chat .bot-row")
    before = bots.count()
    page.fill("#qa-question textarea", question)
    page.press("#qa-question textarea", "Enter")
    expect(bots).to_have_count(before + 1)
    message = bots.nth(before)
    expect(message.locator(FINAL)).to_be_visible()
    return message


def answered(engine: Engine, questions: list[dict], answerable: bool) -> tuple[dict, Answer]:
    """The first dev question the engine answers (or abstains on), with that answer."""
    for item in questions:
        if item["answerable"] == answerable and not item.get("history"):
            answer = engine.ask(item["question"])
            if answer.abstained != answerable and answer.citations:
                return item, answer
    raise AssertionError(f"the engine {'answers' if answerable else 'abstains on'} none of the dev questions with citations")


def test_answer_shows_chips_sources_and_the_cited_passage(
    page: Page, live_server: str, engine: Engine, dev_questions: list[dict], screenshots: Path
) -> None:
    item, expected = answered(engine, dev_questions, answerable=True)
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))
    open_chat(page, live_server)

    message = ask(page, item["question"])
    chips = message.locator("a.qa-chip")
    expect(chips.first).to_be_visible()
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", expected.answer)}
    expect(chips).to_have_count(len(re.findall(r"\[(\d+)\]", expected.answer)))
    sources = page.locator("#qa-sources")
    expect(sources.locator("h3")).to_have_text("Sources")
    for c in expected.citations:
        item_el = sources.locator("li.qa-source").nth(c.n - 1)
        expect(item_el.locator(".qa-source-title")).to_have_text(c.title)
        expect(item_el.locator(".qa-meta")).to_contain_text(c.publisher)
        expect(item_el.locator("mark")).to_have_text(squash(c.quote))
        expect(item_el.locator("mark")).to_be_visible()
    assert cited <= {c.n for c in expected.citations}
    page.screenshot(path=str(screenshots / "chat.png"))

    # A chip opens the article with the passage marked and scrolled into view.
    first = expected.citations[0]
    chips.first.click()
    mark = page.locator("#qa-article mark.qa-highlight")
    expect(mark).to_have_text(first.quote)
    expect(mark).to_be_in_viewport()
    expect(page.locator("#qa-article .qa-article-title")).to_have_text(first.title)
    page.evaluate("window.scrollTo(0, 0)")  # the page, not the article panel
    page.screenshot(path=str(screenshots / "chat-article.png"))

    # So does a source's title in the panel.
    last = expected.citations[-1]
    sources.locator("li.qa-source").nth(last.n - 1).locator(".qa-source-title").click()
    expect(mark).to_have_text(last.quote)
    expect(mark).to_be_in_viewport()
    assert page.url.rstrip("/") == live_server, "citation links must not navigate away"
    assert outside == [], f"the chat loaded from elsewhere: {outside}"


def test_follow_up_sends_the_earlier_questions(
    page: Page, live_server: str, engine: Engine, dev_questions: list[dict]
) -> None:
    item = next(q for q in dev_questions if q.get("history"))
    open_chat(page, live_server)
    for earlier in item["history"]:
        ask(page, earlier)
    ask(page, item["question"])
    expected = engine.ask(item["question"], item["history"])
    marks = page.locator("#qa-sources li.qa-source mark")
    expect(marks).to_have_count(len(expected.citations))
    for i, c in enumerate(expected.citations):
        expect(marks.nth(i)).to_have_text(squash(c.quote))


def test_a_new_answer_closes_the_article_of_the_one_before(
    page: Page, live_server: str, engine: Engine, dev_questions: list[dict]
) -> None:
    first, _ = answered(engine, dev_questions, answerable=True)
    second, _ = answered(engine, [q for q in dev_questions if q is not first], answerable=True)
    open_chat(page, live_server)
    ask(page, first["question"]).locator("a.qa-chip").first.click()
    expect(page.locator("#qa-article mark.qa-highlight")).to_be_visible()
    ask(page, second["question"])
    expect(page.locator("#qa-article mark")).to_have_count(0)
    expect(page.locator("#qa-article")).to_contain_text("Click a citation to read it in its article.")


def test_abstention_looks_different(page: Page, live_server: str, engine: Engine, dev_questions: list[dict]) -> None:
    item, expected = answered(engine, dev_questions, answerable=False)
    open_chat(page, live_server)
    message = ask(page, item["question"])
    expect(message.locator(".qa-abstained .qa-badge")).to_have_text(
        re.compile("not found in the articles", re.IGNORECASE)
    )
    expect(message.locator(".qa-answer")).to_have_count(0)
    expect(page.locator("#qa-sources h3")).to_have_text("Closest passages")
    expect(page.locator("#qa-sources li.qa-source")).to_have_count(len(expected.citations))


def test_a_greeting_is_answered_with_what_the_chat_can_do(page: Page, live_server: str) -> None:
    open_chat(page, live_server)
    message = ask(page, "Hello!")
    expect(message).to_contain_text("I answer questions from")
    expect(message.locator(".qa-badge")).to_have_count(0)


def test_hostile_question_is_shown_not_run(page: Page, live_server: str) -> None:
    open_chat(page, live_server)
    ask(page, HOSTILE)
    user = page.locator("#qa-chat .user-row").last
    expect(user).to_contain_text('<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1">')
    expect(user).to_contain_text("[click](javascript:window.__pwned=1)")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#qa-chat img[src='x'], #qa-chat script, a[href^='javascript:']").count() == 0


def test_feedback_is_stored_with_an_optional_comment(
    page: Page, live_server: str, settings: Settings, engine: Engine, dev_questions: list[dict]
) -> None:
    item, expected = answered(engine, dev_questions, answerable=True)
    path = Path(settings.feedback_file)
    start = len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0
    open_chat(page, live_server)
    message = ask(page, item["question"])
    message.hover()
    page.get_by_role("button", name="Dislike").last.click()
    expect(page.locator("#qa-feedback-comment textarea")).to_be_visible()
    entries = wait_for_lines(path, start + 1)
    first = entries[-1]
    assert first["verdict"] == "down" and first["comment"] == ""
    assert first["question"] == item["question"] and first["answer"] == expected.answer
    assert [c["quote"] for c in first["citations"]] == [c.quote for c in expected.citations]
    assert first["time"]

    page.fill("#qa-feedback-comment textarea", "The second source is off-topic.")
    page.click("#qa-feedback-send")
    expect(page.locator("#qa-feedback-comment textarea")).to_be_hidden()
    second = wait_for_lines(path, start + 2)[-1]
    assert second["id"] == first["id"] and second["verdict"] == "down"
    assert second["comment"] == "The second source is off-topic."


def wait_for_lines(path: Path, n: int, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            if len(lines) >= n:
                return [json.loads(line) for line in lines]
        time.sleep(0.2)
    raise AssertionError(f"{path} did not reach {n} line(s)")


def test_copy_answer_and_new_chat(page: Page, live_server: str, engine: Engine, dev_questions: list[dict]) -> None:
    item, expected = answered(engine, dev_questions, answerable=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    open_chat(page, live_server)
    ask(page, item["question"])
    page.click("#qa-copy")
    deadline = time.monotonic() + 10
    while page.evaluate("navigator.clipboard.readText()") != render(expected) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert page.evaluate("navigator.clipboard.readText()") == render(expected)

    page.click("#qa-new-chat")
    expect(page.locator("#qa-chat .bot-row")).to_have_count(0)
    expect(page.locator("#qa-sources li.qa-source")).to_have_count(0)


def test_page_says_it_is_indexing(page: Page, settings: Settings) -> None:
    """A server whose engine is still building (its ``_building`` flag set, as start_background_build does)."""
    import ui

    engine = Engine(settings)
    engine._building.set()
    with running(ui.build_app(engine, settings)) as url:
        open_chat(page, url)
        expect(page.locator("#qa-status")).to_contain_text("Indexing the articles")
        message = ask(page, "When did Russia join the space station program?")
        expect(message.locator(".qa-error")).to_contain_text("still being built")
        engine._building.clear()
        expect(page.locator("#qa-status")).to_contain_text("articles", timeout=15_000)
        expect(page.locator("#qa-status")).not_to_contain_text("Indexing")


def test_answer_mode_is_offered_only_with_an_llm(page: Page, live_server: str, settings: Settings) -> None:
    """With an LLM configured the chat offers the mode; an unreachable one falls back, visibly.

    The LLM here is a closed port on this machine: the point is the chat's
    choice and its fallback note (real generation is tested in tests/qa/test_llm.py).
    """
    import ui

    from ..conftest import free_port

    open_chat(page, live_server)
    expect(page.locator("#qa-mode")).to_be_hidden()

    llm_settings = settings.replace(llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="none", llm_timeout=5.0)
    with running(ui.build_app(Engine(llm_settings), llm_settings)) as url:
        open_chat(page, url)
        expect(page.locator("#qa-mode")).to_be_visible()
        page.locator("#qa-mode label", has_text="llm").click()
        message = ask(page, "When did Russia join the space station program?")
        expect(message.locator(".qa-note")).to_contain_text("extractive answer")
        expect(message.locator("a[href^='#cite-']").first).to_be_visible()


def test_a_chip_and_the_stop_after_it_share_a_line(page: Page, live_server: str) -> None:
    # At some width the chip ends a line: the full stop after it must not start the next.
    open_chat(page, live_server)
    message = ask(page, "When did Russia join the space station program?")
    cited = message.locator("span.qa-marker")
    expect(cited.first).to_be_visible()
    for width in range(360, 1200, 2):
        page.set_viewport_size({"width": width, "height": 900})
        lines = cited.evaluate_all("spans => spans.map(s => s.getClientRects().length)")
        assert lines and all(n == 1 for n in lines), (width, lines)


def test_an_answer_the_scorer_is_unsure_of_says_so(page: Page, live_server: str, unsure_server: str) -> None:
    open_chat(page, live_server)
    expect(ask(page, "When did Russia join the space station program?").locator(".qa-caution")).to_have_count(0)
    open_chat(page, unsure_server)
    message = ask(page, "When did Russia join the space station program?")
    expect(message.locator(".qa-caution")).to_have_text(CAUTION)
    expect(message.locator("a[href^='#cite-']").first).to_be_visible()  # still cited, not an abstention
    expect(message.locator(".qa-abstained")).to_have_count(0)


def test_chat_is_framed_only_by_allowed_origins(page: Page, live_server: str, engine: Engine, settings: Settings, embed_origin: str) -> None:
    """live_server allows no other origin; a second server allows ``embed_origin`` (as it would a wiki)."""
    import ui

    src = f"{live_server}/"
    assert_refused_in_frame(page, f"{embed_origin}/embed?src={src}", src, "#qa-chat")

    allowed = settings.replace(allowed_origins=embed_origin)
    with running(ui.build_app(engine, allowed)) as url:
        page.goto(f"{embed_origin}/embed?src={url}/", wait_until="load")
        expect(page.frame_locator("#qa").locator("#qa-chat")).to_be_visible(timeout=30_000)


def test_chat_needs_the_token_when_one_is_set(page: Page, engine: Engine, settings: Settings, dev_questions: list[dict]) -> None:
    import ui

    token = "chat-token"
    with running(ui.build_app(engine, settings.replace(api_token=token))) as url:
        assert page.goto(f"{url}/").status == 401
        page.fill("#token", "wrong")
        page.press("#token", "Enter")
        expect(page.locator("#problem")).to_have_text("The token is wrong.")
        page.fill("#token", token)
        page.press("#token", "Enter")  # posted, never in a URL
        expect(page.locator("#qa-question textarea")).to_be_editable()
        assert page.url == f"{url}/"
        # The page's own requests (queue, stream) carry the cookie the form set.
        item, _ = answered(engine, dev_questions, True)
        message = ask(page, item["question"])
        expect(message.locator("a[href^='#cite-']").first).to_be_visible()
        assert page.goto(f"{url}/").status == 200  # remembered for the rest of the visit
