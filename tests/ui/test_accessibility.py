"""WCAG 2.1 AA in a real Chromium: axe-core over every state of the chat and the widget, the keyboard path
to a cited passage and back, visible focus, dark mode and the theme parameter, and a phone-sized screen.

axe-core (tests/ui/package-lock.json, installed by `make test-deps`) is injected with playwright from the
file on disk: the page never fetches it. The widget's Content-Security-Policy forbids such an injected
script, so the contexts that run axe bypass CSP; the keyboard and layout tests run under the real policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from qa.engine import Engine
from qa.types import Answer, Citation
from qa.web.chat_slot import STARTING_PAGE, failed_page
from qa.web.middleware import login_page

from ..conftest import TIMEOUT_MS
from .conftest import AXE_RESULTS
from .test_chat import FINAL, answered, open_chat
from .test_chat import ask as chat_ask
from .test_widget import ask as widget_ask

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")
PHONE = {"width": 390, "height": 844}
TAB_LIMIT = 80  # presses of Tab before a control counts as unreachable

# axe checks whole pages, Gradio's own markup included: nothing is excluded. What Gradio gets wrong
# and no option fixes (a role="list" of buttons, a text box named with its button's text, chips
# stripped of aria-label) is repaired by qa/web/static/chat_a11y.js.


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Pages in fresh contexts with the given options (viewport, color_scheme, bypass_csp ...)."""
    contexts = []

    def make(**options) -> Page:
        context = browser.new_context(**{"viewport": {"width": 1400, "height": 900}, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def cited(engine: Engine, dev_questions: list[dict]) -> tuple[str, Answer]:
    """A dev question the engine answers with citations, and that answer."""
    item, answer = answered(engine, dev_questions, answerable=True)
    return item["question"], answer


def check_axe(page: Page, state: str, axe_js: Path) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) over ``page``; record counts by impact; fail on serious or critical."""
    # Colours are measured as drawn: let fades (Gradio's on every update) finish first.
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
            .map((a) => a.finished.catch(() => null)))"""
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\s+/g, ' ')),
            }));
        }""",
        WCAG_TAGS,
    )
    counts = {impact: sum(1 for v in violations if v["impact"] == impact) for impact in IMPACTS}
    line = f"axe {state}: " + ", ".join(f"{impact} {counts[impact]}" for impact in IMPACTS)
    AXE_RESULTS.append(line)
    print(line)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    details = "\n".join(f"  {v['impact']} {v['id']} ({v['help']}):\n    " + "\n    ".join(v["nodes"]) for v in blocking)
    assert not blocking, f"axe {state}: serious or critical violations\n{details}"


def tab_to(page: Page, target: Locator, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until ``target`` has the focus; fail if it never gets it."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(TAB_LIMIT):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{TAB_LIMIT} presses of {key} never reached {target}")


def assert_focus_visible(target: Locator) -> None:
    """The focused ``target`` draws a focus indicator: an outline or a box-shadow."""
    expect(target).to_be_focused()
    style = target.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
    )
    outline_style, outline_width, shadow = style
    outlined = outline_style != "none" and outline_width not in ("0px", "")
    assert outlined or shadow != "none", (
        f"{target} shows no focus indicator (outline {outline_style} {outline_width}, box-shadow {shadow})"
    )


def round_trip(
    page: Page, chip: Locator, passage: Locator, quote: str, back: Locator, closes: Locator | None = None
) -> None:
    """From the focused ``chip``: Enter shows ``passage`` with the focus on it; Escape returns to the chip,
    and so does the visible control ``back`` (reached by Shift+Tab). ``closes``: what must hide on return."""
    assert_focus_visible(chip)
    for leave in ("Escape", back):
        page.keyboard.press("Enter")
        if closes is not None:
            expect(closes).to_be_visible()
        expect(passage).to_be_focused()
        expect(passage).to_have_text(quote)
        expect(passage).to_be_in_viewport()
        assert_focus_visible(passage)
        if leave == "Escape":
            page.keyboard.press("Escape")
        else:
            tab_to(page, back, backwards=True)
            assert_focus_visible(back)
            page.keyboard.press("Enter")
        if closes is not None:
            expect(closes).to_be_hidden()
        expect(chip).to_be_focused()


def buttons_show_focus(page: Page, names: list[str]) -> None:
    for name in names:
        button = page.get_by_role("button", name=name, exact=True)
        tab_to(page, button)
        assert_focus_visible(button)


def assert_background(page: Page, dark: bool, why: str) -> None:
    """The page's background turns dark (relative luminance under 0.1) or light (over 0.9) within seconds."""
    try:
        page.wait_for_function(
            """dark => {
                const lin = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
                const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
                const l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
                return dark ? l < 0.1 : l > 0.9;
            }""",
            arg=dark,
            timeout=10_000,
        )
    except PlaywrightTimeoutError:
        color = page.evaluate("getComputedStyle(document.body).backgroundColor")
        raise AssertionError(f"{why}: the background is {color}") from None


def chip_name(c: Citation) -> str:
    return f"Source {c.n}: {c.title}"


def cited_numbers(answer: Answer) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]


# -- axe-core over every state --------------------------------------------------------------------
def test_chat_states_pass_axe(new_page, live_server: str, cited: tuple[str, Answer], axe_js: Path) -> None:
    question, expected = cited
    page = new_page(bypass_csp=True)
    open_chat(page, live_server)
    expect(page.locator("#qa-chat .examples[role='group']")).to_have_attribute("aria-label", "Example questions")
    check_axe(page, "chat/empty", axe_js)

    message = chat_ask(page, question)
    expect(page.locator("#qa-sources li.qa-source")).to_have_count(len(expected.citations))
    # The chat shows the sources panel beside every answer: this state is the answer with its sources open.
    check_axe(page, "chat/answer+sources", axe_js)

    message.locator("a.qa-chip").first.press("Enter")
    expect(page.locator("#qa-article mark.qa-highlight")).to_have_text(expected.citations[0].quote)
    check_axe(page, "chat/article", axe_js)


def test_chat_in_dark_mode_passes_axe(new_page, live_server: str, cited: tuple[str, Answer], axe_js: Path) -> None:
    question, expected = cited
    page = new_page(bypass_csp=True, color_scheme="dark")
    open_chat(page, live_server)
    assert_background(page, dark=True, why="the chat ignores prefers-color-scheme: dark")
    message = chat_ask(page, question)
    message.locator("a.qa-chip").first.press("Enter")
    expect(page.locator("#qa-article mark.qa-highlight")).to_have_text(expected.citations[0].quote)
    check_axe(page, "chat/dark: answer+sources+article", axe_js)


def test_widget_states_pass_axe(new_page, live_server: str, cited: tuple[str, Answer], axe_js: Path) -> None:
    question, expected = cited
    page = new_page(bypass_csp=True)
    page.goto(f"{live_server}/widget", wait_until="domcontentloaded")
    expect(page.locator("#question")).to_be_editable()
    check_axe(page, "widget/empty", axe_js)

    message = widget_ask(page, question)
    check_axe(page, "widget/answer", axe_js)

    message.locator("details.sources summary").press("Enter")
    expect(message.locator("li.source blockquote").first).to_be_visible()
    check_axe(page, "widget/sources", axe_js)

    message.locator("button.chip").first.press("Enter")
    expect(page.locator("#article mark")).to_have_text(expected.citations[0].quote)
    check_axe(page, "widget/article", axe_js)


def test_widget_follows_the_color_scheme_and_the_theme_parameter(
    new_page, live_server: str, cited: tuple[str, Answer], axe_js: Path
) -> None:
    question, expected = cited
    page = new_page(bypass_csp=True)
    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server}/widget", wait_until="domcontentloaded")
    assert_background(page, dark=True, why="the widget ignores prefers-color-scheme: dark")
    message = widget_ask(page, question)
    message.locator("details.sources summary").press("Enter")
    check_axe(page, "widget/dark: answer+sources", axe_js)
    message.locator("button.chip").first.press("Enter")
    expect(page.locator("#article mark")).to_have_text(expected.citations[0].quote)
    check_axe(page, "widget/dark: article", axe_js)

    # ?theme= wins over the system setting, either way.
    page.goto(f"{live_server}/widget?theme=light", wait_until="domcontentloaded")
    assert_background(page, dark=False, why="?theme=light did not override prefers-color-scheme: dark")
    page.emulate_media(color_scheme="light")
    page.goto(f"{live_server}/widget?theme=dark", wait_until="domcontentloaded")
    assert_background(page, dark=True, why="?theme=dark did not override prefers-color-scheme: light")
    page.goto(f"{live_server}/widget", wait_until="domcontentloaded")
    assert_background(page, dark=False, why="the widget ignores prefers-color-scheme: light")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_answer_with_a_caution_passes_axe(new_page, unsure_server: str, cited: tuple[str, Answer], axe_js: Path, scheme: str) -> None:
    question, _ = cited
    page = new_page(bypass_csp=True, color_scheme=scheme)
    open_chat(page, unsure_server)
    expect(chat_ask(page, question).locator(".qa-caution")).to_be_visible()
    check_axe(page, f"chat/answer with a caution ({scheme})", axe_js)
    page.goto(f"{unsure_server}/widget", wait_until="domcontentloaded")
    expect(widget_ask(page, question).locator("p.note.caution")).to_be_visible()
    check_axe(page, f"widget/answer with a caution ({scheme})", axe_js)


def test_widget_refuses_an_unknown_theme(live_server: str) -> None:
    response = httpx.get(f"{live_server}/widget", params={"theme": "blue"})
    assert response.status_code == 400
    body = response.json()
    assert "'blue'" in body["error"] and "theme=light" in body["hint"] and "theme=dark" in body["hint"]


# -- the keyboard alone ---------------------------------------------------------------------------
def test_chat_by_keyboard_alone(page: Page, live_server: str, cited: tuple[str, Answer]) -> None:
    question, expected = cited
    first = expected.citations[cited_numbers(expected)[0] - 1]
    open_chat(page, live_server)
    log = page.locator("#qa-chat [role='log']")
    expect(log).to_have_attribute("aria-live", "polite")  # answers are announced

    box = page.locator("#qa-question textarea")
    tab_to(page, box)
    expect(box).to_have_accessible_name("Question")
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    expect(log.locator(FINAL)).to_be_visible()

    chip = page.locator("#qa-chat").get_by_role("link", name=chip_name(first)).first
    tab_to(page, chip, backwards=True)
    passage = page.get_by_role("region", name="Article").locator("mark.qa-highlight")
    back = page.get_by_role("button", name="Back to the answer")
    round_trip(page, chip, passage, first.quote, back)
    buttons_show_focus(page, ["Ask", "New chat", "Copy answer"])


def test_widget_by_keyboard_alone(page: Page, live_server: str, cited: tuple[str, Answer]) -> None:
    question, expected = cited
    first = expected.citations[cited_numbers(expected)[0] - 1]
    page.goto(f"{live_server}/widget", wait_until="domcontentloaded")
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")

    box = page.get_by_role("textbox", name="Question")
    expect(box).to_be_editable()
    tab_to(page, box)
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    expect(page.locator("#log .msg.bot")).not_to_have_class(re.compile(r"\bpending\b"))

    chip = page.locator("#log").get_by_role("button", name=chip_name(first)).first
    tab_to(page, chip, backwards=True)
    dialog = page.get_by_role("dialog", name=first.title)
    close = dialog.get_by_role("button", name="Close the article")
    round_trip(page, chip, dialog.locator("mark"), first.quote, close, closes=dialog)
    buttons_show_focus(page, ["Ask", "New chat"])


# -- a phone-sized screen -------------------------------------------------------------------------
def assert_fits(page: Page, text: Locator) -> None:
    width = PHONE["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width} px wide on a {width} px screen"
    box = text.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, f"the answer overflows: {box}"


def test_chat_and_widget_fit_a_phone(
    new_page, live_server: str, cited: tuple[str, Answer], screenshots: Path
) -> None:
    question, _ = cited
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    open_chat(page, live_server)
    message = chat_ask(page, question)
    message.scroll_into_view_if_needed()
    assert_fits(page, message.locator(".qa-text"))
    page.screenshot(path=str(screenshots / "chat-390.png"))

    page.goto(f"{live_server}/widget", wait_until="domcontentloaded")
    message = widget_ask(page, question)
    assert_fits(page, message.locator(".text"))
    page.screenshot(path=str(screenshots / "widget-390.png"))


@pytest.mark.parametrize(
    "state, markup",
    [
        ("login page", lambda: login_page("The token is wrong.", "/widget?theme=dark").body.decode()),
        ("chat starting page", lambda: STARTING_PAGE),
        ("chat failed page", lambda: failed_page("RuntimeError: <no theme>")),
    ],
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pages_around_the_chat_pass_axe_in_the_readers_color_scheme(
    new_page, state: str, markup: Callable[[], str], scheme: str, axe_js: Path
) -> None:
    page = new_page(color_scheme=scheme)
    page.set_content(markup())
    assert_background(page, dark=scheme == "dark", why=f"the {state} ignores prefers-color-scheme: {scheme}")
    check_axe(page, f"{state} ({scheme})", axe_js)
