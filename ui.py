"""The chat: a Gradio page mounted beside the HTTP API and the widget (one process, one port).

    python ui.py [--host 127.0.0.1] [--port 7860]      (or: qa serve)
    python ui.py --workers 3 [--api-port 7861]        the API and the widget in three processes of their own

    /           the chat            /widget     the embeddable chat
    /api/...    the JSON API        /docs       its OpenAPI documentation

This module is the page: its layout and its handlers. The app it is
mounted on, the middleware and the server are qa.web's; its CSS and
scripts are files in qa/web/static.

Answers stream into the chat; their ``[n]`` markers become chips that open
the cited article with the passage marked, beside a sources panel. Every
string from a user or an article goes through qa.web.markup, which escapes
it, and the chat renders messages without Markdown.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr
from fastapi import FastAPI

from qa.concurrency import limit_blas_threads
from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError
from qa.examples import load_examples
from qa.render import render
from qa.types import Answer, Citation
from qa.web import STATIC, feedback, markup, server
from qa.web.api import ensure_ready
from qa.web.app import create_app, mount_chat

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
    trace: dict[str, Any] | None = None


# -- the page ------------------------------------------------------------------
def chat_blocks(engine: Engine, settings: Settings) -> gr.Blocks:
    # Shown in the empty chat: the corpus's own examples (qa.examples), if it has any.
    examples = [{"text": e.question} for e in load_examples(Path(settings.corpus))] or None
    # "Why this answer?" shows retrieved passages and scores: for operators only. With
    # api_token set, only token holders reach the chat at all, so it is shown then and only then.
    explaining = bool(settings.api_token)
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
                    render_markdown=False,  # messages are HTML built by qa.web.markup; see the module docstring
                    buttons=[],
                    examples=examples,
                    placeholder="Ask about the articles. Every answer quotes the sentences it comes from.",
                )
                question = gr.Textbox(
                    elem_id="qa-question",
                    label="Question",  # hidden, but the text box's accessible name
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
                    comment = gr.Textbox(
                        label="Comment (optional)",
                        lines=2,
                        max_length=settings.max_comment_chars,
                        elem_id="qa-feedback-comment",
                    )
                    send_comment = gr.Button("Send comment", size="sm", elem_id="qa-feedback-send")
            with gr.Column(scale=2):
                # No max_height: the panels' own markup scrolls (see qa.web.markup), keyboard included.
                sources = gr.HTML(markup.empty_sources_html(), elem_id="qa-sources")
                article = gr.HTML(markup.empty_article_html(), elem_id="qa-article", js_on_load=CITATION_BRIDGE_JS)
        copy_text = gr.Textbox(visible=False)

        # -- handlers --------------------------------------------------------------
        def respond(text: str, conversation: list[Turn], mode_name: str | None = None) -> Iterator[tuple[Any, ...]]:
            text = (text or "").strip()
            if not text:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            history = [t.question for t in conversation]
            turn = Turn(question=text, html=markup.pending_html(""))
            conversation = [*conversation, turn]
            n = len(conversation) - 1
            yield "", _messages(conversation), conversation, gr.skip(), gr.skip(), gr.skip()
            try:
                ensure_ready(engine)
                if explaining:
                    # One call, so the trace describes exactly the answer shown (no streaming for operators).
                    turn.answer, turn.trace = engine.explain(text, history, mode=mode_name or None)
                streamed = ""
                checking = markup.progress_html()
                for event in () if explaining else engine.stream(text, history, mode=mode_name or None):
                    if event.kind == "token" and not event.verified:
                        # A model's draft: unchecked sentences never reach the screen.
                        if turn.html != checking:
                            turn.html = checking
                            yield gr.skip(), _messages(conversation), conversation, gr.skip(), gr.skip(), gr.skip()
                    elif event.kind == "token":
                        streamed += event.text
                        turn.html = markup.pending_html(streamed)
                        yield gr.skip(), _messages(conversation), conversation, gr.skip(), gr.skip(), gr.skip()
                    elif event.answer is not None:
                        turn.answer = event.answer
            except QAError as exc:
                turn.html = markup.notice_html(exc.message, exc.hint)
                yield gr.skip(), _messages(conversation), conversation, gr.skip(), gr.skip(), ""
                return
            if turn.answer is None:
                turn.html = markup.notice_html("No answer came back.", "Try again.")
                yield gr.skip(), _messages(conversation), conversation, gr.skip(), gr.skip(), ""
                return
            turn.html = markup.answer_html(turn.answer, n)
            if turn.trace is not None:
                turn.html += markup.explain_html(turn.trace)
            panel = markup.sources_html(turn.answer, n, _texts(engine, turn.answer.citations))
            # The article open beside the chat belongs to an earlier answer: the panel goes back to empty.
            yield gr.skip(), _messages(conversation), conversation, panel, markup.empty_article_html(), render(turn.answer)

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
                    try:
                        feedback.record(
                            settings.feedback_file, answer, verdict, note, feedback_id, settings.max_comment_chars
                        )
                    except QAError as exc:  # the box stays open with the comment in it
                        gr.Warning(f"{exc.message} {exc.hint}")
                        return gr.skip(), gr.skip(), gr.skip()
                    gr.Info("Comment saved.")
            return None, gr.Group(visible=False), ""

        def refresh_status() -> tuple[str, gr.Timer]:
            return markup.status_html(engine.stats()), gr.Timer(active=engine.building)

        def new_conversation() -> tuple[Any, ...]:
            return [], [], markup.empty_sources_html(), markup.empty_article_html(), "", None, gr.Group(visible=False)

        # -- wiring ----------------------------------------------------------------
        private: dict[str, Any] = {"api_visibility": "private"}
        answer_outputs = [question, chatbot, turns, sources, article, copy_text]
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

# System fonts: the page needs no font files, from this server or any other.
THEME = gr.themes.Default(
    primary_hue="blue",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
).set(
    # The default grey of secondary text has a contrast of 1.9:1 on white; WCAG AA asks for 4.5:1.
    body_text_color_subdued="*neutral_600",
    # Placeholders say what to type; the defaults are 2.5:1 (light) and 2.9:1 (dark).
    input_placeholder_color="*neutral_500",
    input_placeholder_color_dark="*neutral_400",
    # Links: the defaults' visited (light) and every dark shade fall short of 4.5:1 on their backgrounds.
    link_text_color_visited="*secondary_700",
    link_text_color_dark="*secondary_400",
    link_text_color_active_dark="*secondary_400",
    link_text_color_visited_dark="*secondary_400",
    link_text_color_hover_dark="*secondary_300",
)

CSS = (STATIC / "chat.css").read_text(encoding="utf-8")
CITATION_BRIDGE_JS = (STATIC / "chat_citations.js").read_text(encoding="utf-8")
COPY_JS = (STATIC / "chat_copy.js").read_text(encoding="utf-8")
A11Y_JS = (STATIC / "chat_a11y.js").read_text(encoding="utf-8")


def build_app(engine: Engine, settings: Settings) -> FastAPI:
    """The API, the widget and the chat on one FastAPI app."""
    return add_chat(create_app(engine, settings), engine, settings)


def add_chat(app: FastAPI, engine: Engine, settings: Settings) -> FastAPI:
    """Mount the chat at "/" of ``app`` (qa.web.app.create_app's)."""
    feedback.repair(settings.feedback_file)  # a chat killed mid-write may have left half a line
    return mount_chat(
        app,
        chat_blocks(engine, settings),
        theme=THEME,
        css=CSS,
        js=A11Y_JS,
        footer_links=["api"],
        run_history=False,
    )


def serve(settings: Settings) -> None:
    """Serve the chat, the widget and the API on ``settings.host:settings.port``."""
    server.serve(settings, add_chat)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Serve the chat, the widget and the HTTP API.")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1, or QA_HOST)")
    p.add_argument("--port", type=int, help="port (default 7860, or QA_PORT)")
    p.add_argument("--workers", type=int, help="processes serving the API and the widget (default 1, or QA_WORKERS)")
    p.add_argument("--api-port", type=int, help="their port when --workers is above 1 (default port + 1, or QA_API_PORT)")
    args = p.parse_args(argv)
    limit_blas_threads()
    try:
        serve(Settings.load({"host": args.host, "port": args.port, "workers": args.workers, "api_port": args.api_port}))
    except QAError as exc:
        sys.exit(f"error: {exc.message}\nhint: {exc.hint}" if exc.hint else f"error: {exc.message}")


if __name__ == "__main__":
    main()
