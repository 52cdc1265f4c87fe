"""The one gate in front of every route: access token, request size, security headers.

Every request to the app, whatever serves it (the API, the widget, the
Gradio chat with its queue, upload and file routes, /docs), passes through
:class:`Gate` first, so a route added later is covered without remembering
anything. The gate:

* refuses a request without the access token (when ``api_token`` is set),
  except on the paths in :data:`OPEN`. The token comes as
  ``Authorization: Bearer TOKEN`` or as the cookie set after it was given
  once; in a URL (``?token=``) only on ``/widget``, for iframes, and that
  request is answered at once by a redirect to the same page without it,
  setting the cookie. The chat's login form posts to ``/auth``;
* refuses a request body over ``max_request_kb``, on every route, with the
  API's JSON 413, whether declared in Content-Length or sent chunked;
* refuses the paths in :data:`DISABLED` (uploads: nothing here takes files);
* adds ``X-Content-Type-Options``, ``Referrer-Policy`` and a
  Content-Security-Policy with ``frame-ancestors`` to every response
  (the widget sets its own stricter policy, which is kept).
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.config import Settings
from qa.web.api import error_response
from qa.web.pages import plain_page
from qa.web.widget import frame_ancestors

# The paths that answer without the token (exact matches): the login form's target.
OPEN = frozenset({"/auth"})
# The only paths that take the token from the URL (for an <iframe src>).
QUERY_TOKEN = frozenset({"/widget"})
# Gradio's routes this server does not use: the chat has no file inputs.
DISABLED = ("/gradio_api/upload", "/upload")
COOKIE = "qa_token"
LOGIN_FORM_BYTES = 8192

# The chat (a Gradio page) runs inline scripts and compiles its js_on_load
# hooks at run time, hence 'unsafe-inline' and 'unsafe-eval'; what matters
# is that nothing comes from another origin, and every string from a user
# or an article is escaped (qa.web.markup).
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
# FastAPI's /docs page loads Swagger UI from its CDN.
DOCS_POLICY = PAGE_POLICY.replace("script-src 'self'", "script-src 'self' https://cdn.jsdelivr.net").replace(
    "style-src 'self'", "style-src 'self' https://cdn.jsdelivr.net"
).replace("img-src 'self'", "img-src 'self' https://fastapi.tiangolo.com")


class Gate:
    """ASGI middleware: the token, the size limit, disabled routes and security headers, for every path."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.token = settings.api_token
        self.max_bytes = settings.max_request_kb * 1024
        self.frame_ancestors = frame_ancestors(settings.allowed_origins)  # checked once, at start-up

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if self.token and not self._authorized(scope):
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(scope, send)
        path = scope["path"]
        if self.token and path in OPEN:
            await self._login(scope, receive, send)
            return
        if self.token and not self._authorized(scope):
            if path in QUERY_TOKEN and self._matches(_query_token(scope)):
                await self._remember(scope, receive, send)
                return
            await self._refuse(scope, receive, send)
            return
        if path.startswith(DISABLED):
            await error_response(403, "This server accepts no uploads.", "Ask questions as text.")(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    # -- the token ---------------------------------------------------------------
    def _matches(self, given: str) -> bool:
        return bool(given) and secrets.compare_digest(given.encode(), self.token.encode())

    def _authorized(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return self._matches(value.strip())
        return self._matches(_cookies(headers).get(COOKIE, ""))

    def _cookie(self, scope: Scope) -> str:
        # Behind HTTPS the cookie is Secure, and SameSite=None so that a wiki
        # on another site can frame the widget; over plain HTTP browsers
        # refuse SameSite=None, and Lax keeps it to this site.
        https = scope.get("scheme") == "https" or Headers(scope=scope).get("x-forwarded-proto", "") == "https"
        attributes = "; Secure; SameSite=None" if https else "; SameSite=Lax"
        return f"{COOKIE}={quote(self.token, safe='')}; Path=/; HttpOnly{attributes}"

    async def _remember(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A valid ``?token=``: set the cookie and send the browser to the same URL without it."""
        response = RedirectResponse(_without_token(scope), status_code=303)
        response.headers["set-cookie"] = self._cookie(scope)
        await response(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``POST /auth`` with ``token`` (and ``next``) from the form of the 401 page."""
        if scope["method"] != "POST":
            response = error_response(405, "Send the token with POST.", "Use the form the chat shows.", {"Allow": "POST"})
            await response(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > LOGIN_FORM_BYTES:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body"):
                break
        form = parse_qs(body.decode("utf-8", "replace"))
        target = form.get("next", ["/"])[0]
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # only this server's own pages
        if not self._matches(form.get("token", [""])[0]):
            await login_page("The token is wrong.", target)(scope, receive, send)
            return
        response = RedirectResponse(target, status_code=303)
        response.headers["set-cookie"] = self._cookie(scope)
        await response(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if _query_token(scope):
            message = "A token in the URL is accepted only on /widget."
            hint = "Send 'Authorization: Bearer TOKEN' (or open /widget?token=TOKEN in a browser)."
        elif headers.get("authorization") or COOKIE in _cookies(headers):
            message, hint = "The token is wrong.", "Use the token configured as QA_API_TOKEN on the server."
        else:
            message, hint = "This server requires an access token.", "Send it as 'Authorization: Bearer TOKEN'."
        if scope["method"] == "GET" and "text/html" in headers.get("accept", ""):
            response: Response = login_page(message, _without_token(scope))
        else:
            response = error_response(401, message, hint)
        await response(scope, receive, send)

    # -- the size limit ------------------------------------------------------------
    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        kib = self.max_bytes // 1024
        hint = "Send a shorter question and history (or raise QA_MAX_REQUEST_KB on the server)."
        await error_response(413, f"The request body is larger than {kib} KiB.", hint)(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting a body sent without Content-Length as it arrives."""
        received = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes and not refused:
                refused = True
                if not started:
                    await self._too_large(scope, receive, send)
                # The app sees the client go away, and stops reading.
                return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the app answers to the cut-off body is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not refused:
                raise
            # The app failed on the body it was denied; the client has its 413.

    # -- headers -------------------------------------------------------------------
    def _with_headers(self, scope: Scope, send: Send) -> Send:
        policy = DOCS_POLICY if scope["path"] == "/docs" else PAGE_POLICY
        ours = f"{policy}; {self.frame_ancestors}".encode("latin-1")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _SECURITY]
                given = {k.lower(): v for k, v in message.get("headers", [])}
                csp = given.get(b"content-security-policy")
                if csp is None:  # a route with a policy of its own (the widget) keeps it
                    csp = ours
                elif b"frame-ancestors" not in csp:
                    csp += b"; " + self.frame_ancestors.encode("latin-1")
                headers += [
                    (b"content-security-policy", csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", given.get(b"referrer-policy", b"same-origin")),
                ]
                message = {**message, "headers": headers}
            await send(message)

        return send_with_headers


_SECURITY = {b"content-security-policy", b"x-content-type-options", b"referrer-policy"}


def _query_token(scope: Scope) -> str:
    return parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]


def _cookies(headers: Headers) -> dict[str, str]:
    cookies = {}
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            cookies[name] = unquote(value)
    return cookies


def _without_token(scope: Scope) -> str:
    """The request's path and query, less any ``token``."""
    query = [(k, v) for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items() if k != "token"]
    rest = urlencode([(k, v) for k, values in query for v in values])
    return scope["path"] + (f"?{rest}" if rest else "")


def login_page(message: str, target: str) -> HTMLResponse:
    """The 401 page a browser sees: what is wrong, and a form to give the token (posted, never in a URL)."""
    page = plain_page(
        "Access token needed",
        f"<p id='problem'>{html.escape(message)}</p>"
        "<form method='post' action='/auth'>"
        f"<input type='hidden' name='next' value='{html.escape(target, quote=True)}'>"
        "<label>Token <input id='token' name='token' type='password' autocomplete='current-password' autofocus></label> "
        "<button type='submit'>Open</button></form>"
        "<p>Scripts and API clients send <code>Authorization: Bearer TOKEN</code>.</p>",
    )
    return HTMLResponse(page, status_code=401, headers={"WWW-Authenticate": "Bearer"})


class RedactTokens(logging.Filter):
    """Take tokens out of the URLs in uvicorn's access log (``?token=...`` on /widget)."""

    PATTERN = re.compile(r"([?&]token=)[^&\s]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.PATTERN.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args)
        return True


def access_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, with tokens redacted from the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "filters": {"redact_tokens": {"()": RedactTokens}}}
    config["handlers"] = {name: dict(h) for name, h in LOGGING_CONFIG["handlers"].items()}
    config["handlers"]["access"]["filters"] = ["redact_tokens"]
    return config
