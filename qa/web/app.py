"""The app factory: the API and the widget on one FastAPI app behind the gate, and the chat mounted beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from qa.config import Settings
from qa.engine import Engine
from qa.web import api, widget
from qa.web.middleware import Gate

if TYPE_CHECKING:
    import gradio as gr


def create_app(engine: Engine, settings: Settings) -> FastAPI:
    """The API (and widget) over ``engine``; the chat mounts itself onto it with :func:`mount_chat`.

    The gate (qa.web.middleware) wraps the whole app, so every route,
    those mounted later included, passes its checks.
    """
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
    app.add_middleware(Gate, settings=settings)
    app.include_router(api.router(engine))
    app.include_router(widget.router(settings))
    return app


def mount_chat(app: FastAPI, chat: gr.Blocks, **gradio: Any) -> FastAPI:
    """Serve the Gradio ``chat`` at "/" of ``app``."""
    # Imported here: the API processes of a several-process deployment
    # (qa.web.workers) serve no chat and need not hold Gradio (140 MB).
    import gradio as gr

    return gr.mount_gradio_app(app, chat, path="/", **gradio)
