"""Greetings, thanks and questions about the assistant: answered with what it can do, not searched."""

from __future__ import annotations

import pytest

from qa.conversation import ABOUT, GREETING, LISTED, THANKS, asked_part, reply, turn_kind
from qa.engine import Engine


@pytest.mark.parametrize(
    "message, kind",
    [
        ("hi", GREETING),
        ("Hello there!", GREETING),
        ("Good morning, how are you?", GREETING),
        ("thanks!", THANKS),
        ("OK, thank you so much", THANKS),
        ("great", THANKS),
        ("What can you do?", ABOUT),
        ("what are these articles about?", ABOUT),
        ("Which documents do you have?", ABOUT),
        ("help", ABOUT),
        ("Summarize the articles", ABOUT),
        ("Give me an overview of these documents.", ABOUT),
        ("List the articles", ABOUT),
        ("How many documents are there?", ABOUT),
        ("Which sources do you use?", ABOUT),
        # Questions about the articles, however they open or close.
        ("Hi, who heads Roscosmos?", ""),
        ("Thanks. When did Russia join the program?", ""),
        ("Thanks to whom did the station survive?", ""),
        ("What can you tell me about Bakanov?", ""),
        ("Help me find who signed the treaty", ""),
        ("What are the articles of the treaty about?", ""),
        ("Summarize the treaty's articles on trade", ""),
        ("Give me an overview of the ISS program", ""),
        ("List the partners of the ISS", ""),
        ("How many articles mention Krikalev?", ""),
        ("Who are you meeting in Houston, Mr Bakanov?", ""),
    ],
)
def test_only_a_whole_greeting_thanks_or_question_about_the_assistant_is_one(message: str, kind: str) -> None:
    assert turn_kind(message) == kind


def test_a_greeting_is_answered_with_the_collection_and_its_example_questions() -> None:
    documents = {
        "a.txt": {"title": "Ferry fares rise", "publisher": "Harbour News", "date": "2025-03"},
        "b.md": {"title": "", "publisher": "", "date": ""},
    }
    text = reply(GREETING, documents, ["How much is an adult return?", "When does the ferry leave?", "A third?"])
    assert text.startswith("Hello!")
    assert "2 articles" in text and "“Ferry fares rise” (Harbour News, 2025-03)" in text and "“b.md”" in text
    assert "“How much is an adult return?” or “When does the ferry leave?”" in text and "A third" not in text


def test_a_large_collection_is_counted_and_a_few_of_its_titles_named() -> None:
    documents = {f"{k:03}.txt": {"title": f"Report {k}"} for k in range(40)}
    text = reply(ABOUT, documents, [])
    assert "40 articles" in text and "35 more" in text
    assert sum(f"“Report {k}”" in text for k in range(40)) == LISTED


@pytest.mark.parametrize(
    "message, asked",
    [
        ("hi there! quick one - how many seats does Terminus have?", "how many seats does Terminus have?"),
        ("Thanks, that helps. And who approves it?", "And who approves it?"),
        ("thanks! one more - who heads Roscosmos?", "who heads Roscosmos?"),
        ("Good morning team, where do I park?", "where do I park?"),
        ("Question: who approves swaps?", "who approves swaps?"),
        ("Hey - does the VPN work abroad?", "does the VPN work abroad?"),
        # Nothing but a greeting or thanks, or no opening at all: the message as it is.
        ("thanks!", "thanks!"),
        ("Thanks to whom did the station survive?", "Thanks to whom did the station survive?"),
        ("Thanksgiving dates?", "Thanksgiving dates?"),
        ("Hi-fi speakers in Terminus?", "Hi-fi speakers in Terminus?"),
        ("Nice work on the budget. Who approved it?", "Nice work on the budget. Who approved it?"),
        # Thanks after the question, or a hope that all is well before it.
        ("Who approves swaps? Many thanks!", "Who approves swaps?"),
        ("Hello, hope you're well :) What was the total income in 2025? Thank you :)", "What was the total income in 2025?"),
        ("what was the oil crisis called Thanks", "what was the oil crisis called"),
        ("Who sang Thank You", "Who sang Thank You"),
        ("Is it cool", "Is it cool"),
    ],
)
def test_a_message_is_read_without_the_greeting_or_thanks_it_opens_or_closes_with(message: str, asked: str) -> None:
    assert asked_part(message) == asked


def test_a_question_after_thanks_is_answered_as_if_asked_alone(engine: Engine) -> None:
    alone = engine.ask("who is the head of Roscosmos in the 2025 articles?")
    after = engine.ask("thanks! one more - who is the head of Roscosmos in the 2025 articles?")
    assert after.question.startswith("thanks!")  # the answer repeats the message as sent
    assert not after.abstained and after.answer == alone.answer
    assert engine.prepare("thanks! one more - who is the head of Roscosmos?").query.answer_type == "person"
    # And one with thanks after it: neither searched for nor read as what is asked.
    assert engine.ask("who is the head of Roscosmos in the 2025 articles? Many thanks!").answer == alone.answer
    assert engine.prepare("Who heads Roscosmos? Cheers.").query.answer_type == "person"


def test_the_engine_answers_a_greeting_without_searching(engine: Engine) -> None:
    answer = engine.ask("Hello!")
    assert answer.conversation and answer.abstained and answer.citations == []
    titles = [meta["title"] for meta in engine.reader().documents.values()]
    assert f"{len(titles)} articles" in answer.answer and all(t in answer.answer for t in titles)
    assert answer.to_dict()["conversation"] is True
    # A question about the articles is not one.
    assert not engine.ask("When did Russia join the space station program?").conversation


def test_thanks_between_turns_is_no_turn_a_follow_up_points_back_at(engine: Engine) -> None:
    history = ["Who was acting NASA Administrator when Bakanov visited?", "thanks!"]
    assert "Sean Duffy" in engine.prepare("How long had he been in that post?", history).query.asked
