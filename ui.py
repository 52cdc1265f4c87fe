"""The chat: a Gradio page mounted beside the HTTP API and the widget (one process, one port).

    python ui.py [--host 127.0.0.1] [--port 7860]      (or: qa serve)

    /           the chat            /widget     the embeddable chat
    /api/...    the JSON API        /docs       its OpenAPI documentation

Answers stream into the chat; their ``[n]`` markers become chips that open
the cited article with the passage marked, beside a sources panel. Every
string from a user or an article goes through qa.markup, which escapes it,
and the chat renders messages without Markdown.
"""

from __future__ import annotations

import argparse
import html
import os
import secrets
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from qa import feedback, markup
from qa.api import create_app, ensure_ready, error_response, request_token
from qa.cli import render
from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError
from qa.types import Answer, Citation
from qa.widget import frame_ancestors

# Shown in the empty chat when the corpus is the bundled seed articles.
SEED_EXAMPLES = [
    "When did Russia join the space station program?",
    "Who is the head of Roscosmos in the 2025 articles?",
    "What did Rogozin say about sanctions?",
    "Why are the US and Russia bound to cooperate in space?",
]
# Gradio's default for how many runs of one event may overlap is 1: every
# visitor would wait for every other. The engine is thread-safe.
CONCURRENT_ANSWERS = 16
STATUS_POLL_SECONDS = 2.0


@dataclass
class Turn:
    """One exchange of the conversation: the question and what came back."""

    question: str
    html: str = ""
    answer: Answer | None = None


# -- the page ------------------------------------------------------------------
def chat_blocks(engine: Engine, settings: Settings) -> gr.Blocks:
    examples = [{"text": q} for q in SEED_EXAMPLES] if Path(settings.corpus).name == "seeds" else None
    with gr.Blocks(title="Ask the articles") as demo:
        turns = gr.State([])
        pending = gr.State(None)  # (turn, verdict, feedback id) awaiting an optional comment
        gr.HTML(HEADER, elem_id="qa-header")
        status = gr.HTML(markup.status_html(engine.stats()), elem_id="qa-status")
        timer = gr.Timer(STATUS_POLL_SECONDS, active=engine.building)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="qa-chat",
                    label="Chat",
                    show_label=False,
                    height=540,
                    render_markdown=False,  # messages are HTML built by qa.markup; see the module docstring
                    buttons=[],
                    examples=examples,
                    placeholder="Ask about the articles. Every answer quotes the sentences it comes from.",
                )
                question = gr.Textbox(
                    elem_id="qa-question",
                    show_label=False,
                    placeholder="Ask a question about the articles…",
                    submit_btn="Ask",
                    max_lines=4,
                )
                modes = available_modes(engine)
                mode = gr.Radio(
                    modes,
                    value=settings.mode if settings.mode in modes else "extractive",
                    label="Answers",
                    info="extractive: the articles' own sentences; llm: written by the model, every sentence checked against its citation",
                    visible=len(modes) > 1,
                    elem_id="qa-mode",
                )
                with gr.Row():
                    new_chat = gr.Button("New chat", size="sm", elem_id="qa-new-chat")
                    copy = gr.Button("Copy answer", size="sm", elem_id="qa-copy")
                with gr.Group(visible=False, elem_id="qa-feedback") as feedback_box:
                    feedback_label = gr.Markdown()
                    comment = gr.Textbox(label="Comment (optional)", lines=2, elem_id="qa-feedback-comment")
                    send_comment = gr.Button("Send comment", size="sm", elem_id="qa-feedback-send")
            with gr.Column(scale=2):
                sources = gr.HTML(markup.empty_sources_html(), elem_id="qa-sources", max_height=360)
                article = gr.HTML(
                    markup.empty_article_html(), elem_id="qa-article", max_height=480, js_on_load=CITATION_BRIDGE_JS
                )
        copy_text = gr.Textbox(visible=False)

        # -- handlers --------------------------------------------------------------
        def respond(text: str, conversation: list[Turn], mode_name: str | None = None) -> Iterator[tuple[Any, ...]]:
            text = (text or "").strip()
            if not text:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            history = [t.question for t in conversation]
            turn = Turn(question=text, html=markup.pending_html(""))
            conversation = [*conversation, turn]
            n = len(conversation) - 1
            yield "", _messages(conversation), conversation, gr.skip(), gr.skip()
            try:
                ensure_ready(engine)
                streamed = ""
                for event in engine.stream(text, history, mode=mode_name or None):
                    if event.kind == "token":
                        streamed += event.text
                        turn.html = markup.pending_html(streamed)
                        yield gr.skip(), _messages(conversation), conversation, gr.skip(), gr.skip()
                    elif event.answer is not None:
                        turn.answer = event.answer
            except QAError as exc:
                turn.html = markup.notice_html(exc.message, exc.hint)
                yield gr.skip(), _messages(conversation), conversation, gr.skip(), ""
                return
            if turn.answer is None:
                turn.html = markup.notice_html("No answer came back.", "Try again.")
                yield gr.skip(), _messages(conversation), conversation, gr.skip(), ""
                return
            turn.html = markup.answer_html(turn.answer, n)
            panel = markup.sources_html(turn.answer, n, _texts(engine, turn.answer.citations))
            yield gr.skip(), _messages(conversation), conversation, panel, render(turn.answer)

        def open_citation(conversation: list[Turn], evt: gr.EventData) -> str:
            found = _citation(conversation, str(getattr(evt, "cite", "")))  # sent by CITATION_BRIDGE_JS
            if found is None:
                return markup.empty_article_html("That citation is not part of this conversation any more.")
            try:
                return markup.article_html(engine.document(found.source), found)
            except (QAError, OSError) as exc:
                return markup.empty_article_html(f"The article could not be opened: {exc}")

        def on_like(conversation: list[Turn], evt: gr.LikeData) -> tuple[Any, ...]:
            index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            turn = conversation[index // 2] if 0 <= index // 2 < len(conversation) else None
            if turn is None or turn.answer is None or not isinstance(evt.liked, bool):
                return None, gr.Group(visible=False), gr.skip(), gr.skip()
            verdict: feedback.Verdict = "up" if evt.liked else "down"
            entry = feedback.record(settings.feedback_file, turn.answer, verdict)
            thanks = "Thanks! Saved as helpful." if evt.liked else "Thanks! Saved as not helpful."
            return (index // 2, verdict, entry["id"]), gr.Group(visible=True), f"{thanks} Anything to add?", ""

        def on_comment(
            staged: tuple[int, feedback.Verdict, str] | None, note: str, conversation: list[Turn]
        ) -> tuple[Any, ...]:
            if staged is not None and note.strip():
                turn_index, verdict, feedback_id = staged
                answer = conversation[turn_index].answer
                if answer is not None:
                    feedback.record(settings.feedback_file, answer, verdict, note, feedback_id)
                    gr.Info("Comment saved.")
            return None, gr.Group(visible=False), ""

        def refresh_status() -> tuple[str, gr.Timer]:
            return markup.status_html(engine.stats()), gr.Timer(active=engine.building)

        def new_conversation() -> tuple[Any, ...]:
            return [], [], markup.empty_sources_html(), markup.empty_article_html(), "", None, gr.Group(visible=False)

        # -- wiring ----------------------------------------------------------------
        private: dict[str, Any] = {"api_visibility": "private"}
        answer_outputs = [question, chatbot, turns, sources, copy_text]
        question.submit(respond, [question, turns, mode], answer_outputs, **private)
        chatbot.example_select(_example_text, None, question, **private).then(
            respond, [question, turns, mode], answer_outputs, **private
        )
        article.click(open_citation, [turns], [article], **private)
        chatbot.like(on_like, [turns], [pending, feedback_box, feedback_label, comment], **private)
        send_comment.click(on_comment, [pending, comment, turns], [pending, feedback_box, comment], **private)
        conversation_outputs = [chatbot, turns, sources, article, copy_text, pending, feedback_box]
        new_chat.click(new_conversation, None, conversation_outputs, **private)
        chatbot.clear(new_conversation, None, conversation_outputs, **private)
        copy.click(None, [copy_text], None, js=COPY_JS, **private)
        timer.tick(refresh_status, None, [status, timer], **private)
        demo.load(refresh_status, None, [status, timer], **private)

        def ask(question: str, history: list[str] | None = None, mode: str | None = None) -> dict[str, Any]:
            """Answer a question from the articles.

            history: the conversation's earlier questions, oldest first.
            mode: "extractive" or "llm" (default: the server's).
            Returns the answer object: answer text with [n] markers, abstained,
            and citations with exact quotes and character offsets.
            """
            try:
                ensure_ready(engine)
                return engine.ask(question, history or [], mode=mode or None).to_dict()
            except QAError as exc:
                raise gr.Error(str(exc)) from None

        gr.api(ask, api_name="ask")
    demo.queue(default_concurrency_limit=CONCURRENT_ANSWERS)
    return demo


def available_modes(engine: Engine) -> list[str]:
    """The answer modes this server can offer: "llm" only when an LLM is configured."""
    modes = ["extractive"]
    s = engine.settings
    if s.llm_backend in {"openai", "ollama", "gguf"} and not (s.llm_model or s.llm_gguf_path):
        # Every built-in backend needs one of these; without them, looking
        # would only import the LLM stack (two seconds of every start).
        return modes
    try:
        engine.answerer("llm")
        modes.append("llm")
    except QAError:
        pass  # no LLM settings: the chat offers extractive answers only
    return modes


def _example_text(evt: gr.SelectData) -> str:
    return str(evt.value.get("text", "")) if isinstance(evt.value, dict) else str(evt.value)


def _messages(conversation: list[Turn]) -> list[dict[str, str]]:
    # Two messages a turn, always: a like on message i belongs to turn i // 2.
    out = []
    for t in conversation:
        out.append({"role": "user", "content": markup.question_html(t.question)})
        out.append({"role": "assistant", "content": t.html})
    return out


def _citation(conversation: list[Turn], ref: str) -> Citation | None:
    parsed = markup.parse_cite_ref(ref)
    if parsed is None:
        return None
    turn_index, n = parsed
    if not 0 <= turn_index < len(conversation) or conversation[turn_index].answer is None:
        return None
    return next((c for c in conversation[turn_index].answer.citations if c.n == n), None)


def _texts(engine: Engine, citations: list[Citation]) -> dict[str, str]:
    """The text of each cited file, to show a quote inside its paragraph."""
    texts = {}
    for source in {c.source for c in citations}:
        try:
            texts[source] = engine.document(source).text
        except (QAError, OSError):
            pass  # the panel falls back to the quote alone
    return texts


HEADER = """
<div class="qa-header"><h1>Ask the articles</h1>
<p>Answers are built from the articles' own sentences. Click a numbered chip to read the passage in its article.</p></div>
"""

# One listener for every citation link on the page (chat chips, sources
# panel): it hands the link's "#cite-T-N" to the article panel's click event,
# and the panel scrolls to the marked passage whenever it changes.
CITATION_BRIDGE_JS = """
if (window.__qaCiteClick) document.removeEventListener('click', window.__qaCiteClick, true);
window.__qaCiteClick = (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#cite-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  trigger('click', {cite: link.getAttribute('href').slice(1)});
};
document.addEventListener('click', window.__qaCiteClick, true);
watch('value', () => {
  const mark = element.querySelector('mark.qa-highlight');
  if (mark) mark.scrollIntoView({block: 'center'});
});
"""

COPY_JS = """
(text) => {
  if (text) navigator.clipboard.writeText(text);
  return [];
}
"""

# System fonts: the page needs no font files, from this server or any other.
THEME = gr.themes.Default(
    primary_hue="blue",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)

CSS = """
.qa-header h1 { margin: 0; font-size: 1.5rem; }
.qa-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); }
#qa-status .qa-status { padding: 6px 10px; border-radius: 6px; font-size: 13px; }
.qa-status.qa-building { background: #e6f0fb; color: #0b4a8b; }
.qa-status.qa-failed { background: #fdecea; color: #8a1c12; }
.qa-status.qa-ready { color: var(--body-text-color-subdued); }
.qa-chip {
  display: inline-block; min-width: 1.4em; margin: 0 2px; padding: 0 6px; border-radius: 9px;
  background: #e6f0fb; border: 1px solid #b6d0ee; color: #0b5cad !important; font-size: 0.75em; font-weight: 600;
  line-height: 1.6; text-align: center; text-decoration: none !important; vertical-align: 0.1em; cursor: pointer;
}
.qa-chip:hover { background: #cfe2f7; }
.qa-text { margin: 0; white-space: pre-wrap; }
.qa-abstained { border-left: 4px solid #d4a72c; padding-left: 10px; font-style: italic; }
.qa-error { border-left: 4px solid #d1242f; padding-left: 10px; }
.qa-badge { font-size: 0.7em; font-weight: 700; letter-spacing: .05em; text-transform: uppercase; color: #9a6700; font-style: normal; }
.qa-error .qa-badge { color: #b42318; }
.qa-hint, .qa-note, .qa-muted { color: var(--body-text-color-subdued); font-size: 0.9em; margin: 4px 0 0; }
.qa-pending .qa-text::after { content: "▍"; opacity: .6; }
.qa-question { white-space: pre-wrap; }
.qa-sources h3, .qa-article h3 { margin: 0 0 6px; font-size: 1rem; }
.qa-sources ol { list-style: none; margin: 0; padding: 0; }
.qa-source { padding: 8px 0; border-top: 1px solid var(--border-color-primary); }
.qa-source-title { font-weight: 600; text-decoration: none; }
.qa-source-title:hover { text-decoration: underline; }
.qa-meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
.qa-kind { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 0.8em; background: #eef1f4; }
.qa-kind-comment { background: #fdecea; color: #8a1c12; }
.qa-kind-related { background: #eef6ee; color: #1a5e20; }
.qa-context { margin: 4px 0 0; font-size: 0.92em; }
.qa-closest .qa-source { opacity: .85; }
#qa-article { border: 1px solid var(--border-color-primary); border-radius: 8px; }
.qa-article-head { position: sticky; top: 0; background: var(--block-background-fill); padding: 8px 10px 6px; border-bottom: 1px solid var(--border-color-primary); }
.qa-article.qa-empty { padding: 8px 10px; }
.qa-article-text { padding: 6px 10px; white-space: pre-wrap; font-size: 0.92em; line-height: 1.5; }
mark { background: #ffe58a; color: inherit; padding: 1px 0; border-radius: 2px; }
"""


# -- serving -------------------------------------------------------------------
def build_app(engine: Engine, settings: Settings) -> FastAPI:
    """The API, the widget and the chat on one FastAPI app."""
    app = create_app(engine, settings)
    app.add_middleware(FramedOnlyBy, directive=frame_ancestors(settings.allowed_origins))
    if settings.api_token:
        app.add_middleware(TokenRequired, token=settings.api_token)
    return gr.mount_gradio_app(
        app,
        chat_blocks(engine, settings),
        path="/",
        theme=THEME,
        css=CSS,
        footer_links=["api"],
        run_history=False,
    )


class FramedOnlyBy:
    """Tell browsers who may frame the chat: the same origins as the widget.

    Without it any site could show the chat in a frame of its own and lure
    clicks onto it. /widget sets its own, stricter policy, and /api answers
    JSON, which is never framed.
    """

    def __init__(self, app: Any, directive: str) -> None:
        self.app = app
        self.header = (b"content-security-policy", directive.encode("latin-1"))

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else "/api/"
        if path.startswith(("/api/", "/widget")):
            await self.app(scope, receive, send)
            return

        async def with_policy(message: dict) -> None:
            if message["type"] == "http.response.start":
                name, value = self.header
                headers = list(message.get("headers", []))
                for i, (key, old) in enumerate(headers):
                    if key.lower() == name:  # keep a policy Gradio sets, and add ours to it
                        headers[i] = (key, old + b"; " + value)
                        break
                else:
                    headers.append(self.header)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_policy)


class TokenRequired:
    """With an API token set, the chat and Gradio's own API need it too.

    /api and /widget check the token themselves. Everything else (the chat
    page, its assets and queue, the ``ask`` endpoint of gradio_client,
    /docs) needs it as a Bearer header, as ``?token=`` or as the cookie
    set when the chat is first opened with ``?token=``: the page's own
    later requests carry no query string.
    """

    COOKIE = "qa_token"

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(("/api/", "/widget")):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request_token(request) or unquote(request.cookies.get(self.COOKIE, ""))
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            await self._refuse(scope, receive, send, request, bool(given))
            return
        if not secrets.compare_digest(request.query_params.get("token", "").encode(), self.token.encode()):
            await self.app(scope, receive, send)
            return
        cookie = f"{self.COOKIE}={quote(self.token, safe='')}; Path=/; HttpOnly; SameSite=Lax".encode("latin-1")

        async def remembering(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        await self.app(scope, receive, remembering)

    async def _refuse(self, scope: dict, receive: Any, send: Any, request: Request, wrong: bool) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        message = "The token is wrong." if wrong else "This server requires an access token."
        hint = "Open the chat as /?token=TOKEN, or send 'Authorization: Bearer TOKEN'."
        if "text/html" in request.headers.get("accept", ""):
            page = f"<!doctype html><title>Access token needed</title><p>{html.escape(message)}</p><p>{html.escape(hint)}</p>"
            response: Any = HTMLResponse(page, status_code=401)
        else:
            response = error_response(401, message, hint)
        await response(scope, receive, send)


# How long a thread may hold the GIL while another wants it (Python's default
# is 5 ms). A question's embedding, Chroma query and socket writes run without
# the GIL; each then waits for it behind whichever request thread is scoring,
# for up to this long. With the default, 20 concurrent clients got 150
# answers a second on two cores; at 0.2 ms, 190-200, with the same single-
# question latency (bench/load.py).
SWITCH_INTERVAL_S = 0.0002


def serve(settings: Settings) -> None:
    """Serve everything on ``settings.host:settings.port``, indexing in the background if needed."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    engine = Engine(settings)
    app = build_app(engine, settings)
    url = f"http://{settings.host}:{settings.port}"
    print(f"Chat {url}/   widget {url}/widget   API docs {url}/docs", flush=True)
    print(
        f"Bringing the index of {settings.corpus} in {settings.index_dir} up to date (with none yet, the chat says it is indexing)…",
        flush=True,
    )
    build = engine.start_background_build()
    threading.Thread(target=_report_build, args=(engine, build), name="index-report", daemon=True).start()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


def _report_build(engine: Engine, build: threading.Thread) -> None:
    build.join()
    if engine.build_error is not None:
        if not engine.has_usable_index():
            print(f"Indexing failed: {engine.build_error}", file=sys.stderr, flush=True)
            return
        print(f"Re-indexing failed; answering from the previous index: {engine.build_error}", file=sys.stderr, flush=True)
    elif engine.last_build is not None:
        print(engine.last_build.summary(), flush=True)
    # Load the embedding model now, not on the first visitor's question.
    engine.embedder.embed_query("warm-up")
    print("Ready for questions.", flush=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Serve the chat, the widget and the HTTP API.")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1, or QA_HOST)")
    p.add_argument("--port", type=int, help="port (default 7860, or QA_PORT)")
    args = p.parse_args(argv)
    try:
        serve(Settings.load({"host": args.host, "port": args.port}))
    except QAError as exc:
        sys.exit(f"error: {exc.message}\nhint: {exc.hint}" if exc.hint else f"error: {exc.message}")


if __name__ == "__main__":
    main()
