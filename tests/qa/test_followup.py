"""Follow-ups: when a question leans on the earlier turns, and what that changes."""

from __future__ import annotations

import pytest

from qa.followup import needs_context


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
