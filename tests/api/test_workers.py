"""`qa serve --workers 2`: the API answered by several processes, the chat by one beside them.

One real deployment (subprocesses, real ports, a real `chroma run` server, the
real model in every process; see the ``deployment`` fixture), asked from many
threads at once, re-indexed while it serves, and finally killed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.errors import SettingsError
from qa.web.workers import CANNOT_START, check, ensure_free

from ..conftest import DEV_QUESTIONS, free_port, load_jsonl, wait_until
from .conftest import WORKERS, Deployment, clean_env

THREADS = 8
REQUESTS = 40
EDITED = "002_026fb524575c518d.txt"
NEW_FACT = "Rogozin said the Orbital Greenhouse module would be launched to the station in 2031."
NEW_QUESTION = "When will the Orbital Greenhouse module be launched?"


def ask_fresh(url: str, body: dict) -> tuple[dict, str]:
    """POST /api/ask on a new connection (so that any process may take it); the answer and the process that gave it."""
    r = httpx.post(f"{url}/api/ask", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json(), r.headers["x-worker-pid"]


def ask_many(url: str, bodies: list[dict]) -> list[tuple[dict, str]]:
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda b: ask_fresh(url, b), bodies))


def cited(answer: dict, corpus: Path) -> bool:
    """Whether the answer has citations, each quoting its file exactly at its offsets."""
    for c in answer["citations"]:
        text = (corpus / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"] : c["end"]] == c["quote"], c
    return bool(answer["citations"])


def comparable(answer: dict) -> tuple:
    return answer["answer"], answer["abstained"], [(c["source"], c["start"], c["end"], c["quote"]) for c in answer["citations"]]


def test_concurrent_questions_are_answered_by_several_processes_as_one_process_answers_them(deployment: Deployment) -> None:
    questions = [{"question": q["question"], "history": q.get("history", [])} for q in load_jsonl(DEV_QUESTIONS) if q.get("answerable", True)]
    bodies = [questions[i % len(questions)] for i in range(REQUESTS)]
    single = Engine(deployment.settings)  # one process over the same index and Chroma server
    expected = {b["question"]: comparable(single.ask(b["question"], b["history"]).to_dict()) for b in questions}

    results = ask_many(deployment.api_url, bodies)

    corpus = Path(deployment.settings.corpus)
    for body, (answer, _) in zip(bodies, results):
        assert comparable(answer) == expected[body["question"]], body["question"]
    answered = [a for a, _ in results if not a["abstained"] and cited(a, corpus)]
    assert len(answered) >= REQUESTS * 3 // 4, "most of these questions have answers in the seeds"
    pids = {pid for _, pid in results}
    assert len(pids) >= 2, f"every request went to one process ({pids})"
    # The chat stays in the one process that `qa serve` runs in, not in an API process.
    chat = httpx.get(deployment.chat_url + "/", timeout=30)
    assert chat.status_code == 200 and "gradio" in chat.text.lower()
    assert httpx.get(deployment.chat_url + "/api/health", timeout=30).json()["pid"] == deployment.process.pid
    assert deployment.process.pid not in {int(p) for p in pids}
    # The widget is served by the API processes too.
    assert httpx.get(deployment.api_url + "/widget", timeout=30).status_code == 200


def test_a_reindex_while_serving_reaches_every_process(deployment: Deployment) -> None:
    corpus = Path(deployment.settings.corpus)
    body = {"question": NEW_QUESTION, "history": []}
    before = ask_many(deployment.api_url, [body] * REQUESTS)
    assert not any(NEW_FACT in c["quote"] for a, _ in before for c in a["citations"])
    path = corpus / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nUser Comments\n", f"\n{NEW_FACT}\n\nUser Comments\n", 1), encoding="utf-8")
    assert NEW_FACT in path.read_text(encoding="utf-8")

    done = deployment.qa("index")  # the one writer, as the README says to re-index
    assert done.returncode == 0, done.stderr
    assert "1 new or changed" in done.stdout

    # Every process answered from the old index before; each must use the new one from its next question.
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    while len(seen) < WORKERS:
        if time.monotonic() > deadline:
            pytest.fail(f"only processes {seen} were reached in 60 s; {WORKERS} serve the API")
        for answer, pid in ask_many(deployment.api_url, [body] * REQUESTS):
            assert cited(answer, corpus), f"process {pid} answered from the old index: {answer['answer']}"
            assert any(c["source"] == EDITED and NEW_FACT in c["quote"] for c in answer["citations"]), (pid, answer)
            seen.add(pid)


def test_an_api_process_that_dies_is_replaced(deployment: Deployment) -> None:
    body = {"question": "Who heads Roscosmos?"}
    before = {pid for _, pid in ask_many(deployment.api_url, [body] * REQUESTS)}
    victim = min(before)
    os.kill(int(victim), signal.SIGKILL)
    # Connections the kernel queued on the dying process's socket are reset
    # with it; once it has exited, its socket is gone and none reach it.
    wait_until(lambda: not alive(int(victim)), f"process {victim} to exit", timeout=10)
    deadline = time.monotonic() + 90  # a new process loads the model and opens the index before it listens
    while True:
        answered = {pid for _, pid in ask_many(deployment.api_url, [body] * REQUESTS)}  # every one a 200
        assert victim not in answered
        if answered - before:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"no process took the place of {victim} within 90 s:\n{deployment.log_tail()}")


def test_killing_qa_serve_stops_every_process_it_started(deployment: Deployment) -> None:
    pids = {pid for _, pid in ask_many(deployment.api_url, [{"question": "Who heads Roscosmos?"}] * REQUESTS)}
    children = [int(p) for p in pids]
    deployment.process.send_signal(signal.SIGKILL)  # no chance to clean up: the API processes must notice alone
    deployment.process.wait(timeout=10)
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in children):
        if time.monotonic() > deadline:
            pytest.fail(f"API processes {[p for p in children if alive(p)]} outlived qa serve by 30 s")
        time.sleep(0.2)
    with pytest.raises(httpx.ConnectError):
        httpx.get(deployment.api_url + "/api/health", timeout=5)


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs, or still holds what it opened.

    A zombie has exited (only its parent has not collected it yet), but a
    killed process's main thread can be a zombie while its other threads are
    still on their way out, and its sockets close only with the last of them:
    until then the kernel may still hand the process's socket a connection,
    which is then reset.
    """
    try:
        state = Path(f"/proc/{pid}/status").read_text()
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:
        return False
    return "State:\tZ" not in state or threads > 1


def test_bad_worker_settings_say_what_to_change() -> None:
    with pytest.raises(SettingsError, match="must be 1 or more"):
        check(Settings.load({"workers": 0}, env={}))
    with pytest.raises(SettingsError, match="cannot share port 9000") as exc:
        check(Settings.load({"workers": 2, "port": 9000, "api_port": 9000}, env={}))
    assert "--api-port" in exc.value.hint
    check(Settings.load({"workers": 2, "port": 9000}, env={}))  # api_port 0: the next port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(SettingsError, match=f"Port {taken.getsockname()[1]} on 127.0.0.1 is taken") as exc:
            ensure_free("127.0.0.1", taken.getsockname()[1])
    assert "--api-port" in exc.value.hint


def test_an_api_process_without_an_index_refuses_to_start_and_says_why(tmp_path: Path) -> None:
    env = {**clean_env(), "QA_INDEX_DIR": str(tmp_path / "none"), "QA_API_PORT": str(free_port())}
    done = subprocess.run([sys.executable, "-m", "qa.web.workers"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == CANNOT_START  # which tells qa serve to stop rather than start another
    assert "There is no index in" in done.stderr and "qa index" in done.stderr
