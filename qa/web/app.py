"""The app factory: the API and the widget on one FastAPI app, and the chat mounted beside them."""

from __future__ import annotations

from typing import Any

import gradio as gr
from fastapi import Depends, FastAPI

from qa.config import Settings
from qa.engine import Engine
from qa.web import api, widget
from qa.web.middleware import BodyLimit, FramedOnlyBy, TokenRequired


def create_app(engine: Engine, settings: Settings) -> FastAPI:
    """The API (and widget) over ``engine``; the chat mounts itself onto it with :func:`mount_chat`."""
    app = FastAPI(
        title="Cited QA",
        summary="Questions answered from a folder of articles, every sentence cited.",
        docs_url="/docs",
        redoc_url=None,
        # No OpenTelemetry exporter is configured; skip the per-request check for one.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.engine = engine
    app.state.settings = settings
    api.install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_kb * 1024)
    app.include_router(api.router(engine))
    app.include_router(widget.router(settings, [Depends(api.require_token)]))
    return app


def mount_chat(app: FastAPI, settings: Settings, chat: gr.Blocks, **gradio: Any) -> FastAPI:
    """Serve the Gradio ``chat`` at "/" of ``app``, framed and guarded like the rest."""
    app.add_middleware(FramedOnlyBy, directive=widget.frame_ancestors(settings.allowed_origins))
    if settings.api_token:
        app.add_middleware(TokenRequired, token=settings.api_token)
    return gr.mount_gradio_app(app, chat, path="/", **gradio)
