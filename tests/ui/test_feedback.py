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


def whole_and_broken(path: Path) -> tuple[int, int]:
    good = bad = 0
    for line in path.read_bytes().split(b"\n"):
        if line:
            try:
                json.loads(line)
                good += 1
            except ValueError:
                bad += 1
    return good, bad


def test_a_torn_last_line_is_cut_off_before_the_next_line_and_at_start(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    feedback.record(path, answer(), "up")
    with path.open("ab") as f:
        f.write(b'{"id": "half a li')  # what a writer killed mid-line leaves
    feedback.record(path, answer(), "down")
    assert whole_and_broken(path) == (2, 0)
    with path.open("ab") as f:
        f.write(b'{"id": "another half')
    feedback.repair(path)  # the chat calls this when it starts
    assert whole_and_broken(path) == (2, 0)
    assert path.read_bytes().endswith(b"\n")


WRITER = """
import sys
from pathlib import Path
from qa.types import Answer
from qa.web.feedback import record
answer = Answer(question="q" * 300, answer="a" * 200_000, abstained=False)
print("ready", flush=True)
while True:
    record(Path(sys.argv[1]), answer, "up", comment="c" * 2000)
"""


def test_writers_killed_mid_write_leave_only_whole_lines(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "feedback.jsonl"
    root = Path(__file__).resolve().parents[2]
    for delay in (0.05, 0.2, 0.4):
        # Two processes append at once (as two chat processes would), then die without warning.
        procs = [
            subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=root, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        time.sleep(delay)
        for p in procs:
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=60)
        feedback.repair(path)
        good, bad = whole_and_broken(path)
        assert good > 0 and bad == 0
