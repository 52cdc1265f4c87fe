"""The chat's place on a running app: a "starting" page until Gradio is mounted there.

Importing Gradio and building the page take seconds, the API needs neither:
``qa serve`` starts listening with the API and the widget, and mounts the chat
from a thread once the engine is warm. Until then every path the API does not
serve answers 503 with a page that reloads itself.

Gradio starts its queue in the app's lifespan, which the server has entered
long before the chat exists. :meth:`ChatSlot.fill` therefore runs the
lifespan that ``gr.mount_gradio_app`` installs (Gradio's part only) on the
server's event loop, in a task of its own that holds it until shutdown, and
only then swaps the starting page for the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

RETRY_SECONDS = 1

STARTING_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{RETRY_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Starting the chat</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem auto; max-width: 32rem">
<h1>The chat is starting</h1><p role="status">This page reloads by itself in a moment. The API already answers.</p>
</body></html>
"""


async def _starting(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    response = HTMLResponse(STARTING_PAGE, status_code=503, headers={"Retry-After": str(RETRY_SECONDS), "Cache-Control": "no-store"})
    await response(scope, receive, send)


@contextlib.asynccontextmanager
async def _nothing(app: Any) -> AsyncIterator[None]:
    yield


class ChatSlot:
    """The catch-all route of ``app``: the starting page, then the chat."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.ready = threading.Event()
        self._placeholder = Mount("/", app=_starting)
        app.router.routes.append(self._placeholder)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._serving_started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._serving = app.router.lifespan_context

        # Wraps the lifespan the server enters: it learns the event loop, and
        # at shutdown stops the chat's lifespan too.
        @contextlib.asynccontextmanager
        async def lifespan(app: Any) -> AsyncIterator[Any]:
            self._loop = asyncio.get_running_loop()
            async with self._serving(app) as state:
                self._serving_started.set()
                try:
                    yield state
                finally:
                    await self._close()

        app.router.lifespan_context = lifespan

    def fill(self, mount: Callable[[FastAPI], object], timeout: float = 60.0) -> None:
        """Mount the chat with ``mount(app)``, start it, and show it; from any thread but the server's, which it waits for.

        ``mount`` calls ``gr.mount_gradio_app``, which puts Gradio's start-up
        into ``app.router.lifespan_context``: that lifespan is run here (the
        server's own has been entered already), so the chat's queue starts
        before its first request reaches it.
        """
        if not self._serving_started.wait(timeout) or self._loop is None:
            raise RuntimeError(f"The server did not start within {timeout:g} s")
        router = self.app.router
        serving, router.lifespan_context = router.lifespan_context, _nothing
        try:
            mount(self.app)
            chat_lifespan = router.lifespan_context
        finally:
            router.lifespan_context = serving
        chat = router.routes.pop()  # mount_gradio_app appends its Mount last
        asyncio.run_coroutine_threadsafe(self._start(chat_lifespan), self._loop).result(timeout)
        # One list assignment: a request sees the starting page or the chat, never neither.
        router.routes[router.routes.index(self._placeholder)] = chat
        self.ready.set()

    async def _start(self, lifespan: Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]) -> None:
        started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()

        async def hold() -> None:  # entered and left in this one task, as a lifespan must be
            try:
                async with lifespan(self.app):
                    started.set_result(None)
                    await self._stop.wait()
            except BaseException as exc:
                if not started.done():
                    started.set_exception(exc)
                raise

        self._task = asyncio.get_running_loop().create_task(hold(), name="chat-lifespan")
        await started

    async def _close(self) -> None:
        if self._task is not None and self._stop is not None:
            self._stop.set()
            with contextlib.suppress(Exception):
                await self._task
