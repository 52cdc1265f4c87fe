"""The gate in front of every route (qa.web.middleware): token, size limit, uploads, security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.routing import Mount

from qa.config import Settings
from qa.engine import Engine
from qa.web.middleware import COOKIE, access_log_config

from ..conftest import running

TOKEN = "gate-token"


def endpoints(routes: list, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route of the app, the Gradio app mounted at "/" included."""
    for route in routes:
        if hasattr(route, "original_router"):  # a router included into the app
            yield from endpoints(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            yield from endpoints(route.routes, prefix + route.path)
        else:
            path = re.sub(r"\{[^}]+\}", "x", prefix + route.path)
            for method in sorted(getattr(route, "methods", None) or {"WEBSOCKET"}):
                if method != "HEAD":
                    yield method, path


@pytest.fixture(scope="module")
def guarded(engine: Engine, settings: Settings) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The whole app (chat, widget, API) with a token set; yields its URL and its routes."""
    import ui

    app = ui.build_app(engine, settings.replace(api_token=TOKEN))
    with running(app) as url:
        yield url, list(endpoints(app.routes))


def test_every_route_refuses_a_request_without_the_token(guarded: tuple[str, list[tuple[str, str]]]) -> None:
    url, routes = guarded
    paths = {path for _, path in routes}
    # The enumeration reaches Gradio's own routes, not only ours.
    assert {"/config", "/gradio_api/queue/join", "/gradio_api/upload", "/api/ask", "/widget", "/docs"} <= paths
    assert any(p.startswith("/gradio_api/file") for p in paths)
    with httpx.Client(base_url=url, timeout=30) as c:
        for method, path in routes:
            if method == "WEBSOCKET":
                continue  # below
            c.cookies.clear()  # /widget?token= below hands out the cookie
            r = c.request(method, path, headers={"Authorization": "Bearer wrong"})
            assert r.status_code == 401, (method, path, r.status_code)
            r = c.request(method, path)
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json()["error"] and r.json()["hint"], (method, path)
            # A query token opens nothing but /widget.
            r = c.request(method, f"{path}?token={TOKEN}")
            if path != "/widget":
                assert r.status_code == 401 and "only on /widget" in r.json()["error"], (method, path)


def test_websocket_routes_are_closed_without_the_token(guarded: tuple[str, list[tuple[str, str]]]) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url, routes = guarded
    for _, path in [r for r in routes if r[0] == "WEBSOCKET"]:
        with pytest.raises(InvalidStatus):  # the handshake is refused before any message
            connect(url.replace("http", "ws") + path, open_timeout=10).close()


def test_the_token_opens_the_routes(guarded: tuple[str, list[tuple[str, str]]]) -> None:
    url, _ = guarded
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, timeout=60) as c:
        for path in ("/config", "/gradio_api/info", "/api/health", "/widget", "/docs", "/openapi.json", "/"):
            assert c.get(path, headers=bearer).status_code == 200, path
        assert c.get("/api/health", cookies={COOKIE: TOKEN}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "secure"), [({}, False), ({"X-Forwarded-Proto": "https"}, True)], ids=["http", "behind-https"]
)
def test_widget_query_token_becomes_a_cookie_at_once(
    guarded: tuple[str, list[tuple[str, str]]], headers: dict[str, str], secure: bool
) -> None:
    url, _ = guarded
    with httpx.Client(base_url=url, timeout=30) as c:
        r = c.get(f"/widget?lang=en&token={TOKEN}", headers=headers)
    assert r.status_code == 303
    assert r.headers["location"] == "/widget?lang=en"  # the token leaves the address bar and the history
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={TOKEN};") and "HttpOnly" in cookie and "SameSite=" in cookie
    assert ("Secure" in cookie) == secure
    assert ("SameSite=None" in cookie) == secure  # a wiki on another site may frame it only over HTTPS


def test_wrong_query_token_on_the_widget_is_refused(guarded: tuple[str, list[tuple[str, str]]]) -> None:
    url, _ = guarded
    r = httpx.get(f"{url}/widget?token=nope", timeout=30)
    assert r.status_code == 401 and "set-cookie" not in r.headers


def test_login_form_sets_the_cookie_and_returns_to_the_page(guarded: tuple[str, list[tuple[str, str]]]) -> None:
    url, _ = guarded
    with httpx.Client(base_url=url, timeout=30) as c:
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 401 and "<form method='post' action='/auth'>" in page.text
        wrong = c.post("/auth", data={"token": "nope", "next": "/"})
        assert wrong.status_code == 401 and "wrong" in wrong.text and "set-cookie" not in wrong.headers
        offsite = c.post("/auth", data={"token": TOKEN, "next": "//evil.example/"})
        assert offsite.status_code == 303 and offsite.headers["location"] == "/"
        assert c.get("/").status_code == 200  # the client now holds the cookie


def test_security_headers_on_every_response(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as c:
        for path in ("/", "/config", "/widget", "/widget/widget.js", "/api/health", "/docs", "/api/nope"):
            r = c.get(path)
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert r.headers["referrer-policy"] in ("same-origin", "no-referrer"), path
            csp = r.headers["content-security-policy"]
            assert "frame-ancestors 'self'" in csp and "default-src" in csp, path
        chat = c.get("/").headers["content-security-policy"]
        assert "connect-src 'self'" in chat and "object-src 'none'" in chat


def test_request_size_limit_covers_every_route(live_server: str, settings: Settings) -> None:
    big = b"x" * (settings.max_request_kb * 1024 + 1)
    with httpx.Client(base_url=live_server, timeout=30) as c:
        for path in ("/gradio_api/queue/join", "/gradio_api/run/predict", "/api/ask", "/widget", "/"):
            r = c.post(path, content=big, headers={"content-type": "application/json"})
            assert r.status_code == 413, (path, r.status_code)
            assert f"{settings.max_request_kb} KiB" in r.json()["error"]
        # Sent chunked, the body is counted as the route reads it.
        for path in ("/gradio_api/queue/join", "/api/ask"):
            chunks = iter([big[:65536], big[65536:]])
            r = c.post(path, content=chunks, headers={"content-type": "application/json"})
            assert r.status_code == 413, (path, r.status_code)


def test_uploads_are_refused(live_server: str) -> None:
    r = httpx.post(f"{live_server}/gradio_api/upload", files={"files": ("a.txt", b"hello")}, timeout=30)
    assert r.status_code == 403 and "uploads" in r.json()["error"]


def test_tokens_are_redacted_from_the_access_log(
    engine: Engine, settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    """A server logging as `qa serve` does (qa.web.server): the access log shows no token."""
    from qa.web.app import create_app

    app = create_app(engine, settings.replace(api_token=TOKEN))
    with running(app, log_config=access_log_config(), log_level="info") as url:
        assert httpx.get(f"{url}/widget?lang=en&token={TOKEN}", timeout=30).status_code == 303
    out, err = capfd.readouterr()
    log = out + err
    assert "/widget?lang=en&token=[redacted]" in log
    assert TOKEN not in log
