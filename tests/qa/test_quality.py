"""Answer quality on the project's own question set (the shared sets are measured by bench/quality.py).

The same metrics as the reference scorer (qa.metrics). The project's own set
(tests/data/dev_questions.jsonl) was written separately, so the method is
checked on questions it was not tuned on, too.
"""

from __future__ import annotations

from qa.metrics import score


def run(engine, questions):
    return [engine.ask(q["question"], q.get("history", [])).to_dict() for q in questions]


def test_own_question_set_holds_up(engine, dev_questions, seeds):
    questions = dev_questions
    r = score(questions, run(engine, questions), seeds)
    assert r["citation_validity"] == 1.0
    assert r["abstain_accuracy"] >= 0.85, r["failures"]
    assert r["answer_accuracy"] >= 0.8, r["failures"]
    assert r["false_abstain"] <= 0.1, r["failures"]
