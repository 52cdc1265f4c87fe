"""In llm mode the chat and the widget show only verified text, never the model's draft.

A real llama.cpp server writes the answer. Asked to repeat a sentence, the
model writes a claim the articles never make ("founded by Elon Musk in
1962") next to one they do; the draft holds the invention, and the screen
must never show it, while the answer is written or after.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qa.config import Settings
from qa.engine import Engine

from ..conftest import llm_settings, running
from .test_accessibility import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.llm]

INVENTION = "Roscosmos was founded by Elon Musk in 1962 [1]. Dmitry Bakanov is the head of Roscosmos [1]."
QUESTION = "Who heads Roscosmos?"
# Every text the element ever held, recorded in the page as it changes.
RECORD_JS = """(selector) => {
  window.__seen = [];
  const node = document.querySelector(selector);
  new MutationObserver(() => window.__seen.push(node.innerText)).observe(
    node, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def drafting(
    engine: Engine, settings: Settings, llm_server: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, list[str]]]:
    """An engine answering in llm mode by default, its model told to repeat INVENTION; yields it and its draft tokens."""
    from llama_index.core.base.llms.types import ChatMessage, MessageRole

    def repeat_invention(question, sources, meta):
        return [ChatMessage(role=MessageRole.USER, content=f"Repeat this text exactly: {INVENTION}")]

    monkeypatch.setattr("qa.llm.answer_messages", repeat_invention)
    llm = Engine(llm_settings(settings, llm_server, mode="llm"))
    drafts: list[str] = []
    stream = llm.stream

    def recorded(*args, **kwargs):
        for event in stream(*args, **kwargs):
            if event.kind == "token":
                drafts.append(event.text)
            yield event

    monkeypatch.setattr(llm, "stream", recorded)
    yield llm, drafts


def assert_only_verified_text_was_shown(page: Page, drafts: list[str]) -> None:
    assert "1962" in "".join(drafts), f"the model did not write the invention: {''.join(drafts)!r}"
    seen = page.evaluate("window.__seen")
    shown = [text for text in seen if "1962" in text or "Musk" in text]
    assert shown == [], f"the model's unverified draft reached the screen: {shown[:1]}"
    assert any("checking each sentence" in text for text in seen), "no progress was shown while the model wrote"


def test_chat_shows_progress_then_only_the_verified_answer(page: Page, drafting: tuple[Engine, list[str]], axe_js: Path) -> None:
    import ui

    llm, drafts = drafting
    with running(ui.build_app(llm, llm.settings)) as url:
        page.goto(url + "/", wait_until="domcontentloaded")
        expect(page.locator("#qa-question textarea")).to_be_editable()
        page.evaluate(RECORD_JS, "#qa-chat")
        page.fill("#qa-question textarea", QUESTION)
        page.press("#qa-question textarea", "Enter")
        final = page.locator("#qa-chat .bot-row").last.locator(".qa-answer:not(.qa-pending), .qa-abstained, .qa-error")
        expect(final).to_be_visible(timeout=120_000)
        expect(final.locator("a[href^='#cite-']").first).to_be_visible()
        assert_only_verified_text_was_shown(page, drafts)
        expect(page.locator("#qa-mode")).to_be_visible()  # with a model configured, the mode is the reader's choice
        check_axe(page, "chat in llm mode (mode selector, verified answer)", axe_js)


def test_widget_shows_progress_then_only_the_verified_answer(page: Page, drafting: tuple[Engine, list[str]]) -> None:
    from qa.web.app import create_app

    llm, drafts = drafting
    with running(create_app(llm, llm.settings)) as url:
        page.goto(f"{url}/widget", wait_until="domcontentloaded")
        page.evaluate(RECORD_JS, "#log")
        page.locator("#question").fill(QUESTION)
        page.locator("#question").press("Enter")
        message = page.locator(".msg.bot").last
        expect(message).not_to_have_class(re.compile(r"\bpending\b"), timeout=120_000)
        expect(message.locator("button.chip").first).to_be_visible()
        assert_only_verified_text_was_shown(page, drafts)
