"""Feedback from the chat, as stored (qa.web.feedback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.types import Answer
from qa.web import feedback


def answer() -> Answer:
    return Answer(question="Who?", answer="Someone [1].", abstained=False, citations=[])


def test_a_comment_is_a_second_line_with_the_same_id(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    first = feedback.record(path, answer(), "up")
    feedback.record(path, answer(), "up", "  Spot on.  ", first["id"])
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(x["id"], x["verdict"], x["comment"]) for x in lines] == [(first["id"], "up", ""), (first["id"], "up", "Spot on.")]


def test_an_overlong_comment_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    feedback.record(path, answer(), "down", "x" * 50, max_comment_chars=50)
    before = path.read_bytes()
    with pytest.raises(feedback.FeedbackError) as refused:
        feedback.record(path, answer(), "down", "x" * 51, max_comment_chars=50)
    assert "51 characters" in refused.value.message and "at most 50" in refused.value.message
    assert refused.value.hint
    assert path.read_bytes() == before
