"""POST /api/ask with "explain": the same answer, and the trace beside it."""

from __future__ import annotations

import httpx

from qa.explain import VERDICTS


def _without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings_ms"}


def test_explain_adds_the_trace_and_never_changes_the_answer(client: httpx.Client, dev_questions: list[dict]) -> None:
    for item in dev_questions[:4]:
        body = {"question": item["question"], "history": item.get("history", [])}
        plain = client.post("/api/ask", json=body)
        explained = client.post("/api/ask", json={**body, "explain": True})
        assert plain.status_code == explained.status_code == 200, explained.text
        plain, explained = plain.json(), explained.json()
        assert "explain" not in plain
        trace = explained.pop("explain")
        assert _without_timings(explained) == _without_timings(plain)
        assert {"question", "chunks", "candidates", "answerable", "threshold", "verdict"} <= set(trace)
        assert trace["verdict"] in VERDICTS
        assert trace["question"]["text"] == item["question"]
        cited = {(c["source"], c["start"]) for c in plain["citations"]} if not plain["abstained"] else set()
        assert {(c["source"], c["start"]) for c in trace["candidates"] if c["chosen"]} == cited


def test_explain_must_be_a_boolean_and_is_not_streamed(client: httpx.Client) -> None:
    bad = client.post("/api/ask", json={"question": "Who heads Roscosmos?", "explain": "yes"})
    assert bad.status_code == 400 and "explain" in bad.json()["error"]
    streamed = client.post("/api/ask/stream", json={"question": "Who heads Roscosmos?", "explain": True})
    assert streamed.status_code == 400 and "explain" in streamed.json()["hint"]
