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
import html
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from qa.web.pages import plain_page

RETRY_SECONDS = 1

# Asks whether the chat is there each second and reloads only once it is: a
# timed <meta refresh> would reload the page (and a screen reader's place in
# it) every second while nothing has changed.
_POLL = """
<script>
(function poll() {
  setTimeout(function () {
    fetch(location.href, {method: "HEAD", cache: "no-store"}).then(
      function (r) { if (r.status === 503) poll(); else location.reload(); }, poll);
  }, %d);
})();
</script>""" % (RETRY_SECONDS * 1000)
STARTING_PAGE = plain_page(
    "The chat is starting",
    '<p role="status">This page shows the chat by itself in a moment.<noscript> Reload it then.</noscript></p>' + _POLL,
)


def failed_page(reason: str) -> str:
    return plain_page(
        "The chat could not start",
        f'<p role="status">{html.escape(reason)}<br>The API still answers. The server\'s log says more; restart it once the cause is fixed.</p>',
    )


@contextlib.asynccontextmanager
async def _nothing(app: Any) -> AsyncIterator[None]:
    yield


class ChatSlot:
    """The catch-all route of ``app``: the starting page, then the chat (or why it could not start)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.ready = threading.Event()
        self._failure = ""
        self._placeholder = Mount("/", app=self._page)
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
        before its first request reaches it. If anything fails, "/" says why
        (the error is raised too) and the API goes on.
        """
        try:
            self._fill(mount, timeout)
        except Exception as exc:
            self._fail(f"{type(exc).__name__}: {exc}")
            raise

    def _fill(self, mount: Callable[[FastAPI], object], timeout: float) -> None:
        if not self._serving_started.wait(timeout) or self._loop is None:
            raise RuntimeError(f"The server did not start within {timeout:g} s")
        router = self.app.router
        serving, router.lifespan_context = router.lifespan_context, _nothing
        try:
            mount(self.app)
            chat_lifespan = router.lifespan_context
        finally:
            router.lifespan_context = serving
        if router.routes[-1] is self._placeholder:
            raise RuntimeError("Mounting the chat added no route")
        chat = router.routes.pop()  # mount_gradio_app appends its Mount last
        asyncio.run_coroutine_threadsafe(self._start(chat_lifespan), self._loop).result(timeout)
        # One list assignment: a request sees the starting page or the chat, never neither.
        router.routes[router.routes.index(self._placeholder)] = chat
        self.ready.set()

    def _fail(self, reason: str) -> None:
        """Show ``reason`` at "/" instead of the starting page: the chat will not come."""
        self._failure = reason or "Unknown error."

    async def _page(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if self._failure:
            response = HTMLResponse(failed_page(self._failure), status_code=500, headers={"Cache-Control": "no-store"})
        else:
            response = HTMLResponse(STARTING_PAGE, status_code=503, headers={"Retry-After": str(RETRY_SECONDS), "Cache-Control": "no-store"})
        await response(scope, receive, send)

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
