"""What an article is about: the sentences it opens with, cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.engine import Engine
from qa.summary import asks_summary

from ..conftest import write_corpus


@pytest.mark.parametrize(
    "question, asks",
    [
        ("What is the Behind the Black post about?", True),
        ("Summarize the RT article", True),
        ("Give me a short summary of the op-ed", True),
        ("What does the SpacePolicyOnline article say?", True),
        ("What's the gist of the 2021 op-ed?", True),
        ("Summarize the 2025 articles, please", True),
        # About what an article says of something, or not about an article:
        ("What did the article say about sanctions?", False),
        ("What is the ISS about?", False),
        ("Summarize the treaty's articles on trade", False),
    ],
)
def test_a_question_for_what_an_article_is_about_is_told_apart(question: str, asks: bool) -> None:
    assert asks_summary(question) is asks


def quoted(engine: Engine, answer) -> None:
    """Every citation quotes its file exactly."""
    for c in answer.citations:
        text = (Path(engine.settings.corpus) / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote


def test_an_article_named_by_its_outlet_is_told_by_its_opening_sentences(engine: Engine) -> None:
    answer = engine.ask("What is the Behind the Black post about?")
    assert not answer.abstained and len(answer.citations) == 2
    assert {c.source for c in answer.citations} == {"001_2c412687df2d06db.txt"}
    # Its first sentence, not the title above it, and in the article's order.
    assert answer.citations[0].quote.startswith("A string of short articles in Russia’s state-run press today")
    assert answer.citations[0].start < answer.citations[1].start
    assert answer.answer.startswith("Behind the Black (2025-08): ")
    quoted(engine, answer)


def test_each_article_an_outlet_published_is_told(engine: Engine) -> None:
    answer = engine.ask("Summarize the RT article")
    assert {c.source for c in answer.citations} == {"003_573ec961aca9243d.txt", "004_a65aae2e38a59293.txt"}
    assert answer.answer.count("RT (2025-08): ") == 2
    quoted(engine, answer)


def test_a_title_of_two_sentences_is_no_part_of_the_lead(engine: Engine) -> None:
    # "Biden Needs Russia's RosCosmos and Rare Earths. His June 16th Meeting With Putin Just Got More Interesting."
    answer = engine.ask("Give me a summary of the op-ed")
    title = "Biden Needs Russia's RosCosmos and Rare Earths. His June 16th Meeting With Putin Just Got More Interesting."
    assert answer.citations and all(c.quote not in title for c in answer.citations)
    assert {c.source for c in answer.citations} == {"000_50b292b35026a21a.txt"}


def test_a_pages_lead_skips_its_byline_and_headings(settings, tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "harbour-report.md": "# Harbour annual report 2024\n\nBy Jane Doe, harbour master\n\n## Summary\n\n"
            "The harbour handled 1.2 million tonnes of cargo in 2024, eight percent more than the year before. "
            "Dredging of the outer channel finished in March, two months early.\n\n## Traffic\n\nFerries made 4,100 crossings.\n",
            "ferry-notice.md": "# Ferry timetable change\n\nFrom 1 May the first ferry of the day leaves at 06:40 instead of 07:10.\n",
        },
    )
    engine = Engine(settings.replace(corpus=corpus, index_dir=tmp_path / "index"))
    engine.build()
    answer = engine.ask("What is the harbour report about?")
    assert [c.quote for c in answer.citations] == [
        "The harbour handled 1.2 million tonnes of cargo in 2024, eight percent more than the year before.",
        "Dredging of the outer channel finished in March, two months early.",
    ]
    quoted(engine, answer)
