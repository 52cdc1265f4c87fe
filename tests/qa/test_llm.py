"""The ``llm`` answer mode against a real OpenAI-compatible server (llama.cpp, SmolLM2-135M).

The model is tiny and invents freely, which is the point: whatever it
writes, an answer may only show sentences the articles support, cited to
the exact sentence, and any failure of the server must end in the
extractive answer with a reason, within ``llm_timeout``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from qa.web.app import create_app
from qa.engine import Engine
from qa.types import Answer

from ..conftest import free_port, llama_server, llm_settings, running

pytestmark = pytest.mark.llm

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Questions whose answer is one sentence of the articles: a model this small
# answers them by copying, so the LLM path is taken, not only the fallback.
COPYABLE = [
    "According to Rogozin, what is the only way to continue cooperation with NASA?",
    "What is the new US Supply Chain Strike Force meant to do?",
    "When did the cooperative agreement among the ISS partners expire, according to the 2021 article?",
    "Who is the head of Roscosmos in the 2025 articles?",
]
QUESTION = "When did Russia join the space station program?"


def assert_well_formed(answer: Answer) -> None:
    """Citations exact against the files; an LLM answer fully verified; a fallback explained."""
    for c in answer.citations:
        text = (SEEDS / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote, c
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    if answer.mode == "llm":
        assert answer.fallback == "" and not answer.abstained
        assert answer.sentences and answer.citations
        for s in answer.sentences:
            assert s.supported and s.citations, s
            for n in s.citations:
                assert f"[{n}]" in s.text
        assert answer.answer == " ".join(s.text for s in answer.sentences)
        assert {n for s in answer.sentences for n in s.citations} == {c.n for c in answer.citations}
    else:
        assert answer.mode == "extractive"
        assert answer.fallback.startswith("No generated answer:"), answer.fallback


def test_llm_answers_cite_exact_sentences(llm_engine: Engine):
    answers = [llm_engine.ask(q, mode="llm") for q in COPYABLE]
    for a in answers:
        assert_well_formed(a)
    assert any(a.mode == "llm" for a in answers), [(a.answer, a.fallback) for a in answers]


def test_an_invented_sentence_is_not_presented_as_supported(llm_engine: Engine, monkeypatch: pytest.MonkeyPatch):
    # Asked to repeat a sentence, the model writes a claim the articles never
    # make (it rarely invents on cue otherwise); everything else is real.
    def repeat_invention(question, sources, meta):
        from llama_index.core.base.llms.types import ChatMessage, MessageRole

        text = "Roscosmos was founded by Elon Musk in 1962 [1]. Dmitry Bakanov is the head of Roscosmos [1]."
        return [ChatMessage(role=MessageRole.USER, content=f"Repeat this text exactly: {text}")]

    monkeypatch.setattr("qa.llm.answer_messages", repeat_invention)
    events = list(llm_engine.stream("Who heads Roscosmos?", mode="llm"))
    completion = "".join(e.text for e in events if e.kind == "token")
    assert "1962" in completion, f"the model did not repeat the invention: {completion!r}"
    answer = events[-1].answer
    assert answer is not None
    assert_well_formed(answer)
    assert "1962" not in answer.answer and "Musk" not in answer.answer
    assert all("1962" not in s.text for s in answer.sentences)


def test_streaming_through_the_engine_gives_tokens_then_the_cited_answer(llm_engine: Engine):
    events = list(llm_engine.stream(QUESTION, mode="llm"))
    *tokens, last = events
    assert tokens and all(e.kind == "token" and e.text for e in tokens)
    assert last.kind == "answer" and last.answer is not None
    assert last.answer.citations
    assert_well_formed(last.answer)


def test_a_follow_up_is_condensed_or_handled_as_without_an_llm(llm_engine: Engine):
    history = ["Who is the head of Roscosmos in the 2025 articles?"]
    question = "Why did he visit the United States?"
    request, _ = llm_engine._prepare(question, history, "llm")
    assert request.standalone == "" or "visit" in request.standalone.lower()
    answer = llm_engine.ask(question, history, mode="llm")
    assert_well_formed(answer)
    assert "condense" in answer.timings_ms
    assert answer.timings_ms["total"] >= answer.timings_ms["condense"] + answer.timings_ms["answer"]


def test_the_stream_endpoint_streams_an_llm_answer(llm_engine: Engine):
    with running(create_app(llm_engine, llm_engine.settings)) as url:
        with httpx.stream(
            "POST", f"{url}/api/ask/stream", json={"question": QUESTION, "mode": "llm"}, timeout=120
        ) as r:
            assert r.status_code == 200
            lines = [json.loads(line) for line in r.iter_lines() if line.strip()]
    *tokens, last = lines
    assert tokens and all(t["kind"] == "token" for t in tokens)
    assert all(t["verified"] is False for t in tokens)  # the model's draft, marked as not yet checked
    assert last["kind"] == "answer"
    obj = last["answer"]
    assert obj["citations"] and obj["mode"] in {"llm", "extractive"}
    for c in obj["citations"]:
        assert (SEEDS / c["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]


def test_the_local_gguf_backend_answers_in_process(engine: Engine, settings):
    from ..conftest import smollm2_gguf

    local = Engine(
        settings.replace(
            llm_backend="gguf", llm_gguf_path=str(smollm2_gguf()), llm_max_tokens=48, llm_context_window=2048
        )
    )
    answer = local.ask(QUESTION, mode="llm")
    assert_well_formed(answer)
    assert answer.mode == "llm" or "could not be verified" in answer.fallback


# -- failures -------------------------------------------------------------------


def test_a_server_killed_mid_answer_falls_back_within_the_timeout(engine: Engine, settings, tmp_path: Path):
    timeout = 20.0
    with llama_server(tmp_path / "server.log") as (url, proc):
        # Room for a long answer, so the server is still writing when it dies.
        local = Engine(llm_settings(settings, url, llm_timeout=timeout, llm_max_tokens=256))
        events = local.stream("Why does Russia want to keep cooperating with NASA in space?", mode="llm")
        first = next(events)
        assert first.kind == "token", "the question should be answerable, so the model is asked"
        proc.kill()
        killed = time.monotonic()
        rest = list(events)
    assert time.monotonic() - killed < timeout
    answer = rest[-1].answer
    assert answer is not None and answer.mode == "extractive"
    assert "closed the connection" in answer.fallback, answer.fallback
    assert_well_formed(answer)


def test_connection_refused_falls_back_at_once(engine: Engine, settings):
    local = Engine(llm_settings(settings, f"http://127.0.0.1:{free_port()}/v1", llm_timeout=30.0))
    started = time.monotonic()
    answer = local.ask(QUESTION, mode="llm")
    assert time.monotonic() - started < 5
    assert answer.mode == "extractive" and "could not be reached" in answer.fallback
    assert "1993" in answer.answer
    assert_well_formed(answer)


@contextlib.contextmanager
def stand_in_server(behaviour: str) -> Iterator[str]:
    """A bare TCP server that misbehaves as an LLM server can: yields its base URL.

    A real llama.cpp server cannot be made to stall or to answer garbage on
    demand, so these cases use a stand-in:

    * ``stall``: accepts, reads the request, never answers;
    * ``close``: accepts and closes the connection without a word;
    * ``garbage``: answers 200 with a body that is no event stream.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    done = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.settimeout(2)
            with contextlib.suppress(OSError):
                conn.recv(65536)
            if behaviour == "close":
                conn.close()
            elif behaviour == "garbage":
                body = b"this is not an event stream\n"
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: %d\r\n\r\n" % len(body)
                with contextlib.suppress(OSError):
                    conn.sendall(head + body)
                conn.close()
            else:
                held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        done.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("stall", "in time|within 3 s"),
        ("close", "closed the connection|could not be reached"),
        ("garbage", "empty"),
    ],
)
def test_a_misbehaving_server_ends_in_the_extractive_answer_within_the_timeout(
    engine: Engine, settings, behaviour, reason
):
    timeout = 3.0
    with stand_in_server(behaviour) as url:
        local = Engine(llm_settings(settings, url, llm_timeout=timeout))
        started = time.monotonic()
        answer = local.ask(QUESTION, mode="llm")
        elapsed = time.monotonic() - started
    assert elapsed < timeout + 3, elapsed
    assert answer.mode == "extractive" and "1993" in answer.answer
    assert any(r in answer.fallback for r in reason.split("|")), answer.fallback
    assert_well_formed(answer)


def test_a_follow_up_with_the_server_down_is_answered_as_without_an_llm(engine: Engine, settings):
    history = ["Who is the head of Roscosmos in the 2025 articles?"]
    question = "Why did he visit the United States?"
    local = Engine(llm_settings(settings, f"http://127.0.0.1:{free_port()}/v1"))
    answer = local.ask(question, history, mode="llm")
    extractive = engine.ask(question, history, mode="extractive")
    assert answer.mode == "extractive" and "could not be reached" in answer.fallback
    assert answer.answer == extractive.answer
    assert [c.quote for c in answer.citations] == [c.quote for c in extractive.citations]
