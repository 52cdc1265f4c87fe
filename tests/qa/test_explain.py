"""Explain mode: the trace of a question through every stage, and what it blames."""

from __future__ import annotations

import json
import re

import pytest

from qa.explain import ANSWERED, CLEANING, VERDICTS, render_trace

from ..conftest import load_jsonl
from .test_cli import qa
from ..conftest import DEV_QUESTIONS as DEV

QUESTIONS = [q for q in load_jsonl(DEV)][:12]


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q["id"])
def test_explaining_never_changes_the_answer(engine, q):
    plain = engine.ask(q["question"], q.get("history", [])).to_dict()
    explained, trace = engine.explain(q["question"], q.get("history", []))
    explained = explained.to_dict()
    for d in (plain, explained):
        d.pop("timings_ms")
    assert explained == plain
    assert trace["verdict"] in VERDICTS


def test_trace_shows_ranks_candidates_and_threshold(engine):
    answer, trace = engine.explain("When did Russia join the space station program?")
    assert trace["question"]["answer_type"] == "date"
    assert trace["chunks"] and all(c["fused_rank"] >= 1 for c in trace["chunks"])
    assert any(c["dense_rank"] for c in trace["chunks"]) and any(c["bm25_rank"] for c in trace["chunks"])
    # Two chunks of one file read differently: each shows its first words.
    assert len({c["source"] for c in trace["chunks"]}) < len(trace["chunks"])
    assert len({(c["source"], c["opening"]) for c in trace["chunks"]}) == len(trace["chunks"])
    assert all(c["opening"] for c in trace["chunks"])
    chosen = [c for c in trace["candidates"] if c["chosen"]]
    assert chosen and "1993" in chosen[0]["text"]
    assert trace["candidates"][0]["probability"] >= trace["candidates"][-1]["probability"]
    assert trace["answerable"] >= trace["threshold"] and trace["verdict"] == ANSWERED
    # Exactly what the answer was decided on: a threshold chosen from the trace abstains as it says.
    assert trace["answerable"] == engine.prepare("When did Russia join the space station program?").evidence.answerable


def test_evidence_dropped_as_an_advertisement_is_blamed_on_cleaning(engine):
    _, trace = engine.explain("What book about Apollo 8 did the author write?", evidence=["Genesis: the Story of Apollo 8"])
    assert trace["verdict"] == CLEANING


def test_evidence_written_as_a_reader_sees_it_counts_as_answered(docs_engine):
    # The page writes `PYENV_VERSION` in code ticks; the label, as a reader sees it.
    answer, trace = docs_engine.explain(
        "Which environment variable does pyenv shell set?",
        evidence=["by setting the PYENV_VERSION environment variable in your shell"],
    )
    assert not answer.abstained and "PYENV_VERSION" in answer.answer
    assert trace["verdict"] == ANSWERED


def test_cli_explain_prints_the_trace_and_json_carries_it(engine, settings):
    out = qa(settings, "ask", "--explain", "Who heads Roscosmos?")
    assert out.returncode == 0, out.stderr
    assert "chunks (fused rank, dense rank, BM25 rank):" in out.stdout and "verdict: " in out.stdout
    assert "Sources:" in out.stdout
    out = qa(settings, "ask", "--explain", "--json", "Who heads Roscosmos?")
    d = json.loads(out.stdout)
    assert {"question", "chunks", "candidates", "threshold", "verdict"} <= set(d["explain"])
    assert d["answer"] and d["citations"]


def test_eval_explain_groups_failures_by_stage(engine, settings, tmp_path):
    out = qa(settings, "eval", "--explain", str(DEV))
    assert out.returncode == 0, out.stderr
    assert "failures by stage" in out.stdout
    for stage in ("sentence choice", "retrieval", "cleaning", "abstained below threshold"):
        assert f"  {stage}: " in out.stdout


def test_the_text_trace_shows_a_web_pages_candidates_as_a_reader_sees_them(docs_engine):
    # The zlib page's sentences hold tags and entities in the file; the trace
    # prints each candidate as the chat's "Why this answer?" does.
    _, trace = docs_engine.explain("What does deflateInit's level argument do?")
    markup = re.compile(r"</?[a-z][a-z0-9]*\b[^>]*>|&(?:[a-z]+|#\d+);")
    assert any(c["source"].endswith(".html") and markup.search(c["text"]) for c in trace["candidates"])
    shown = render_trace(trace).split("candidates (")[1]
    assert not markup.search(shown), markup.search(shown)
