"""Serving: one uvicorn process for the chat, the widget and the API, indexing in the background meanwhile.

The API answers first: the server listens as soon as the API is built, and
the chat (Gradio: seconds to import) is mounted once the index is up to date
and the model warm (qa.web.chat_slot). With ``workers`` above 1 the API and
the widget get processes of their own (qa.web.workers) and this process
keeps the chat.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from qa.config import Settings
from qa.engine import Engine
from qa.web.app import create_app
from qa.web.chat_slot import ChatSlot
from qa.web.middleware import access_log_config

# Mounts the chat on the app; given by the caller, so that Gradio is imported
# only when it runs.
AddChat = Callable[[FastAPI, Engine, Settings], object]

# How long a thread may hold the GIL while another wants it (Python's default
# is 5 ms). A question's embedding, dense ranking and socket writes run without
# the GIL; each then waits for it behind whichever request thread is scoring,
# for up to this long. With the default, 20 concurrent clients got 150
# answers a second on two cores; at 0.2 ms, 190-200, with the same single-
# question latency (bench/load.py).
SWITCH_INTERVAL_S = 0.0002


def serve(settings: Settings, add_chat: AddChat) -> None:
    """Serve the API, the widget and (once mounted by ``add_chat``) the chat on ``settings.host:settings.port``."""
    if settings.workers != 1:
        from qa.web import workers

        workers.serve(settings, add_chat)
        return
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    engine = Engine(settings)
    app = create_app(engine, settings)
    slot = ChatSlot(app)
    url = f"http://{settings.host}:{settings.port}"
    print(f"Chat {url}/   widget {url}/widget   API docs {url}/docs", flush=True)
    print(
        f"Bringing the index of {settings.corpus} in {settings.index_dir} up to date…"
        if engine.has_usable_index()
        else f"Building the index of {settings.corpus} in {settings.index_dir}; until it is ready, the chat says it is indexing…",
        flush=True,
    )
    build = engine.start_background_build()
    start = threading.Thread(target=_start, args=(engine, build, slot, lambda app: add_chat(app, engine, settings)), name="chat-start", daemon=True)
    start.start()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", log_config=access_log_config())


def _start(engine: Engine, build: threading.Thread, slot: ChatSlot, mount: Callable[[FastAPI], object]) -> None:
    """Report the index, warm the model, and mount the chat: the API answers all the while.

    With an index, the chat is mounted last, so that the first question does
    not wait behind Gradio's import. Without one, the first build takes a
    while, and the chat, mounted at once, shows that it is indexing.
    """
    first_build = engine.building
    chat = _mount(slot, mount) if first_build else False
    build.join()
    if engine.build_error is not None:
        if not engine.has_usable_index():
            print(f"Indexing failed: {engine.build_error}", file=sys.stderr, flush=True)
        else:
            print(f"Re-indexing failed; answering from the previous index: {engine.build_error}", file=sys.stderr, flush=True)
    elif engine.last_build is not None:
        print(engine.last_build.summary(), flush=True)
    if engine.has_usable_index():
        # Load the embedding model now, not on the first visitor's question.
        engine.embedder.embed_query("warm-up")
    if not first_build:
        chat = _mount(slot, mount)
    if chat and engine.has_usable_index():
        print("Ready for questions.", flush=True)


def _mount(slot: ChatSlot, mount: Callable[[FastAPI], object]) -> bool:
    try:
        slot.fill(mount)
        return True
    except Exception as exc:  # the API goes on; "/" says why there is no chat
        print(f"The chat could not start: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return False
