"""Questions that ask two things: split, answered in turn, and joined into one answer."""

from __future__ import annotations

import re

import pytest

from qa.compound import MAX_PARTS, join, parts
from qa.explain import render_trace
from qa.types import Answer, AnswerSentence, Citation


@pytest.mark.parametrize(
    "question, asked",
    [
        ("Who heads Roscosmos and when did Russia join the ISS?", ["Who heads Roscosmos?", "when did Russia join the ISS?"]),
        ("On which day was the works busiest, and how much did it put out?", ["On which day was the works busiest?", "how much did it put out?"]),
        # What sets the scene goes with both; the second part may lean on the first.
        (
            "I'm working from Spain in October. How much notice do I need to give, and who approves it?",
            ["I'm working from Spain in October. How much notice do I need to give?", "I'm working from Spain in October. who approves it?"],
        ),
        # A part without words of its own is no question of its own: the first's answer may hold it.
        ("Will I lose the VPN during the upgrade in July? For how long?", ["Will I lose the VPN during the upgrade in July? For how long?"]),
        ("How much notice do I need to give, and who do I tell?", ["How much notice do I need to give?", "who do I tell?"]),
        # A message of several questions: each, with what comes before the first.
        (
            "I read the RT piece. Who heads Roscosmos? When did Russia join the ISS?",
            ["I read the RT piece. Who heads Roscosmos?", "I read the RT piece. When did Russia join the ISS?"],
        ),
        ("Really? Who heads Roscosmos?", ["Really? Who heads Roscosmos?"]),  # "Really?" asks nothing of its own
        # Typed in lower case: a question opens with no capital.
        ("my pc broke. is the desk open today? who approves swaps?", ["my pc broke. is the desk open today?", "my pc broke. who approves swaps?"]),
        # A yes-or-no question may open with any auxiliary, "may" and "might" too.
        ("Can I bring a guest to the party? May I park on site?", ["Can I bring a guest to the party?", "May I park on site?"]),
        # One question, however many "and"s.
        ("When and where did it happen?", ["When and where did it happen?"]),
        ("Who did it and why?", ["Who did it and why?"]),
        ("What is the difference between rustfmt and what clippy suggests?", ["What is the difference between rustfmt and what clippy suggests?"]),
        ("European nations and which country disassociated themselves from the US?", ["European nations and which country disassociated themselves from the US?"]),
        ("Agassiz's approach combined observation and what?", ["Agassiz's approach combined observation and what?"]),
    ],
)
def test_a_question_that_asks_two_things_is_two_questions(question, asked):
    assert parts(question) == asked


def _cited(n: int, start: int) -> Citation:
    quote = f"Sentence {start}."
    return Citation(n=n, source="a.txt", title="A", quote=quote, shown=quote, start=start, end=start + len(quote), score=1.0)


def _answer(question: str, cited: list[Citation]) -> Answer:
    sentences = [AnswerSentence(text=f"Sentence {c.start} [{c.n}].", citations=(c.n,)) for c in cited]
    return Answer(question=question, answer=" ".join(s.text for s in sentences), abstained=False, citations=cited, sentences=sentences)


def test_joined_answers_number_their_citations_anew_and_say_a_shared_sentence_once():
    first = _answer("Q1?", [_cited(1, 10), _cited(2, 20)])
    second = _answer("q2?", [_cited(1, 20), _cited(2, 30)])  # its first sentence is the first answer's second
    joined = join("Q1, and q2?", ["Q1?", "q2?"], [first, second])
    assert joined.answer == "Sentence 10 [1]. Sentence 20 [2]. Sentence 30 [3]."
    assert [(c.n, c.start) for c in joined.citations] == [(1, 10), (2, 20), (3, 30)]
    assert not joined.abstained and joined.question == "Q1, and q2?"


def test_a_part_the_articles_do_not_answer_is_said_so():
    first = _answer("What is Q1?", [_cited(1, 10)])
    second = Answer(question="Who is q2?", answer="I could not find that in the articles.", abstained=True, citations=[_cited(1, 50)])
    joined = join("What is Q1 and who is q2?", ["What is Q1?", "Who is q2?"], [first, second])
    assert joined.answer == "Sentence 10 [1]. I could not find an answer to “Who is q2?” in the articles."
    assert [c.start for c in joined.citations] == [10]  # the closest passages of the unanswered part are not its citations
    # A part that leans on the one before may be answered by its answer: no word of it.
    leaning = join("Q1, and who do I tell?", ["Q1?", "who do I tell?"], [first, second])
    assert leaning.answer == "Sentence 10 [1]."
    both = join("Q1 and q2?", ["Q1?", "q2?"], [second, second])
    assert both.abstained and both.question == "Q1 and q2?"


def test_questions_past_the_fifth_are_named_to_be_asked_again():
    message = "Who is Ann? Who is Bo? Who is Cy? Who is Di? Who is Ed? Who is Flo? Who is Gus?"
    assert len(parts(message)) == 7
    asked = parts(message)[:MAX_PARTS]
    joined = join(message, asked, [_answer(q, [_cited(1, 10 * (k + 1))]) for k, q in enumerate(asked)])
    assert joined.answer.endswith("Only the first 5 questions of the message are answered here; please ask “Who is Flo?”, “Who is Gus?” separately.")
    assert len(joined.citations) == 5
    unanswered = Answer(question="Who is Ann?", answer="I could not find that in the articles.", abstained=True, citations=[])
    nothing = join(message, asked, [unanswered] * 5)
    assert nothing.abstained and "“Who is Flo?”, “Who is Gus?”" in nothing.answer


def test_a_long_message_is_answered_question_by_question_up_to_the_fifth(engine):
    answer = engine.ask(
        "Who heads Roscosmos in the 2025 articles? When did Russia join the space station program? "
        "Who was the NASA Administrator in June 2021? Where is Baikonur? What is Artemis? Who is Sergey Krikalev?"
    )
    assert "Bakanov" in answer.answer and "1993" in answer.answer
    assert answer.answer.endswith("please ask “Who is Sergey Krikalev?” separately.")


def test_each_part_of_a_two_part_question_is_answered(engine, seeds):
    answer = engine.ask("When did Russia join the space station program, and who heads Roscosmos in the 2025 articles?")
    assert not answer.abstained and "1993" in answer.answer and "Bakanov" in answer.answer
    # Its parts cite articles of 2021 and 2025: as in one answer, each sentence says which.
    assert all(re.match(r"[^:]+ \(20\d\d-\d\d(-\d\d)?\): ", s.text) for s in answer.sentences)
    assert sorted(int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)) == [c.n for c in answer.citations]
    for c in answer.citations:
        assert (seeds / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote


def test_each_question_of_a_message_is_answered(engine):
    answer = engine.ask("Who is the head of Roscosmos in the 2025 articles? When did Russia join the space station program?")
    assert not answer.abstained and "Bakanov" in answer.answer and "1993" in answer.answer


def test_each_question_of_a_message_typed_in_lower_case_is_answered(engine):
    answer = engine.ask("who is the head of roscosmos in the 2025 articles? when did russia join the space station program?")
    assert not answer.abstained and "Bakanov" in answer.answer and "1993" in answer.answer


def test_the_second_part_leans_on_the_first(reports_engine):
    # "how much did it put out that day?" is about Marrowby's busiest day; asked whole, the question was abstained on.
    answer = reports_engine.ask("On which day in 2024 was Marrowby busiest, and how much did it put out that day?")
    assert not answer.abstained and "129 Ml/d" in answer.answer and "19 July 2024" in answer.answer


def test_the_trace_of_a_two_part_question_names_its_parts(engine):
    _, trace = engine.explain("When did Russia join the space station program, and who heads Roscosmos in the 2025 articles?")
    assert trace["question"]["parts"] == ["When did Russia join the space station program?", "who heads Roscosmos in the 2025 articles?"]
    assert "asked as 2 questions" in render_trace(trace)
