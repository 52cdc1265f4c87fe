"""Servers for the API tests: the session app, and one with a token over the same engine."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from qa.web.app import create_app
from qa.config import Settings
from qa.engine import Engine

from ..conftest import running


@pytest.fixture(scope="session")
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def api_token() -> str:
    return "s3cret-token"


@pytest.fixture(scope="session")
def token_server(engine: Engine, settings: Settings, api_token: str) -> Iterator[str]:
    """The API with ``api_token`` set, over the session engine."""
    with running(create_app(engine, settings.replace(api_token=api_token))) as url:
        yield url


# -- Several processes: `qa serve --workers N` for real ---------------------------------------------
# The deployment runs as `qa serve` does in production: subprocesses on real
# ports, its own copy of the seed corpus, its index in a real `chroma run`
# server, and the real model loaded in every process.

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from ..conftest import SEEDS, free_port, stop_process  # noqa: E402

WORKERS = 2
START_SECONDS = 150  # indexing the seeds, then the chat and each API process loading the model, on a busy machine


@dataclass
class Deployment:
    chat_url: str  # the chat, on the one process that `qa serve` runs in
    api_url: str  # the API and the widget, on the worker processes
    process: subprocess.Popen
    settings: Settings  # what the deployment was started with (for an engine of the test's own)
    log: Path

    def qa(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run the ``qa`` command against the deployment's corpus, index and Chroma server."""
        command = [sys.executable, "-m", "qa.cli", *args, "--corpus", str(self.settings.corpus)]
        command += ["--index-dir", str(self.settings.index_dir), "--chroma-url", self.settings.chroma_url]
        command += ["--set", f"collection={self.settings.collection}"]
        return subprocess.run(command, env=clean_env(), capture_output=True, text=True, timeout=timeout)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def clean_env() -> dict[str, str]:
    """This environment without QA_* settings (the command line gives them), offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    return {**env, "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}


def wait_ready(deployment: Deployment, url: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if deployment.process.poll() is not None:
            pytest.fail(f"qa serve exited with {deployment.process.returncode}:\n{deployment.log_tail()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=5).json().get("status") == "ready":
                return
        except (httpx.HTTPError, ValueError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{url} was not ready within {START_SECONDS} s:\n{deployment.log_tail()}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, chroma_url: str) -> Iterator[Deployment]:
    """`qa serve --workers 2` over a copy of the seeds indexed into the session's Chroma server."""
    root = tmp_path_factory.mktemp("workers")
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    port, api_port = free_port(), free_port()
    settings = Settings.load(
        # A collection of its own: the server is shared with the other tests of the session.
        {"corpus": corpus, "index_dir": root / "index", "chroma_url": chroma_url, "collection": "workers"},
        env={},
    )
    command = [
        sys.executable, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(WORKERS), "--api-port", str(api_port),
        "--corpus", str(corpus), "--index-dir", str(settings.index_dir), "--chroma-url", chroma_url,
        "--set", f"collection={settings.collection}", "--set", f"feedback_file={root / 'feedback.jsonl'}",
    ]  # fmt: skip
    log = root / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=clean_env(), stdout=out, stderr=subprocess.STDOUT)
    found = Deployment(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{api_port}", process, settings, log)
    try:
        wait_ready(found, found.api_url)
        wait_ready(found, found.chat_url)
        yield found
    finally:
        stop_process(process, 30)
