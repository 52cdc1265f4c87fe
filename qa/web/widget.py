"""The embeddable widget: a compact chat page for an <iframe> in a wiki.

It is a static page (``qa/web/static/widget.*``) that talks to the JSON API, so
it shows exactly what /api/ask answers. It loads nothing from elsewhere, and
its Content-Security-Policy says so to the browser: scripts, styles and
requests only from this server, and framing only by the origins in
``allowed_origins``.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from qa.config import Settings
from qa.errors import SettingsError
from qa.web import STATIC

ASSETS = {"widget.js": "text/javascript", "widget.css": "text/css"}

# A CSP source expression: a scheme ("https:"), "*", or scheme://host[:port]
# with an optional "*." wildcard; nothing that could end the header's directive.
_ORIGIN = re.compile(r"^(\*|[a-z][a-z0-9+.-]*:|[a-z][a-z0-9+.-]*://(\*\.)?[a-z0-9.-]+(:(\d+|\*))?/?)$", re.IGNORECASE)


def frame_ancestors(allowed_origins: str) -> str:
    """The CSP ``frame-ancestors`` directive for a comma-separated list of origins."""
    origins = [o.strip() for o in allowed_origins.split(",") if o.strip()]
    bad = [o for o in origins if not _ORIGIN.match(o)]
    if bad:
        raise SettingsError(
            f"allowed_origins has entries that are not origins: {', '.join(map(repr, bad))}.",
            "List origins like https://wiki.example.com or http://127.0.0.1:8080, separated by commas.",
        )
    return " ".join(["frame-ancestors", "'self'", *(o.rstrip("/") for o in origins)])


def content_security_policy(allowed_origins: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            frame_ancestors(allowed_origins),
        ]
    )


THEMES = ("light", "dark")


def themed(page: str, theme: str | None) -> str:
    """The widget's page with ``theme`` fixed on its <html> element (none: the reader's system setting decides).

    Set by the server rather than the script, so the page never flashes the other theme first.
    """
    if theme is None or theme == "":
        return page
    if theme not in THEMES:
        raise SettingsError(
            f"Unknown widget theme {theme[:40]!r}.",
            "Use /widget?theme=light or /widget?theme=dark, or leave it out to follow the reader's system setting.",
        )
    return page.replace('<html lang="en">', f'<html lang="en" data-theme="{theme}">', 1)


def router(settings: Settings) -> APIRouter:
    """The widget's routes."""
    csp = content_security_policy(settings.allowed_origins)  # checked once, at start-up
    page = (STATIC / "widget.html").read_text(encoding="utf-8")
    r = APIRouter(tags=["widget"])

    @r.get("/widget", response_class=HTMLResponse, summary="The embeddable chat")
    def widget(theme: str | None = None) -> HTMLResponse:
        """``?theme=light`` or ``?theme=dark`` overrides the reader's system setting, which it follows by default."""
        # A token given as /widget?token= has been exchanged for a cookie by the
        # middleware already; the page's own requests carry the cookie.
        return HTMLResponse(
            themed(page, theme), headers={"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"}
        )

    @r.get("/widget/{name}", include_in_schema=False)
    def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise HTTPException(404, f"/widget/{name} does not exist.")
        return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})

    return r
