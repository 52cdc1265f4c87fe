"""Serving from several processes: the API and the widget in ``workers`` processes, the chat in one beside them.

    qa serve --workers 3      the chat on port (7860); the API and the widget on api_port (7861), three processes
    python -m qa.web.workers  one API process on api_port, settings from QA_* variables (start several to share it)

A process runs Python on one core at a time, so one process answers only as
many questions a second as one core can score. The API and the widget keep
nothing between requests, so any process can answer any of them. The chat
keeps each conversation and Gradio's queue in its process, so it stays in
one (behind a load balancer, several chat processes need sticky sessions).

Each API process listens on a socket of its own, all bound to one port with
``SO_REUSEPORT``: the kernel spreads new connections over them. (On one
shared socket, as uvicorn's ``workers=`` has it, the first process to wake
takes every connection waiting, so a burst of clients lands on one process:
16 of 20 in bench/load.py.) ``qa serve`` brings the index up to date first,
in its own process (the one writer), and only then starts the API processes,
which only read: each opens the index and loads the embedding model once,
before it listens. It starts another in place of one that dies. A re-index
(``qa index``) switches the manifest to a new generation, which every process
takes up at its next question (qa.engine.Engine.reader).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from qa.concurrency import limit_blas_threads
from qa.config import Settings
from qa.errors import QAError, SettingsError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from qa.web.server import AddChat

CANNOT_START = 3  # the exit status of an API process that cannot answer at all (uvicorn's STARTUP_FAILURE)
STOP_SECONDS = 20
RESTART_DELAY_S = 1.0
# A process that keeps ending this soon after it started is failing to start (a crash on import,
# say), not dying in service: after this many in a row, stop rather than start one a second.
QUICK_EXIT_S = 60.0
QUICK_EXITS = 3
WORKER_HEADER = b"x-worker-pid"


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


# -- one API process ------------------------------------------------------------------
def worker_app(settings: Settings) -> FastAPI:
    """The API and the widget over an engine of their own, with the index open and the model loaded."""
    from tqdm import tqdm

    from qa.engine import Engine
    from qa.web.app import create_app
    from qa.web.server import SWITCH_INTERVAL_S

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    # bm25s opens a (disabled) progress bar per search, and tqdm's first bar
    # makes a named semaphore, watched by a helper process that warns of a
    # "leaked semaphore" at every stop. No progress bar here is shared with
    # another process, so a thread lock does.
    tqdm.set_lock(threading.RLock())
    engine = Engine(settings)
    engine.reader()
    engine.embedder.embed_query("warm-up")
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


def shared_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` beside the other API processes' (``SO_REUSEPORT``)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def serve_one(settings: Settings) -> None:
    """Serve the API and the widget from this process on ``api_port``, shared with the others; returns when stopped."""
    import uvicorn

    from qa.web.middleware import access_log_config

    try:
        app = worker_app(settings)
    except QAError as exc:
        print(f"API process {os.getpid()} cannot answer: {exc.message} {exc.hint}", file=sys.stderr, flush=True)
        sys.exit(CANNOT_START)
    try:
        sock = shared_socket(settings.host, api_port(settings))
    except OSError as exc:
        print(f"API process {os.getpid()} cannot listen on {settings.host}:{api_port(settings)}: {exc}", file=sys.stderr, flush=True)
        sys.exit(CANNOT_START)
    config = uvicorn.Config(app, host=settings.host, port=api_port(settings), log_level="info", log_config=access_log_config())
    uvicorn.Server(config).run(sockets=[sock])


def stop_when_orphaned(parent: int) -> None:
    """End this process (as SIGTERM does, gracefully) once ``parent`` has gone, so none outlives a killed ``qa serve``."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Serve the HTTP API and the widget from this process, on a port it shares with the others (settings from QA_* variables).")
    p.add_argument("--parent", type=int, help="stop when the process with this id ends (qa serve passes its own)")
    args = p.parse_args(argv)
    try:
        settings = Settings.load()
    except QAError as exc:
        sys.exit(f"error: {exc.message}\nhint: {exc.hint}" if exc.hint else f"error: {exc.message}")
    if args.parent:
        stop_when_orphaned(args.parent)
    limit_blas_threads()
    serve_one(settings)


# -- qa serve --workers N ------------------------------------------------------------
class Pool:
    """``settings.workers`` API processes, kept at that number until :meth:`stop`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = {**os.environ, **settings.environment(), "QA_API_PORT": str(api_port(settings))}
        self.processes: list[subprocess.Popen] = []
        self.started: list[float] = []
        self.quick_exits: list[int] = []
        self.stopping = threading.Event()
        self.failed = threading.Event()

    def start(self, on_failure: Callable[[], None]) -> None:
        self.processes = [self._spawn() for _ in range(self.settings.workers)]
        self.started = [time.monotonic()] * len(self.processes)
        self.quick_exits = [0] * len(self.processes)
        threading.Thread(target=self._keep, args=(on_failure,), name="api-processes", daemon=True).start()

    def _spawn(self) -> subprocess.Popen:
        # A session of its own: Ctrl-C in the terminal reaches qa serve, which then
        # stops the API processes, rather than reaching them all at once (when
        # one ending first would look like one that died).
        command = [sys.executable, "-m", __name__, "--parent", str(os.getpid())]
        return subprocess.Popen(command, env=self.env, start_new_session=True)

    def _keep(self, on_failure: Callable[[], None]) -> None:
        while not self.stopping.wait(RESTART_DELAY_S):
            for i, process in enumerate(self.processes):
                code = process.poll()
                if code is None or self.stopping.is_set():
                    continue
                quick = time.monotonic() - self.started[i] < QUICK_EXIT_S
                self.quick_exits[i] = self.quick_exits[i] + 1 if quick else 0
                if code == CANNOT_START or self.quick_exits[i] >= QUICK_EXITS:
                    # Another would fail the same way; a deployment without its API should stop, visibly.
                    print("An API process could not start (see above); stopping.", file=sys.stderr, flush=True)
                    self.failed.set()
                    on_failure()
                    return
                print(f"API process {process.pid} ended (exit status {code}); starting another.", file=sys.stderr, flush=True)
                self.processes[i], self.started[i] = self._spawn(), time.monotonic()

    def stop(self) -> None:
        self.stopping.set()
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def ensure_free(host: str, port: int) -> None:
    """Refuse a port something else listens on: with SO_REUSEPORT, another deployment's processes would share it silently."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise SettingsError(
                f"Port {port} on {host} is taken ({exc.strerror}).",
                "Stop what listens there, or give the API processes another port with --api-port.",
            ) from None


def serve(settings: Settings, add_chat: AddChat) -> None:
    """Index once, start the API processes, then serve the chat in this process until stopped."""
    import uvicorn

    from qa.engine import Engine
    from qa.web.app import create_app
    from qa.web.middleware import access_log_config
    from qa.web.server import SWITCH_INTERVAL_S

    check(settings)
    ensure_free(settings.host, api_port(settings))
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
    pool = Pool(settings)
    pool.start(on_failure=lambda: os.kill(os.getpid(), signal.SIGTERM))  # uvicorn stops the chat on SIGTERM
    try:
        app = create_app(engine, settings)
        add_chat(app, engine, settings)
        chat, api = f"http://{settings.host}:{settings.port}", f"http://{settings.host}:{api_port(settings)}"
        print(f"Chat {chat}/ (one process)   widget {api}/widget   API {api}/api/ and docs {api}/docs ({settings.workers} processes)", flush=True)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", log_config=access_log_config())
    finally:
        pool.stop()
    if pool.failed.is_set():
        sys.exit(CANNOT_START)


if __name__ == "__main__":
    main()
