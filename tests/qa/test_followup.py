"""Follow-ups: when a question leans on the earlier turns, and what that changes."""

from __future__ import annotations

import pytest

from qa.followup import needs_context, resolve_thing, thing_asked


@pytest.mark.parametrize(
    "question, leans",
    [
        ("Do I need a login for that?", True),
        ("When did that happen?", True),
        ("What happened in that year?", True),
        ("Who lives there?", True),
        ("Why did he visit?", True),
        ("And Russia?", True),
        # A relative pronoun, a conjunction, an existential "there": no pointing back.
        ("What is the file that configures pyenv?", False),
        ("Which rule says that tools must cope?", False),
        ("Is there a limit on the line width?", False),
        ("What is rustdoc?", False),
    ],
)
def test_that_and_there_point_back_only_where_they_can_be_nothing_else(question, leans):
    assert needs_context(question) is leans


def test_a_follow_up_about_that_searches_with_the_earlier_turn(engine):
    # "that" is Rogozin's demand: NASA's answer to it is Nelson's, in the
    # article on their talks; read alone, the question finds NASA in general.
    answer = engine.ask("What did NASA say about that?", ["What did Rogozin demand in exchange for continued cooperation?"])
    assert not answer.abstained and "Nelson" in answer.answer


@pytest.mark.parametrize(
    "earlier, question, read_as",
    [
        ("What is uvicorn?", "Which protocols does it support?", "Which protocols does uvicorn support?"),
        ("What is Zstandard?", "Where is its format documented?", "Where is Zstandard's format documented?"),
        # An "it" that stands for what follows it is kept.
        ("What is pyenv?", "Is it possible to use it with fish?", "Is it possible to use pyenv with fish?"),
        # "What is X used for?" and "What is X doing?" ask what X does: no thing to point at.
        ("What is zlib used for?", "Who wrote it?", "Who wrote it?"),
        ("What is NASA doing?", "Why is it late?", "Why is it late?"),
        ("What is the engine doing?", "Why is it late?", "Why is it late?"),
        # A noun in "-ing" is a thing: "packet switching", "load balancing".
        ("What is packet switching?", "Who invented it?", "Who invented packet switching?"),
        ("What did Rogozin say?", "Why did it matter?", "Why did it matter?"),
    ],
)
def test_it_is_the_thing_the_earlier_question_asked_what_it_is(earlier, question, read_as):
    assert resolve_thing(question, thing_asked(earlier)) == read_as


def test_a_follow_up_about_it_is_answered_about_the_thing_asked_before(docs_engine):
    # Read alone, "it" leaves only "Rust version" and "run": the answer was the
    # sentence on where rustfmt reads its settings when it runs.
    answer = docs_engine.ask("Which Rust version do I need to run it?", ["What is rustfmt?"])
    assert not answer.abstained
    assert "You can run rustfmt with Rust 1.24 and above" in " ".join(c.shown for c in answer.citations)
