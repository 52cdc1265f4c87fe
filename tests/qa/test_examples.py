"""The chat's example questions: each is answered, with its fact, from a sentence that states it."""

from __future__ import annotations

import pytest

from index.chunking import normalize
from qa.examples import load_examples

from ..conftest import SEEDS

EXAMPLES = load_examples(SEEDS)


def test_the_seed_corpus_ships_examples():
    assert len(EXAMPLES) >= 3
    assert all(e.expect for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.question)
def test_example_is_answered_with_its_fact_and_not_a_headline(engine, example):
    answer = engine.ask(example.question)
    assert not answer.abstained, answer.answer
    assert example.expect.lower() in answer.answer.lower(), answer.answer
    for c in answer.citations:
        title = engine.document(c.source).meta.title
        # A headline names a topic and states nothing: a cited sentence is not the article's title.
        assert normalize(c.quote) != normalize(title), c.quote
        assert len(c.quote.split()) >= 6, c.quote
