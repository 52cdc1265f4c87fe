"""Fixtures shared by every test: the seed corpus, one index per session, ports.

The session index is built once, with the real embedding model and a real
Chroma store, in a temporary folder; tests that change a corpus work on
their own copy (see ``corpus_copy``) and never touch it.

Everything a test reads is in the repository (seeds/, tests/data/). The
shared evaluation set beside a checkout is for measuring: the tests marked
``shared_eval`` use it and run only with ``--shared-eval``. Under ``CI=true``
a run with any skipped test fails: a green run has run everything.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa.config import Settings  # noqa: E402
from qa.engine import Engine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
DEV_QUESTIONS = DATA / "dev_questions.jsonl"
SHARED = ROOT.parent / "shared"
SHARED_QUESTIONS = SHARED / "eval" / "questions.jsonl"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--shared-eval",
        action="store_true",
        help="also run the tests marked shared_eval, which measure against ../shared/eval beside the checkout",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--shared-eval"):
        return
    # Deselected, not skipped: a clone without ../shared runs everything else.
    kept = [item for item in items if item.get_closest_marker("shared_eval") is None]
    dropped = [item for item in items if item.get_closest_marker("shared_eval") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI, a skipped test fails the run: a skip is something that was not checked."""
    if os.environ.get("CI", "").lower() not in ("1", "true") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run (see the skip reasons above).", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def wait_until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    """Poll ``condition`` until it is true; fail the test (never hang it) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(0.001)


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def seeds() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def dev_questions() -> list[dict]:
    """The project's own labelled questions over seeds/ (tests/data/dev_questions.jsonl)."""
    return load_jsonl(DEV_QUESTIONS)


@pytest.fixture(scope="session")
def shared_questions() -> list[dict]:
    """The shared evaluation set beside the checkout (only for tests marked shared_eval)."""
    if not SHARED_QUESTIONS.exists():
        raise FileNotFoundError(f"{SHARED_QUESTIONS} is not there; --shared-eval needs ../shared beside the checkout")
    return load_jsonl(SHARED_QUESTIONS)


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
from collections.abc import Iterator


@contextlib.contextmanager
def running(app, host: str = "127.0.0.1", **config) -> Iterator[str]:
    """Serve an ASGI app on a free port for the duration of the block; yields its base URL.

    ``config`` goes to uvicorn.Config (e.g. a log_config).
    """
    import uvicorn

    port = free_port()
    config = {"log_level": "warning", "lifespan": "on", **config}
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, **config))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    wait_until(lambda: server.started or not thread.is_alive(), f"the test server on port {port}", timeout=60)
    if not server.started:
        raise RuntimeError(f"the test server on port {port} did not start")
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
