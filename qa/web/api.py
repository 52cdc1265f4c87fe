"""The HTTP API: the answer contract as JSON, for scripts, the widget and the chat.

::

    POST /api/ask              {"question", "history", "mode", "explain"} -> answer object
                               (with "explain": true, plus its trace as "explain")
    POST /api/ask/stream       the same, as newline-delimited JSON events
    GET  /api/health           status, index statistics and the answering process's id
    GET  /api/document/{src}   an article's text and metadata (to show a citation in place);
                               with ?start=&end=, also the article as a reader sees it, cut there

The access token and the request size limit are checked before any of
this, for every route, by qa.web.middleware. Every error is
``{"error": message, "hint": hint}`` with the status the
:class:`~qa.errors.QAError` carries. Engine calls block (embedding, Chroma),
so every endpoint that makes one is a plain ``def`` (or hands the call to
the threadpool): FastAPI runs those in threads, and a slow answer never
stalls the event loop that every other client shares. Everything else (the
readiness check, encoding the answer) is cheap and stays on the event loop: under concurrent load each extra hop to the threadpool
costs more than the work it would move.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from index.reading import readable_article
from qa.engine import Engine
from qa.errors import IndexNotReadyError, QAError
from qa.types import AnswerEvent

NDJSON = "application/x-ndjson"
log = logging.getLogger(__name__)


class NotFoundError(QAError):
    """Something the API does not have: an unknown path, or a document outside the index (404)."""

    status = 404


class MethodNotAllowedError(QAError):
    """A path of the API asked with a method it does not answer (405, with the methods it does in ``Allow``)."""

    status = 405

    def __init__(self, message: str, hint: str, allow: list[str]) -> None:
        super().__init__(message, hint)
        self.headers = {"Allow": ", ".join(allow)}


class OffsetsError(QAError):
    """``start`` and ``end`` of a document request that do not cut its text (400)."""

    status = 400


class ExplainNotStreamedError(QAError):
    """``explain`` asked of the stream, which carries no trace (400)."""

    status = 400


class AskRequest(BaseModel):
    """A question, the user's earlier turns (oldest first), and an optional answer mode."""

    model_config = ConfigDict(extra="forbid")

    question: StrictStr = Field(description="The question, in plain text.")
    history: list[StrictStr] = Field(
        default_factory=list, description="Earlier questions of the conversation, oldest first."
    )
    mode: StrictStr | None = Field(
        default=None, description="Answer mode ('extractive' or 'llm'); default: the server's."
    )
    explain: StrictBool = Field(
        default=False,
        description="Also return the trace of how the answer came about, as an `explain` object (see qa.explain); the answer is the same.",
    )


def router(engine: Engine) -> APIRouter:
    """The API's routes over ``engine`` (the app factory, qa.web.app, serves them beside the widget and the chat)."""
    r = APIRouter()
    ready = [Depends(_readiness(engine))]

    @r.post(
        "/api/ask",
        dependencies=ready,
        summary="Answer a question",
        response_class=JSONResponse,
        responses={200: {"description": "The answer object (see the README's answer contract)."}},
    )
    async def ask(body: AskRequest) -> Response:
        if not body.explain:
            answer = await run_in_threadpool(engine.ask, body.question, body.history, mode=body.mode)
            return Response(_json(answer.to_dict()), media_type="application/json")
        answer, trace = await run_in_threadpool(engine.explain, body.question, body.history, mode=body.mode)
        return Response(_json({**answer.to_dict(), "explain": trace}), media_type="application/json")

    @r.post(
        "/api/ask/stream",
        dependencies=ready,
        summary="Answer a question, streamed",
        response_class=StreamingResponse,
        responses={200: {"content": {NDJSON: {}}, "description": "One JSON object a line (see below)."}},
        description=(
            'Newline-delimited JSON: `{"kind": "token", "text": ..., "verified": ...}` as the answer is produced '
            '(`verified` false: a model\'s draft, before its sentences are checked; show progress, not the text), then '
            '`{"kind": "answer", "answer": {...}}` with the verified answer object (the same as /api/ask). '
            'A failure after the first line arrives as `{"kind": "error", "error": ..., "hint": ...}`.'
        ),
    )
    async def ask_stream(body: AskRequest) -> StreamingResponse:
        if body.explain:
            raise ExplainNotStreamedError("The stream does not carry the explain trace.", "POST /api/ask with \"explain\": true.")
        events = engine.stream(body.question, body.history, mode=body.mode)
        # Take the first event before answering, so that a bad question or an
        # index still being built gets its proper status, not a 200 stream.
        first = await run_in_threadpool(next, events, None)
        return StreamingResponse(_ndjson(first, events), media_type=NDJSON)

    @r.get("/api/health", summary="Status and index statistics")
    def health() -> dict[str, Any]:
        # The process id tells apart the processes of a several-process deployment (qa.web.workers).
        return {**engine.stats(), "pid": os.getpid()}

    @r.get(
        "/api/document/{source:path}",
        dependencies=ready,
        summary="An article as indexed",
        description=(
            "The file's `text` exactly as read (a citation's `start` and `end` slice it) with its metadata. "
            "Given a citation's `start` and `end`, also the whole article as a reader sees it (no markup, a "
            "wrapped paragraph on one line, a blank line between paragraphs) in three parts: `before`, the "
            "`quote` to mark, and `after`."
        ),
    )
    def document(
        source: str,
        start: int | None = Query(None, description="Where the passage to mark starts in `text` (with `end`)."),
        end: int | None = Query(None, description="Where it ends in `text` (with `start`)."),
    ) -> dict[str, Any]:
        if not engine.reader().meta(source):
            raise NotFoundError(f"{source!r} is not an article of the index.", "Use a citation's source as given.")
        doc = engine.document(source)
        body = {
            "source": doc.source,
            "title": doc.meta.title,
            "publisher": doc.meta.publisher,
            "author": doc.meta.author,
            "date": doc.meta.date,
            "text": doc.text,
        }
        if start is None and end is None:
            return body
        if start is None or end is None or not 0 <= start <= end <= len(doc.text):
            raise OffsetsError(
                f"start and end must cut the article's text: 0 <= start <= end <= {len(doc.text)}.",
                "Give both, as a citation of this article has them.",
            )
        body["before"], body["quote"], body["after"] = readable_article(doc.source, doc.text, start, end)
        return body

    # Without this, an unknown /api path falls through to the chat mounted at "/".
    @r.api_route(
        "/api/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], include_in_schema=False
    )
    def unknown(path: str, request: Request) -> None:
        allowed = _allowed_methods(r, request)
        if allowed:
            raise MethodNotAllowedError(
                f"/api/{path} does not answer {request.method}.", f"Use {' or '.join(allowed)}.", allowed
            )
        raise NotFoundError(
            f"{request.method} /api/{path} is not an endpoint of this API.", "See /docs for the endpoints."
        )

    return r


def _allowed_methods(r: APIRouter, request: Request) -> list[str]:
    """The methods the API answers on the request's path, if it is one of its endpoints'
    (a route matches a request of another method "partially")."""
    methods: set[str] = set()
    for route in r.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] is Match.PARTIAL:
            methods |= route.methods
    return sorted(methods)


def _readiness(engine: Engine) -> Callable[[], Awaitable[None]]:
    async def check() -> None:
        ensure_ready(engine)

    return check


def ensure_ready(engine: Engine) -> None:
    """Refuse at once while the index is being built.

    The engine checks this too, but only after taking the lock that a build
    holds throughout, so without this a question would wait for the build.
    """
    if engine.building:
        raise IndexNotReadyError("The index is still being built.", "Try again in a moment.")


def error_response(status: int, message: str, hint: str = "", headers: dict[str, str] | None = None) -> JSONResponse:
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse({"error": message, "hint": hint}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Every error as ``{"error", "hint"}`` JSON with its status."""
    @app.exception_handler(QAError)
    async def qa_error(request: Request, exc: QAError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.hint, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(err.get("loc", ("body",))[0] != "body" for err in exc.errors()):
            return error_response(400, _describe_validation(exc, "request"), "See /docs for the parameters of each endpoint.")
        return error_response(400, _describe_validation(exc), 'Send JSON like {"question": "...", "history": ["..."]}.')

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Its headers go with it (a 405's Allow).
        return error_response(exc.status_code, str(exc.detail), getattr(exc, "hint", ""), exc.headers)


def _describe_validation(exc: RequestValidationError, what: str = "request body") -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return f"The {what} is not valid (" + "; ".join(problems) + ")."


def _ndjson(first: AnswerEvent | None, rest: Iterator[AnswerEvent]) -> Iterator[bytes]:
    """Events as JSON lines. A sync iterator: Starlette drives it in its threadpool."""
    try:
        if first is not None:
            yield _event_line(first)
        for event in rest:
            yield _event_line(event)
    except QAError as exc:
        yield _line({"kind": "error", "error": exc.message, "hint": exc.hint})
    except Exception as exc:  # the status line is gone: the client can only learn of it here
        log.exception("streamed answer failed")
        yield _line(
            {
                "kind": "error",
                "error": f"The answer failed ({type(exc).__name__}).",
                "hint": "Try again; see the server log.",
            }
        )


def _event_line(event: AnswerEvent) -> bytes:
    if event.kind == "answer" and event.answer is not None:
        return _line({"kind": "answer", "answer": event.answer.to_dict()})
    return _line({"kind": event.kind, "text": event.text, "verified": event.verified})


def _line(obj: dict[str, Any]) -> bytes:
    return _json(obj) + b"\n"


def _json(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
