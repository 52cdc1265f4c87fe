"""Fixtures shared by every test: the seed corpus, one index per session, ports.

The session index is built once, with the real embedding model and a real
Chroma store, in a temporary folder; tests that change a corpus work on
their own copy (see ``corpus_copy``) and never touch it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa.config import Settings  # noqa: E402
from qa.engine import Engine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
EVAL_QUESTIONS = SHARED / "eval" / "questions.jsonl"


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def seeds() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def eval_questions() -> list[dict]:
    """The shared question set (beside the checkout, as CI lays it out)."""
    if not EVAL_QUESTIONS.exists():
        pytest.skip(f"{EVAL_QUESTIONS} is not there (it sits beside the checkout in CI)")
    return load_jsonl(EVAL_QUESTIONS)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the session index: the seed corpus, a temporary index folder."""
    index_dir = tmp_path_factory.mktemp("index")
    feedback = tmp_path_factory.mktemp("var") / "feedback.jsonl"
    return Settings.load({"corpus": SEEDS, "index_dir": index_dir, "feedback_file": feedback}, env={})


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Engine:
    """One engine over one index of the seed corpus, built once per session."""
    eng = Engine(settings)
    eng.build()
    return eng


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the seed corpus that a test may change."""
    dest = tmp_path / "corpus"
    shutil.copytree(SEEDS, dest)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def port() -> int:
    return free_port()


# -- Live servers (tests/api, tests/ui) -----------------------------------------
# The real app (API, widget, chat) on a free port, served by uvicorn in a
# thread over the session engine: no second index is built.

import contextlib
import threading
import time
from collections.abc import Iterator


@contextlib.contextmanager
def running(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve an ASGI app on a free port for the duration of the block; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="session")
def live_server(engine: Engine, settings: Settings) -> Iterator[str]:
    """The whole app (ui.build_app) over the session engine; yields its base URL."""
    import ui

    with running(ui.build_app(engine, settings)) as url:
        yield url
