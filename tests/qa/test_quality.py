"""Answer quality on the shared question set and on the project's own.

The same metrics as the reference scorer (qa.metrics). The project's own set
(tests/data/dev_questions.jsonl) was written separately, so the method is
checked on questions it was not tuned on, too.
"""

from __future__ import annotations

from pathlib import Path

from qa.metrics import score

from ..conftest import load_jsonl

DEV = Path(__file__).resolve().parents[1] / "data" / "dev_questions.jsonl"


def run(engine, questions):
    return [engine.ask(q["question"], q.get("history", [])).to_dict() for q in questions]


def test_shared_question_set_meets_targets(engine, eval_questions, seeds):
    r = score(eval_questions, run(engine, eval_questions), seeds)
    assert r["citation_validity"] == 1.0
    assert r["abstain_accuracy"] == 1.0, r["failures"]
    assert r["answer_accuracy"] >= 0.9, r["failures"]
    assert r["evidence_hit"] >= 0.9, r["failures"]
    assert r["false_abstain"] <= 0.05, r["failures"]
    assert r["answer_words_median"] <= 60


def test_own_question_set_holds_up(engine, seeds):
    questions = load_jsonl(DEV)
    r = score(questions, run(engine, questions), seeds)
    assert r["citation_validity"] == 1.0
    assert r["abstain_accuracy"] >= 0.85, r["failures"]
    assert r["answer_accuracy"] >= 0.8, r["failures"]
    assert r["false_abstain"] <= 0.1, r["failures"]
