"""Answers on the seed corpus: exact citations, abstention, follow-ups, dates."""

from __future__ import annotations

import re

import pytest

from qa.errors import QuestionError
from qa.extractive import ABSTAIN_TEXT, with_marker, without_note_marks


def assert_citations_hold(answer, seeds):
    for c in answer.citations:
        text = (seeds / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote, c


def test_every_citation_on_the_question_set_is_exact(engine, dev_questions, seeds):
    for q in dev_questions:
        answer = engine.ask(q["question"], q.get("history", []))
        assert_citations_hold(answer, seeds)
        if not answer.abstained:
            assert answer.citations
            for c in answer.citations:
                assert f"[{c.n}]" in answer.answer


def test_answer_object_matches_the_contract(engine):
    d = engine.ask("When did Russia join the space station program?").to_dict()
    assert {"question", "answer", "abstained", "citations", "timings_ms"} <= set(d)
    assert d["abstained"] is False and "1993" in d["answer"]
    c = d["citations"][0]
    assert {"n", "source", "title", "quote", "start", "end", "score"} <= set(c)
    assert c["source"] == "002_026fb524575c518d.txt"
    assert c["title"] == "Putin Wants Continued Space Cooperation With U.S."
    assert {"retrieve", "answer", "total"} <= set(d["timings_ms"])


@pytest.mark.parametrize(
    "question",
    ["What is the recipe for borscht?", "Who is the president of France?", "How many satellites does Starlink have?"],
)
def test_abstains_when_the_corpus_cannot_answer(engine, question, seeds):
    answer = engine.ask(question)
    assert answer.abstained
    assert answer.answer.startswith(ABSTAIN_TEXT)
    assert_citations_hold(answer, seeds)


@pytest.mark.parametrize(
    "question",
    ["How many volunteers did the charity recruit in 2025?", "How many patients did the clinic see in June 2021?", "Which team won the league in 2021?"],
)
def test_a_question_about_something_else_is_abstained_on_though_it_names_when_the_articles_are_dated(engine, question):
    # The articles are dated June 2021 and August 2025: the date is all these questions share with them.
    assert engine.ask(question).abstained


@pytest.mark.parametrize(
    "question",
    ["How tall is Elon Musk?", "How heavy is the ISS?", "How fast does the ISS travel?", "What percentage of Russians support space cooperation?"],
)
def test_a_quantity_the_articles_never_give_is_abstained_on(engine, question):
    # The articles name Musk, the ISS and Russians, and give no length, weight, speed or share of them.
    assert engine.ask(question).abstained


def test_a_title_in_capitals_names_no_one_who_answers(intranet_engine):
    # "Expenses and Travel Policy" is the page's title, not a person's name.
    answer = intranet_engine.ask("Who owns the expenses policy?")
    assert answer.answer.startswith("Owner: Grace Lindqvist")
    assert all("Travel Policy" not in c.quote for c in answer.citations)


@pytest.mark.parametrize(
    "question, fact",
    [("Who represented NASA in the 2025 talks with Roscosmos?", "Duffy"), ("What did Putin tell NBC in June 2021 about the ISS?", "space cooperation")],
)
def test_a_question_about_the_articles_that_names_their_date_is_answered(engine, question, fact):
    answer = engine.ask(question)
    assert not answer.abstained and fact in answer.answer


def test_follow_up_resolves_pronoun_from_history(engine):
    alone = engine.ask("Why did he visit the United States?")
    followed = engine.ask("Why did he visit the United States?", ["Who is the head of Roscosmos in 2025?"])
    assert not followed.abstained
    assert "Bakanov" in followed.answer or "Platonov" in followed.answer
    assert any(c.source in {"003_573ec961aca9243d.txt", "004_a65aae2e38a59293.txt"} for c in followed.citations)
    assert followed.answer != alone.answer or "Bakanov" in alone.answer


@pytest.mark.parametrize(
    "question", ["What is Roscosmos?", "What is the name of the tool that Roscosmos uses to launch cosmonauts?", "Is there a Russian segment on the ISS?"]
)
def test_a_question_that_names_what_it_asks_about_is_answered_the_same_after_unrelated_turns(engine, question):
    unrelated = ["What did the memo warn another country could declare?", "When did Russia join the space station program?"]
    assert engine.ask(question, unrelated).answer == engine.ask(question).answer


def test_office_holders_of_different_years_are_dated(engine):
    answer = engine.ask("Who heads Roscosmos?")
    assert not answer.abstained
    assert {c.date[:4] for c in answer.citations} == {"2021", "2025"}
    # Each claim says which outlet and date it comes from.
    for c in answer.citations:
        assert f"({c.date})" in answer.answer
    assert "Rogozin" in answer.answer and "Bakanov" in answer.answer


def test_near_duplicates_are_not_cited_twice(engine):
    answer = engine.ask("What did Duffy agree to?")
    quotes = [" ".join(c.quote.lower().split()) for c in answer.citations]
    assert len(quotes) == len(set(quotes))


def test_sentences_stating_other_numbers_are_not_near_duplicates(docs_engine):
    # The zlib FAQ's "a 4 GB limit only if ... long is 32 bits" and "If ... long
    # is 64 bits, then the limit is 16 exabytes" embed almost alike; the second
    # is the answer, not a copy of the first.
    answer = docs_engine.ask("How much data can zlib handle if the compiler's long type is 64 bits?")
    assert not answer.abstained
    assert any("16 exabytes" in c.quote for c in answer.citations), answer.answer


def test_why_something_did_not_happen_is_answered_with_its_cause(reports_engine):
    # The question negates; its answer, a cause, need not.
    answer = reports_engine.ask("Why didn't the standby generator start when the grid supply dipped?")
    assert not answer.abstained
    assert "battery" in answer.answer


def test_a_table_whose_header_abbreviates_its_months_answers_a_question_naming_them(reports_engine):
    # The header reads "Contacts 2025 (Jan–Sep)".
    answer = reports_engine.ask("How many contacts came through the telephone contact centre between January and September 2025?")
    assert not answer.abstained and "268,900" in answer.answer


def test_a_question_spelling_out_an_acronym_the_report_defines_is_answered_where_it_abbreviates(reports_engine):
    # The report defines "lost-time injury (LTI)" once, then writes "LTI".
    answer = reports_engine.ask("What lost-time injury frequency rate does the company aim for by March 2026?")
    assert not answer.abstained and "0.35" in answer.answer


def test_a_caption_does_not_answer_for_its_table(reports_engine):
    # "Table 1: Employees, hours worked, lost-time injuries ... by site" shares
    # the question's words and says nothing; the note defining the term does.
    question = "How long does someone have to be off work for an injury to count as a lost-time injury?"
    answer = reports_engine.ask(question)
    assert "at least one full shift" in answer.answer
    assert not answer.citations[0].quote.startswith("Table 1:")


def test_a_notes_marks_in_a_quoted_sentence_are_not_taken_for_the_answers_markers(reports_engine):
    # "Nine employees suffered a lost-time injury (LTI) [2], compared with ...":
    # the report's note mark would read as the answer's second citation.
    answer = reports_engine.ask("How many employees suffered a lost-time injury last year?")
    assert "Nine employees" in answer.answer
    markers = re.findall(r"\[(\d+)\]", answer.answer)
    assert markers == [str(c.n) for c in answer.citations]


@pytest.mark.parametrize(
    "sentence, shown",
    [
        ("An injury (LTI) [2], against fourteen in 2023-24 [4].", "An injury (LTI), against fourteen in 2023-24."),
        ("[2] A lost-time injury keeps someone off work.", "A lost-time injury keeps someone off work."),
        ("It survives to this day.[3] A diaspora followed.", "It survives to this day. A diaspora followed."),
        # Code keeps its indexes and lists.
        ('if (strcmp(argv[1], "-d") == 0)', 'if (strcmp(argv[1], "-d") == 0)'),
        ("Set x = [1] first.", "Set x = [1] first."),
    ],
)
def test_a_notes_mark_is_left_out_but_code_is_kept(sentence, shown):
    assert without_note_marks(sentence) == shown


def test_comments_are_attributed_as_comments(engine):
    answer = engine.ask("What did a reader say about Germany's fiscal free fall?")
    assert not answer.abstained
    assert [c.kind for c in answer.citations] == ["comment"]
    assert answer.answer.startswith("A reader comment says:")
    # Never as the publisher's reporting: no answer about the ISS cites a comment.
    assert all(c.kind != "comment" for c in engine.ask("When is the ISS planned to be retired?").citations)


@pytest.mark.parametrize("question", ["", "   \n\t ", None])
def test_empty_question_is_refused_with_advice(engine, question):
    with pytest.raises(QuestionError, match="empty") as exc:
        engine.ask(question)
    assert exc.value.hint and exc.value.status == 400


@pytest.mark.parametrize("question", ["???", "🚀", "…?!"])
def test_question_without_words_is_refused_with_advice(engine, question):
    with pytest.raises(QuestionError, match="no words") as exc:
        engine.ask(question)
    assert exc.value.hint and exc.value.status == 400


def test_oversized_question_is_refused_with_advice(engine):
    with pytest.raises(QuestionError, match="100,000 characters") as exc:
        engine.ask("a" * 100_000)
    # The advice is for whoever asked, who cannot change the server's settings.
    assert "fewer words" in exc.value.hint and "QA_" not in exc.value.hint


def test_bad_history_is_refused(engine):
    with pytest.raises(QuestionError, match="history"):
        engine.ask("Who heads NASA?", "not a list")


def test_follow_up_pronoun_points_at_the_earlier_answer(engine):
    # "he" is whoever the engine answered the first question with; the
    # follow-up names neither him nor NASA.
    first = engine.ask("Who was the NASA Administrator in June 2021?")
    assert not first.abstained and "Nelson" in first.answer
    followed = engine.ask("What did he say about Russia?", ["Who was the NASA Administrator in June 2021?"])
    assert not followed.abstained
    assert "Nelson" in followed.answer or all("Nelson" in c.quote or c.source.startswith(("000", "002")) for c in followed.citations)


def test_follow_up_pronoun_points_at_the_person_the_earlier_question_asked_about(engine):
    # "Who is Sergey Krikalev?" asks about him: "he" is Krikalev, not
    # someone else the answer happens to name.
    followed = engine.ask("What did he suggest about the ISS?", ["Who is Sergey Krikalev?"])
    assert not followed.abstained
    assert "Krikalev suggested" in followed.answer.split(" [")[0]
    assert "2030" in followed.answer


def test_a_place_named_by_the_earlier_question_is_not_who_he_is(engine):
    # "the United States" is a name of two capitalised words, and no person.
    request = engine.prepare("And who is he meeting besides the NASA chief?", ["What was Bakanov doing in the United States?"])
    assert "United States" not in request.query.asked


def test_a_follow_up_without_a_pronoun_reads_the_earlier_turn_as_its_topic(engine):
    # "its high" means NASA's share of the budget, the earlier turn's subject.
    followed = engine.ask("And what was its high?", ["What share of the national budget does NASA claim?"])
    assert not followed.abstained
    assert "4.5%" in followed.answer


def test_who_question_about_another_role_does_not_get_office_holders_appended(engine):
    # The articles name Roscosmos's heads of 2021 and 2025, nobody at the ESA:
    # no sentence from another date is added as "the other holder".
    answer = engine.ask("Who is the director general of the European Space Agency?")
    assert len({c.date[:4] for c in answer.citations}) <= 1 or answer.abstained


def test_who_did_something_is_no_office_and_gets_no_holder_of_another_date(engine):
    # Talking to Rogozin is no office: Rogozin's successor of 2025 is not
    # "the other holder", and the 2021 answer needs no dates.
    answer = engine.ask("Who talked to Rogozin?")
    assert not answer.abstained and "Nelson" in answer.answer
    assert "Borisov" not in answer.answer
    assert {c.date[:4] for c in answer.citations} == {"2021"}


@pytest.mark.parametrize(
    "sentence, shown",
    [
        ("Russia joined in 1993.", "Russia joined in 1993 [1]."),
        ("Did it work?", "Did it work [1]?"),
        ("Scopes are followed by a slash, e.g.", "Scopes are followed by a slash, e.g. [1]"),  # the stop is the abbreviation's
        ("The station was built by the U.S.", "The station was built by the U.S. [1]"),
        ("Wait for it...", "Wait for it... [1]"),
        ("use the function ffi_prep_cif .", "use the function ffi_prep_cif [1]."),
    ],
)
def test_the_citation_marker_goes_before_the_closing_stop_unless_the_stop_is_an_abbreviation(sentence, shown):
    assert with_marker(sentence, 1) == shown


def test_the_citation_marker_goes_after_a_line_of_code_whose_stop_is_its_own():
    assert with_marker("docker build -t kiosk:2.1 .", 1, code=True) == "docker build -t kiosk:2.1 . [1]"


def test_a_name_in_what_the_question_says_first_does_not_make_it_unanswerable(engine, seeds):
    # Users set the scene before they ask; a name there the articles never use is not asked about.
    question = "I read about this on Zorblax News last week. When did Russia join the space station program?"
    assert engine.prepare(question).query.unknown_names == []
    story = engine.ask(question)
    assert not story.abstained and "1993" in story.answer
    assert engine.prepare("When did Russia join the Zorblax program?").query.unknown_names == ["Zorblax"]
    assert_citations_hold(story, seeds)


def test_a_two_letter_abbreviation_is_no_name_the_articles_lack(engine):
    # "Jr" and "Dr" are words the articles may never use; they name nobody.
    assert engine.prepare("Which Dr launched the Zorblax Jr program?").query.unknown_names == ["Zorblax"]
    assert engine.prepare("Is the US in the ISS program?").query.unknown_names == []


def test_a_year_no_article_names_is_a_name_the_articles_lack(engine, seeds):
    # The articles name 1975 and 1993 and are dated 2021 and 2025; nothing of 2010.
    assert engine.prepare("What happened in 1993?").query.unknown_names == []
    assert engine.prepare("What was agreed in June 2025?").query.unknown_names == []  # a year the articles name and are dated
    assert engine.prepare("What happened in the 1990s?").query.unknown_names == []  # a decade holding 1993
    assert engine.prepare("What happened in 1983?").query.unknown_names == ["1983"]
    assert engine.prepare("What happened in the 1950s?").query.unknown_names == ["1950s"]
    assert engine.prepare("What changed between 1983 and 1993?").query.unknown_names == ["1983"]
    # A number that only looks like a year: an article may write it "1,500".
    assert engine.prepare("Which module holds 1500 kilograms of fuel?").query.unknown_names == []
    story = engine.ask("Who was the NASA Administrator in 2010?")
    assert story.abstained, story.answer


def test_a_short_answer_takes_a_less_likely_sentence_of_its_own_article(docs_engine):
    # "To prepare a call interface object, use the function ffi_prep_cif." is
    # short; the sentence after it, on variadic functions, is less likely but
    # holds the answer, and joins.
    answer = docs_engine.ask("How do I prepare a call interface for a varargs function like printf?")
    assert not answer.abstained
    assert "ffi_prep_cif_var must be used instead of ffi_prep_cif" in answer.answer
    # A less likely sentence of another article does not join a short answer.
    answer = docs_engine.ask("Which RFC specifies the Zstandard format?")
    assert "RFC8878" in answer.answer and {c.source for c in answer.citations} == {"zstd-readme.md"}


def test_a_command_in_a_code_block_is_no_headline(docs_engine):
    # A line of code states no sentence and ends on no full stop, as a
    # headline does; it is not scored as one, and the command is the answer.
    answer = docs_engine.ask("How do I install rustfmt on nightly?")
    assert not answer.abstained
    assert "rustup component add rustfmt --toolchain nightly" in {c.shown for c in answer.citations}
