"""Browser fixtures: one Chromium per session, a page per test, and a second origin to embed from."""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from qa.web.app import create_app
from qa.config import Settings
from qa.engine import Engine
from qa.types import Answer

from ..conftest import running

# axe-core, installed by `make test-deps` from tests/ui/package-lock.json (never fetched by the page).
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_RESULTS: list[str] = []  # one line per page state checked, printed at the end of the run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The axe-core findings of every page state checked, by impact (for release notes)."""
    if AXE_RESULTS:
        terminalreporter.section(f"accessibility: axe-core {axe_version()}, WCAG 2.0/2.1 A and AA")
        for line in AXE_RESULTS:
            terminalreporter.write_line(line)


def axe_version() -> str:
    package = AXE_JS.parent / "package.json"
    return json.loads(package.read_text(encoding="utf-8"))["version"] if package.exists() else "(not installed)"


@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS} is not installed: run make test-deps (npm ci --prefix tests/ui)")
    return AXE_JS


class _EmbedHandler(BaseHTTPRequestHandler):
    """``/embed?src=URL``: a wiki-like page that frames URL."""

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        src = query.get("src", [""])[0]
        body = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Team wiki</title></head>"
            "<body style='font-family: sans-serif; background: #f3f4f6; margin: 24px'>"
            "<h1>Team wiki: space cooperation</h1><p>Ask the article collection:</p>"
            f'<iframe id="qa" src="{html.escape(src)}" title="Ask the articles" width="420" height="600" '
            'style="border: 1px solid #ccc; border-radius: 8px; background: #fff"></iframe>'
            "</body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def embed_origin() -> Iterator[str]:
    """A second origin (another port) serving a page that embeds a given URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbedHandler)
    thread = threading.Thread(target=server.serve_forever, name="embed-page", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def framable_server(engine: Engine, settings: Settings, embed_origin: str) -> Iterator[str]:
    """The API and widget with ``embed_origin`` in allowed_origins (same session engine)."""
    with running(create_app(engine, settings.replace(allowed_origins=embed_origin))) as url:
        yield url


@pytest.fixture(scope="session")
def unsure_server(settings: Settings) -> Iterator[str]:
    """The chat, the widget and the API over the same index with unsure_below 1: every answer comes with the caution."""
    import ui

    unsure = settings.replace(unsure_below=1.0)
    with running(ui.build_app(Engine(unsure), unsure)) as url:
        yield url


def assert_refused_in_frame(page: Page, framing_url: str, src: str, selector: str) -> None:
    """Open ``framing_url``, a page of another origin framing ``src``: the browser must refuse the frame
    (nothing matching ``selector`` in it)."""
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(framing_url, wait_until="load")
    frame = next(f for f in page.frames if f != page.main_frame)
    page.wait_for_timeout(1000)
    assert frame.query_selector(selector) is None, f"{src} rendered inside a page it must refuse"
    assert not frame.url.startswith(src)  # Chromium swaps in its error page
    assert any("frame-ancestors" in line for line in console), console


# -- The widget (tests/ui/test_widget.py, tests/wiki) ---------------------------------------------


def ask(frame: FrameLocator | Page, question: str) -> Locator:
    """Ask in the widget; return the finished bot message."""
    bots = frame.locator(".msg.bot")
    before = bots.count()
    frame.locator("#question").fill(question)
    frame.locator("#question").press("Enter")
    expect(bots).to_have_count(before + 1)
    message = bots.nth(before)
    expect(message).not_to_have_class(re.compile(r"\bpending\b"))
    return message


def first_answer(engine: Engine, questions: list[dict]) -> tuple[str, Answer]:
    """The first answerable question (without history) the engine answers with citations, and its answer."""
    for item in questions:
        if item["answerable"] and not item.get("history"):
            answer = engine.ask(item["question"])
            if not answer.abstained and answer.citations:
                return item["question"], answer
    raise AssertionError("the engine answers none of the dev questions with citations")


def expect_cited(message: Locator, expected: Answer) -> None:
    """The widget's ``message`` shows ``expected``: its text with a chip per ``[n]`` marker, each source's title and quote as shown."""
    expect(message.locator("p.text")).to_have_text(re.sub(r"\[(\d+)\]", r"\1", expected.answer))
    chips = message.locator("button.chip")
    expect(chips.first).to_be_visible()
    expect(chips).to_have_count(len(re.findall(r"\[(\d+)\]", expected.answer)))
    message.locator("details.sources summary").click()
    for c in expected.citations:
        source = message.locator("li.source").nth(c.n - 1)
        expect(source.locator(".title")).to_have_text(f"[{c.n}] {c.title}")
        expect(source.locator("blockquote")).to_have_text(c.shown)
