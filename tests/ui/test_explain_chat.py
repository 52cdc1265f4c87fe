"""The chat's "Why this answer?" disclosure, shown to operators (a token is set), in a real Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.config import Settings
from qa.engine import Engine

from ..conftest import running
from .test_chat import answered, ask, open_chat

pytestmark = pytest.mark.browser


def test_operators_see_why_an_answer_came_out(
    page: Page, engine: Engine, settings: Settings, dev_questions: list[dict], screenshots: Path
) -> None:
    import ui

    token = "operator-token"
    item, expected = answered(engine, dev_questions, answerable=True)
    with running(ui.build_app(engine, settings.replace(api_token=token))) as url:
        page.goto(f"{url}/")
        page.fill("#token", token)
        page.press("#token", "Enter")
        expect(page.locator("#qa-question textarea")).to_be_editable()
        message = ask(page, item["question"])
        disclosure = message.locator("details.qa-explain")
        verdict = disclosure.locator(".qa-explain-verdict")
        expect(verdict).to_be_hidden()
        summary = disclosure.locator("summary")
        expect(summary).to_have_text("Why this answer?")
        summary.focus()
        page.keyboard.press("Enter")  # the keyboard opens it
        expect(verdict).to_have_text("verdict: answered")
        quote = " ".join(expected.citations[0].quote.split())[:40]
        cited = disclosure.locator("li.qa-explain-chosen", has_text=quote)
        expect(cited).to_have_count(1)
        expect(cited.locator(".qa-cited")).to_have_text("cited")
        expect(disclosure.locator(".qa-explain-answerable")).to_contain_text("threshold")
        page.screenshot(path=str(screenshots / "chat-explain.png"), full_page=True)


def test_without_a_token_the_chat_shows_no_trace(page: Page, live_server: str, engine: Engine, dev_questions: list[dict]) -> None:
    item, _ = answered(engine, dev_questions, answerable=True)
    open_chat(page, live_server)
    message = ask(page, item["question"])
    expect(message.locator("a.qa-chip").first).to_be_visible()
    expect(message.locator("details.qa-explain")).to_have_count(0)
