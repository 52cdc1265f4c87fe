"""Questions about an article itself: its date and author as the collection
records them, and what it is about as its opening sentences say, cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.articles import AUTHOR_ASKED, DATE_ASKED, article_asked, asked_of_article, asks_summary, spoken_date, titled
from qa.engine import Engine

from ..conftest import write_corpus


@pytest.mark.parametrize(
    "question, asks",
    [
        ("When was the RT article published?", DATE_ASKED),
        ("When did the Behind the Black post come out?", DATE_ASKED),
        ("What is the date of the op-ed?", DATE_ASKED),
        ("What year was the report on the lunar reactor published?", DATE_ASKED),
        ("How old is the Zimmerman article?", DATE_ASKED),
        ("Who wrote the RT article?", AUTHOR_ASKED),
        ("Who is the author of the SpacePolicyOnline piece?", AUTHOR_ASKED),
        # What the articles themselves may say:
        ("When was the interview with Putin?", ""),
        ("When is the ISS planned to retire, according to the 2025 Behind the Black post?", ""),
        ("When did Russia join the space station program?", ""),
        ("When was the report's recommendation adopted?", ""),
        ("What is the date of the report's deadline?", ""),
        ("Who wrote the letter quoted in the article?", ""),
        ("Who wrote to Rogozin about the sanctions?", ""),
    ],
)
def test_a_question_for_what_the_collection_records_of_an_article_is_told_apart(question: str, asks: str) -> None:
    assert article_asked(question) == asks


@pytest.mark.parametrize("date, spoken", [("2021-06-14", "14 June 2021"), ("2025-08", "August 2025"), ("2025", "2025"), ("spring 2024", "spring 2024")])
def test_a_recorded_date_is_said_as_a_reader_says_it(date: str, spoken: str) -> None:
    assert spoken_date(date) == spoken


def test_an_articles_date_is_answered_from_what_the_collection_records(engine: Engine) -> None:
    # No sentence of either RT article states its date: searched, the question found
    # whatever sentence was nearest ("And that in the great void above us ...").
    answer = engine.ask("When was the RT article published?")
    assert answer.conversation and not answer.citations
    assert "“Why US and Russia are bound to cooperate beyond Earth”" in answer.answer
    assert "“Space: A realm of cooperation for Moscow and Washington”" in answer.answer
    assert answer.answer.count("is dated August 2025") == 2


def test_an_outlet_is_named_without_its_web_domain(engine: Engine) -> None:
    answer = engine.ask("When was the SpacePolicyOnline piece published?")
    assert answer.answer.startswith("“Putin Wants Continued Space Cooperation With U.S.” (SpacePolicyOnline.com) is dated 14 June 2021.")


def test_an_article_named_by_its_subject_is_the_one_the_search_finds(engine: Engine) -> None:
    answer = engine.ask("When was the op-ed about Biden needing Russia's rare earths published?")
    assert answer.answer.startswith("“Biden Needs Russia's RosCosmos and Rare Earths.") and "June 2021" in answer.answer


def test_an_author_the_text_does_not_name_is_answered_from_the_record(engine: Engine) -> None:
    answer = engine.ask("Who wrote the Behind the Black post?")
    assert answer.conversation and not answer.citations
    assert "(Behind the Black, August 2025) is by Robert Zimmerman." in answer.answer
    nobody = engine.ask("Who wrote the SpacePolicyOnline article?")
    assert "The collection records no author for “Putin Wants Continued Space Cooperation With U.S.”" in nobody.answer
    # Searched, this one was answered with sentences about the visit that name no writer.
    assert engine.ask("Who is the author of the article about Bakanov's visit?").conversation


def test_a_byline_in_the_text_answers_who_wrote_an_article_with_its_citation(engine: Engine) -> None:
    answer = engine.ask("Who wrote the op-ed arguing that Biden needs Roscosmos and rare earths?")
    assert not answer.conversation and not answer.abstained
    assert "Devonshire-Ellis" in answer.answer and any("Op/Ed by Chris Devonshire-Ellis" in c.quote for c in answer.citations)
    # As sure as the record that names an author: no caution, whatever the scorer makes of a byline.
    assert answer.answerable is None and not answer.caution
    named = engine.ask("Who wrote the Russia Briefing op-ed?")
    assert "Devonshire-Ellis" in named.answer and named.answerable is None and not named.caution


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
            "harbour-report.md": "# Harbour annual report 2024\n\nBy Jane Doe, harbour master\n\n"
            "Maintained by the Harbour Office, Quay Road, Wrenbury (ext. 4730).\n\n## Summary\n\n"
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


@pytest.mark.parametrize(
    "question, earlier, asked",
    [
        ("When was it published?", "What is the Behind the Black post about?", (False, DATE_ASKED)),
        ("Who wrote it?", "What is the Behind the Black post about?", (False, AUTHOR_ASKED)),
        ("What is it about?", "Who wrote the Behind the Black post?", (True, "")),
        ("And the Behind the Black one?", "When was the RT article published?", (False, DATE_ASKED)),
        # A question of what the article says, or after a turn about no article:
        ("Why is Russia lobbying?", "What is the Behind the Black post about?", (False, "")),
        ("When was it published?", "Who heads Roscosmos?", (False, "")),
    ],
)
def test_a_follow_up_asks_of_an_article_what_the_earlier_turn_did(question: str, earlier: str, asked: tuple[bool, str]) -> None:
    assert asked_of_article(question, earlier) == asked


def test_a_follow_up_is_answered_of_the_article_the_earlier_turn_named(engine: Engine) -> None:
    about = ["What is the Behind the Black post about?"]
    assert "(Behind the Black) is dated August 2025." in engine.ask("When was it published?", about).answer
    assert "is by Robert Zimmerman." in engine.ask("Who wrote it?", about).answer
    other = engine.ask("And the Behind the Black one?", ["When was the RT article published?"])
    assert other.answer.startswith("“Russia desperately lobbies the U.S. to continue and expand its space partnership” (Behind the Black) is dated")
    searched = engine.ask("Why is Russia lobbying?", about)
    assert not searched.conversation and searched.citations


def test_a_page_named_by_its_titles_words_is_the_one_meant(intranet_engine: Engine) -> None:
    # "Expenses and Travel Policy": the search alone found the VPN page first.
    answer = intranet_engine.ask("What is the travel policy page about?")
    assert answer.citations and {c.source for c in answer.citations} == {"expenses_travel.md"}
    # The page carries no date, and nothing else in the answer does either.
    assert answer.answer.startswith("Expenses and Travel Policy: ")
    assert "“Service catalogue” carries no date." in intranet_engine.ask("When was the service catalogue page published?").answer


@pytest.mark.parametrize(
    "question, found",
    [
        ("What is the travel policy page about?", ["b.md"]),
        ("Summarize the ferry timetable", ["c.md"]),
        # One word shared by several titles names none of them.
        ("When was the policy page published?", []),
    ],
)
def test_titled_finds_the_articles_whose_titles_a_question_says(question: str, found: list[str]) -> None:
    documents = {"a.md": {"title": "Remote working policy"}, "b.md": {"title": "Expenses and Travel Policy"}, "c.md": {"title": "Ferry timetable"}}
    assert titled(question, documents) == found


def test_a_message_that_also_asks_of_an_article_is_answered_in_each_part(engine: Engine) -> None:
    both = engine.ask("What is the Behind the Black post about, and when was it published?")
    assert not both.abstained and {c.source for c in both.citations} == {"001_2c412687df2d06db.txt"}
    assert "(Behind the Black) is dated August 2025." in both.answer and "I could not find" not in both.answer
    records = engine.ask("When was the RT article published, and who wrote it?")
    assert records.conversation and not records.citations
    assert "is dated August 2025" in records.answer and "The collection records no author for" in records.answer
    # Both parts' replies close with the same note: the joined reply says it once, at its end.
    closing = engine.ask("When was the RT article published?").answer.rsplit(". ", 1)[-1]
    assert records.answer.count(closing) == 1 and records.answer.endswith(closing)
