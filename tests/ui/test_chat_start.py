"""The chat joining a server that already answers: a starting page at "/", then the chat, its queue running."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from qa.config import Settings
from qa.engine import Engine
from qa.web.app import create_app
from qa.web.chat_slot import ChatSlot

from ..conftest import running

QUESTION = "When did Russia join the space station program?"


@pytest.mark.browser
def test_the_api_answers_while_the_chat_starts_then_the_chat_takes_its_place(engine: Engine, settings: Settings, page: Page) -> None:
    import ui
    from gradio_client import Client

    app = create_app(engine, settings)
    slot = ChatSlot(app)
    with running(app) as url, httpx.Client(base_url=url, timeout=60) as c:
        starting = c.get("/")
        assert starting.status_code == 503
        assert starting.headers["retry-after"] == "1"
        assert "The chat is starting" in starting.text
        assert "frame-ancestors" in starting.headers["content-security-policy"]  # the gate covers it too
        assert "1993" in c.post("/api/ask", json={"question": QUESTION}).json()["answer"]
        waits: list[int] = []
        page.on("response", lambda r: waits.append(r.status) if r.request.method == "HEAD" else None)
        page.goto(url)  # a reader arriving early, under the real policy
        expect(page.get_by_role("status")).to_contain_text("shows the chat by itself")
        # The page asks again each second: after two answers of 503 it still waits, showing no error.
        deadline = time.monotonic() + 30
        while len(waits) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert waits[:2] == [503, 503], waits
        expect(page.get_by_role("heading", name="The chat is starting")).to_be_visible()

        filler = threading.Thread(target=slot.fill, args=(lambda app: ui.add_chat(app, engine, settings),))
        filler.start()
        filler.join(timeout=120)
        assert slot.ready.is_set()
        # The waiting page turns into the chat with nobody reloading it.
        expect(page.get_by_role("textbox").first).to_be_visible(timeout=30_000)

        page = c.get("/")
        assert page.status_code == 200
        assert "gradio" in page.text.lower()
        # A queued Gradio event answers only if the queue started in the chat's lifespan.
        result = Client(url, verbose=False, download_files=False).predict(QUESTION, [], api_name="/ask")
        result = json.loads(result) if isinstance(result, str) else result
        assert "1993" in result["answer"]
        assert "1993" in c.post("/api/ask", json={"question": QUESTION}).json()["answer"]


def test_a_chat_that_cannot_start_says_why_at_its_address_and_the_api_goes_on(engine: Engine, settings: Settings) -> None:
    def broken(app: object) -> None:
        raise RuntimeError("<b>no</b> theme file")

    app = create_app(engine, settings)
    slot = ChatSlot(app)
    with running(app) as url, httpx.Client(base_url=url, timeout=60) as c:
        with pytest.raises(RuntimeError):
            slot.fill(broken)
        page = c.get("/")
        assert page.status_code == 500
        assert "The chat could not start" in page.text
        assert "RuntimeError: &lt;b&gt;no&lt;/b&gt; theme file" in page.text  # as text, not markup
        assert "refresh" not in page.text  # reloading would not help
        assert "1993" in c.post("/api/ask", json={"question": QUESTION}).json()["answer"]
