"""The few plain HTML pages served outside the chat and the widget (login, starting, failed).

One shell for all of them, so they look alike and follow the reader's light
or dark color scheme the same way (Canvas and CanvasText are the scheme's
own background and text colours).
"""

from __future__ import annotations

import html

_SHELL = (
    "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'><meta name='color-scheme' content='light dark'>"
    "<title>{title}</title>"
    "<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;background:Canvas;color:CanvasText}}</style>"
    "</head>\n<body>\n<h1>{title}</h1>{body}\n</body></html>\n"
)


def plain_page(title: str, body: str) -> str:
    """A page titled ``title`` (plain text) holding ``body`` (HTML, escaped by the caller)."""
    return _SHELL.format(title=html.escape(title), body=body)
