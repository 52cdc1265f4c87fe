"""The engine shared by many threads: every question gets the answer it gets alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from qa.engine import Engine


def test_concurrent_questions_get_the_answers_they_get_alone(engine: Engine, eval_questions: list[dict]) -> None:
    asked = [(q["question"], q.get("history", [])) for q in eval_questions[:16]]
    alone = [engine.ask(question, history).to_dict() for question, history in asked]
    with ThreadPoolExecutor(len(asked)) as pool:
        together = [a.to_dict() for a in pool.map(lambda qh: engine.ask(*qh), asked)]
    for a, b in zip(alone, together):
        assert b["question"] == a["question"]
        assert b["answer"] == a["answer"]
        assert b["citations"] == a["citations"]
