"""Answer quality on the project's own question set, and (with --shared-eval) on the shared one.

The same metrics as the reference scorer (qa.metrics). The project's own set
(tests/data/dev_questions.jsonl) was written separately, so the method is
checked on questions it was not tuned on, too.
"""

from __future__ import annotations

import pytest

from qa.metrics import score


def run(engine, questions):
    return [engine.ask(q["question"], q.get("history", [])).to_dict() for q in questions]


@pytest.mark.shared_eval
def test_shared_question_set_meets_targets(engine, shared_questions, seeds):
    r = score(shared_questions, run(engine, shared_questions), seeds)
    assert r["citation_validity"] == 1.0
    assert r["abstain_accuracy"] == 1.0, r["failures"]
    assert r["answer_accuracy"] >= 0.9, r["failures"]
    assert r["evidence_hit"] >= 0.9, r["failures"]
    assert r["false_abstain"] <= 0.05, r["failures"]
    assert r["answer_words_median"] <= 60


def test_own_question_set_holds_up(engine, dev_questions, seeds):
    questions = dev_questions
    r = score(questions, run(engine, questions), seeds)
    assert r["citation_validity"] == 1.0
    assert r["abstain_accuracy"] >= 0.85, r["failures"]
    assert r["answer_accuracy"] >= 0.8, r["failures"]
    assert r["false_abstain"] <= 0.1, r["failures"]
