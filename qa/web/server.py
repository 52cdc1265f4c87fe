"""Serving: one uvicorn process for the chat, the widget and the API, indexing in the background meanwhile.

With ``workers`` above 1 the API and the widget get processes of their own
(qa.web.workers) and this process keeps the chat.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

from qa.config import Settings
from qa.engine import Engine
from qa.web.middleware import access_log_config

# How long a thread may hold the GIL while another wants it (Python's default
# is 5 ms). A question's embedding, Chroma query and socket writes run without
# the GIL; each then waits for it behind whichever request thread is scoring,
# for up to this long. With the default, 20 concurrent clients got 150
# answers a second on two cores; at 0.2 ms, 190-200, with the same single-
# question latency (bench/load.py).
SWITCH_INTERVAL_S = 0.0002


def serve(settings: Settings, build_app: Callable[[Engine, Settings], ASGIApp]) -> None:
    """Serve ``build_app``'s app on ``settings.host:settings.port``, indexing in the background if needed."""
    if settings.workers != 1:
        from qa.web import workers

        workers.serve(settings, build_app)
        return
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
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", log_config=access_log_config())


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
