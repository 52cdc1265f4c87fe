"""Serving from several processes: the API and the widget in ``workers`` processes, the chat in one beside them.

    qa serve --workers 3      the chat on port (7860); the API and the widget on api_port (7861), three processes
    python -m qa.web.workers  the API and widget processes alone, with the settings in QA_* variables

A process runs Python on one core at a time, so one process answers about as
many questions a second as one core can score. The API and the widget keep
nothing between requests, so any process can answer any of them: uvicorn
starts ``workers`` processes on one listening socket, and restarts one that
dies. The chat keeps each conversation and Gradio's queue in its process, so
it stays in one (behind a load balancer, several chat processes need sticky
sessions).

``qa serve`` brings the index up to date first, in its own process (the one
writer), and only then starts the API processes, which only read: each opens
the index and loads the embedding model once, before its first request. A
re-index (``qa index``) switches the manifest to a new generation, which every
process takes up at its next question (qa.engine.Engine.reader).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from qa.config import Settings
from qa.errors import QAError, SettingsError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from qa.engine import Engine

# Loading the model and the index under a busy CPU can keep a new process
# from answering uvicorn's health check for longer than its 5 s default,
# and a process that misses it is killed and started again.
HEALTHCHECK_SECONDS = 60
STOP_SECONDS = 20
WORKER_HEADER = b"x-worker-pid"
log = logging.getLogger("uvicorn.error")


def api_port(settings: Settings) -> int:
    """Where the API processes listen: ``api_port``, or the port after the chat's."""
    return settings.api_port or settings.port + 1


def check(settings: Settings) -> None:
    if settings.workers < 1:
        raise SettingsError(f"workers is {settings.workers}; it must be 1 or more.", "Use --workers 2 (or more) for several API processes.")
    if settings.workers > 1 and api_port(settings) == settings.port:
        raise SettingsError(
            f"The chat and the API processes cannot share port {settings.port}.",
            "Give the API processes another port with --api-port (or leave it 0 for port + 1).",
        )


# -- in each API process ----------------------------------------------------------
def create_worker_app() -> FastAPI:
    """The API and the widget over an engine of their own; uvicorn calls this once in each process.

    The settings come from the environment (``QA_*``), where ``qa serve``
    put them. The index is opened and the model loaded here, before the
    process takes its first request.
    """
    from qa.engine import Engine
    from qa.web.app import create_app
    from qa.web.server import SWITCH_INTERVAL_S

    from tqdm import tqdm

    settings = Settings.load()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    # bm25s opens a (disabled) progress bar per search, and tqdm's first bar
    # makes an inter-process lock, which a process uvicorn started leaves
    # behind: its supervisor then warns of a "leaked semaphore" at every stop.
    tqdm.set_lock(threading.RLock())
    engine = Engine(settings)
    try:
        engine.reader()
        engine.embedder.embed_query("warm-up")
    except QAError as exc:
        from uvicorn.config import STARTUP_FAILURE

        # This exit status stops uvicorn's supervisor instead of restarting the process in a loop.
        log.error("API process %d cannot answer: %s %s", os.getpid(), exc.message, exc.hint)
        sys.exit(STARTUP_FAILURE)
    stop_when_orphaned(os.getppid())
    app = create_app(engine, settings)
    app.add_middleware(WorkerPid)
    return app


class WorkerPid:
    """Names the process that answered in an ``X-Worker-PID`` header (which of several, when tracing a request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pid = str(os.getpid()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_pid(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (WORKER_HEADER, self.pid)]
            await send(message)

        await self.app(scope, receive, send_with_pid)


def stop_when_orphaned(parent: int) -> None:
    """End this process (as SIGTERM does, gracefully) once ``parent`` has gone, so none outlives a killed ``qa serve``."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# -- the supervisor of the API processes -----------------------------------------
def run(settings: Settings) -> None:
    """Serve the API and the widget from ``settings.workers`` processes on ``api_port``; returns when they stop."""
    import uvicorn

    from qa.web.middleware import access_log_config

    check(settings)
    uvicorn.run(
        f"{__name__}:create_worker_app",
        factory=True,
        host=settings.host,
        port=api_port(settings),
        workers=settings.workers,
        log_level="info",
        log_config=access_log_config(),
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Serve the HTTP API and the widget from several processes (settings from QA_* variables).")
    p.add_argument("--parent", type=int, help="stop when the process with this id ends (qa serve passes its own)")
    args = p.parse_args(argv)
    try:
        settings = Settings.load()
        if args.parent:
            stop_when_orphaned(args.parent)
        run(settings)
    except QAError as exc:
        sys.exit(f"error: {exc.message}\nhint: {exc.hint}" if exc.hint else f"error: {exc.message}")


# -- qa serve --workers N ------------------------------------------------------------
def serve(settings: Settings, build_app: Callable[[Engine, Settings], ASGIApp]) -> None:
    """Index once, start the API processes, then serve the chat in this process until stopped."""
    import uvicorn

    from qa.engine import Engine
    from qa.web.middleware import access_log_config
    from qa.web.server import SWITCH_INTERVAL_S

    check(settings)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    engine = Engine(settings)
    print(f"Bringing the index of {settings.corpus} in {settings.index_dir} up to date before starting the API processes…", flush=True)
    try:
        print(engine.build(progress=True).summary(), flush=True)
    except Exception as exc:
        if not engine.has_usable_index():
            raise
        print(f"Re-indexing failed; answering from the previous index: {exc}", file=sys.stderr, flush=True)
    engine.embedder.embed_query("warm-up")
    port = api_port(settings)
    env = {**os.environ, **settings.environment(), "QA_API_PORT": str(port)}
    supervisor = subprocess.Popen([sys.executable, "-m", __name__, "--parent", str(os.getpid())], env=env)
    stopping = threading.Event()
    threading.Thread(target=_stop_with, args=(supervisor, stopping), name="api-watch", daemon=True).start()
    try:
        app = build_app(engine, settings)
        chat, api = f"http://{settings.host}:{settings.port}", f"http://{settings.host}:{port}"
        print(f"Chat {chat}/ (one process)   widget {api}/widget   API {api}/api/ and docs {api}/docs ({settings.workers} processes)", flush=True)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", log_config=access_log_config())
    finally:
        stopping.set()
        _stop(supervisor)


def _stop_with(supervisor: subprocess.Popen, stopping: threading.Event) -> None:
    """Stop the chat if the API processes end on their own: a half-running deployment would hide the failure."""
    code = supervisor.wait()
    if not stopping.is_set():
        print(f"The API processes stopped (exit status {code}; see the messages above); stopping the chat.", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)


def _stop(supervisor: subprocess.Popen) -> None:
    if supervisor.poll() is None:
        supervisor.terminate()  # uvicorn's supervisor passes it on to every API process and waits for them
        try:
            supervisor.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait()


if __name__ == "__main__":
    main()
