"""ASGI middleware around every route: the request size limit, who may frame the pages, the access token."""

from __future__ import annotations

import html
import secrets
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.web.api import error_response, request_token


class BodyLimit:
    """Refuse an /api request body over ``max_bytes`` with the API's JSON 413.

    Starlette's own limit answers in plain text, outside the error handlers.
    A declared Content-Length is checked before reading; a chunked body is
    counted as it arrives.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        too_large = BodyTooLarge(self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(413, too_large.detail, too_large.hint)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise too_large  # an HTTPException: FastAPI hands it to the error handlers
            return message

        await self.app(scope, counted, send)


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is larger than {max_bytes // 1024} KiB.")
        self.hint = "Send a shorter question and history (or raise QA_MAX_REQUEST_KB on the server)."


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
