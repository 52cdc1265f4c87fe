"""What a fresh process loads to answer: the `qa ask` and `qa serve` commands, started as a user starts them.

Each runs in a process of its own over the session index, answers a
question, and reports from inside that process which heavy libraries it
imported: torch and transformers must never be among them (the embedding
model runs on ONNX Runtime), nor the web and LLM stacks where a command
has no use for them, nor chromadb where the index is small enough to scan
(its chunks are ranked from the sentence store, index.sentence_store).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from ..conftest import free_port

QUESTION = "When did Russia join the space station program?"
NEVER = ["torch", "transformers", "sentence_transformers"]
HEAVY = NEVER + ["gradio", "llama_index", "tiktoken", "chromadb"]


def run_probe(settings, code: str) -> dict:
    env = dict(os.environ, QA_INDEX_DIR=str(settings.index_dir), QA_CORPUS=str(settings.corpus))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_qa_ask_answers_without_torch_or_the_web_stack(engine, settings):
    report = run_probe(
        settings,
        f"""
        import contextlib, io, json, sys
        from qa.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["ask", {QUESTION!r}, "--json"])
        answer = json.loads(out.getvalue())
        print(json.dumps({{"code": code, "answer": answer["answer"], "loaded": [m for m in {HEAVY!r} if m in sys.modules]}}))
        """,
    )
    assert report["code"] == 0
    assert "1993" in report["answer"]
    assert report["loaded"] == []


def test_qa_serve_answers_its_first_request_without_torch_then_serves_the_chat(engine, settings):
    port = free_port()
    report = run_probe(
        settings,
        f"""
        import json, os, sys, threading, time, urllib.error, urllib.request

        def ask_then_report():
            deadline = time.monotonic() + 240
            while True:
                try:
                    req = urllib.request.Request(
                        "http://127.0.0.1:{port}/api/ask",
                        data=json.dumps({{"question": {QUESTION!r}}}).encode(),
                        headers={{"Content-Type": "application/json"}},
                    )
                    answer = json.load(urllib.request.urlopen(req, timeout=60))
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        os._exit(3)
                    time.sleep(0.2)
            loaded = [m for m in {NEVER + ["chromadb"]!r} if m in sys.modules]
            # The chat is mounted after the API answers; it comes within seconds.
            while True:
                try:
                    page = urllib.request.urlopen("http://127.0.0.1:{port}/", timeout=60).read().decode()
                    break
                except urllib.error.HTTPError as exc:
                    if exc.code != 503 or time.monotonic() > deadline:
                        os._exit(4)
                    time.sleep(0.2)
            chat = "gradio" in page.lower() and "qa-question" in page
            print(json.dumps({{"answer": answer["answer"], "loaded": loaded, "chat": chat}}), flush=True)
            os._exit(0)

        threading.Thread(target=ask_then_report, daemon=True).start()
        from qa.cli import main
        main(["serve", "--port", "{port}"])
        """,
    )
    assert "1993" in report["answer"]
    assert report["loaded"] == []
    assert report["chat"]
