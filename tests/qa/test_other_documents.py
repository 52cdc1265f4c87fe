"""Answers from documents unlike the seeds: hard-wrapped text with Windows line ends, web pages,
Markdown with tables, lists and FAQ entries, a glossary, a settings reference, a manual page, a
plain-text FAQ."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.config import Settings
from index.chunking import readable
from qa.engine import Engine
from qa.evidence import shown_beside
from qa.extractive import _code_in_order
from qa.types import Answer

from ..conftest import write_corpus

DATA = Path(__file__).resolve().parents[1] / "data"
CLEANING = DATA / "cleaning"


@pytest.fixture(scope="module")
def other_engine(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    corpus = tmp_path_factory.mktemp("other") / "corpus"
    shutil.copytree(CLEANING, corpus)
    survey = corpus / "lighthouse-survey.txt"
    survey.write_bytes(survey.read_bytes().replace(b"\n", b"\r\n"))  # as saved on Windows
    faq = corpus / "help-desk-faq.md"
    faq.write_bytes(b"\xef\xbb\xbf" + faq.read_bytes())  # as Notepad saves UTF-8: a byte order mark first
    engine = Engine(settings.replace(corpus=corpus, index_dir=corpus.parent / "index"))
    engine.build()
    return engine


def answered(engine: Engine, question: str, source: str | None = None) -> Answer:
    """The engine's answer to ``question``, asserted given (not abstained), with every
    quote its file's text (see check_quotes), and cited from ``source`` alone when named."""
    got = engine.ask(question)
    assert not got.abstained, got.answer
    check_quotes(engine, got)
    if source is not None:
        assert {c.source for c in got.citations} == {source}
    return got


def check_quotes(engine: Engine, answer) -> None:
    """Every quote is its file's text as read in Python's text mode, sliced at the citation's offsets."""
    for c in answer.citations:
        text = open(engine.settings.corpus / c.source, encoding="utf-8").read()
        assert text[c.start : c.end] == c.quote


def test_a_file_that_opens_with_a_byte_order_mark_is_titled_and_cited_as_without(other_engine: Engine) -> None:
    answer = answered(other_engine, "How do I reset my password at the help desk?", source="help-desk-faq.md")
    reader = other_engine.reader()
    assert reader.meta("help-desk-faq.md")["title"] == "IT help desk: frequently asked questions"
    first = next(s for s in reader.sentences if s.source == "help-desk-faq.md")
    assert first.shown == "IT help desk: frequently asked questions"  # a heading, its mark no text


def test_a_saved_blog_post_is_cited_by_its_own_title_and_the_date_its_byline_states(other_engine: Engine) -> None:
    answer = answered(other_engine, "When did the Alston branch close to passengers?", source="blogger-post.html")
    assert "1 May 1976" in answer.answer
    # Not the blog's name over every post, and dated without a metadata.json.
    assert {(c.title, c.date) for c in answer.citations} == {("The last day of the Alston branch", "2025-05-03")}
    assert other_engine.reader().meta("blogger-post.html")["author"] == "Ian Routledge"


def test_an_encyclopedia_page_is_answered_without_its_reference_marks(other_engine: Engine) -> None:
    answer = answered(other_engine, "When did the last keepers leave Harwick Lighthouse?")
    first = answer.citations[0]
    assert first.source == "wikipedia-article.html"
    # The sentence alone: no "[3][4]" after it, and not run together with the next one.
    assert first.shown == "The light was converted to electricity in 1923, and the last keepers left on 30 September 1991."
    assert not any("[" in c.shown for c in answer.citations)


def test_an_accordions_question_is_text_and_comes_before_its_answer(other_engine: Engine) -> None:
    answer = answered(other_engine, "Can my visitors park in resident bays?", source="parking-faq.html")
    assert [c.shown for c in answer.citations][:2] == ["Can visitors park in a resident bay?", "Only with a visitor voucher."]


def test_an_faq_answer_naming_days_is_no_headline_and_comes_after_its_question(other_engine: Engine) -> None:
    # "Tuesday to Sunday, 10am to 5pm." is capitalised as sentences naming days are, not as a title is.
    answer = answered(other_engine, "When is the museum open to visitors?")
    assert [(c.source, c.shown) for c in answer.citations[:2]] == [
        ("museum-faq.html", "When is the museum open?"),
        ("museum-faq.html", "Tuesday to Sunday, 10am to 5pm."),
    ]


def test_commands_come_after_the_line_that_introduces_them_and_keep_their_last_character(other_engine: Engine) -> None:
    answer = answered(other_engine, "How do I build the kiosk image?", source="museum-faq.html")
    assert "Build the kiosk image: [1] docker build -t kiosk:2.1 . [2] docker push registry.example/kiosk:2.1 [3]" in answer.answer


def test_lines_of_code_are_shown_in_the_order_the_file_sets_them(other_engine: Engine) -> None:
    # The second line ranked above the first, as when it holds what was asked.
    request = other_engine.prepare("Which registry does the kiosk image go to?")
    reader = request.reader
    lines = {s.text: s for s in reader.sentences if s.source == "museum-faq.html" and s.code}
    prose = next(e for e in request.evidence.ranked if not e.code)
    build, push = (shown_beside(prose, lines[t]) for t in ("docker build -t kiosk:2.1 .", "docker push registry.example/kiosk:2.1"))
    # Together, where the first of them was chosen.
    assert _code_in_order([push, prose, build], reader) == [build, push, prose]


def test_a_sentence_wrapped_over_lines_is_answered_whole(other_engine: Engine) -> None:
    answer = answered(other_engine, "Who built the oldest lighthouse tower, at Marram Head?")
    assert "The oldest tower, at Marram Head, was built in 1836 by the engineer Thomas Rennard and has kept its original iron stair" in answer.answer
    assert "\n" not in answer.answer and "\r" not in answer.answer
    assert answer.citations[0].source == "lighthouse-survey.txt"


def test_a_web_page_is_answered_in_plain_words_and_cited_in_its_markup(other_engine: Engine) -> None:
    answer = answered(other_engine, "What does the rate argument of the valve tool set?")
    assert "The rate argument sets how fast a valve moves, in degrees per second" in answer.answer
    assert "<" not in answer.answer and "&" not in answer.answer
    cited = answer.citations[0]
    assert cited.source == "valve-manual.html" and "<var>rate</var>" in cited.quote
    assert cited.shown.startswith("The rate argument sets how fast a valve moves, in degrees per second;")


def test_a_markdown_answer_shows_the_words_not_the_markup(other_engine: Engine) -> None:
    answer = answered(other_engine, "How can passengers check the day's ferry sailings?")
    assert "Check the day's sailings with ferry status or on the operator's status page [" in answer.answer
    assert "`" not in answer.answer and "](" not in answer.answer
    cited = next(c for c in answer.citations if c.source == "ferry-timetable.md")
    assert "[operator's status page](https://ferry.example/status)" in cited.quote
    assert cited.shown == "Check the day's sailings with ferry status or on the operator's status page."


def test_a_markdown_code_block_is_shown_as_written(other_engine: Engine) -> None:
    # Its "#" is the shell's comment mark, not a heading's.
    answer = answered(other_engine, "How do I undo a deploy of web now?", source="release-notes.md")
    assert "# After: deploy undo web" in {c.shown for c in answer.citations}
    assert "# After: deploy undo web [" in answer.answer


def test_html_in_markdown_is_shown_and_searched_as_its_words(other_engine: Engine) -> None:
    answer = answered(other_engine, "How long are readings kept on the station?")
    assert "Readings are kept for 90 days on the station [" in answer.answer
    assert "<b>" not in answer.answer and "<br>" not in answer.answer
    cited = next(c for c in answer.citations if "90 days" in c.shown)
    assert "<b>90 days</b>" in cited.quote
    reader = other_engine.prepare("When are older records deleted?").reader
    deleted = next(s for s in reader.sentences if "Older records are deleted" in s.text)
    assert "br" not in deleted.terms and "delet" in deleted.terms


@pytest.mark.parametrize(("question", "field"), [
    ("Which firmware do the station settings apply to?", "Applies to: stations with firmware 4.2 or later"),
    ("When were the station settings last reviewed?", "Last reviewed: 2024-09-12"),
])
def test_a_field_on_its_own_line_is_answered_alone(other_engine: Engine, question: str, field: str) -> None:
    answer = answered(other_engine, question)
    assert answer.citations[0].shown == field  # not run together with the fields around it


@pytest.mark.parametrize(("question", "answer"), [
    # The question runs on over a second sentence before its "A:".
    ("My viewer cannot open .tide files. How do I read one?", "A: Unpack it with tidepack -x"),
    # A question put as a statement, its answer wrapped under its mark.
    ("What can I do when a tidepack archive is too big for a memory card?", "A: Pack with --level=9, which roughly halves the size of a week of readings, or split"),
    # The sentence that matches is one the question runs on over, not its "Q:".
    ("Packing a full week of readings drains my gauge's battery before the archive is written. What can I do?", "A: Pack with --level=1"),
])
def test_a_q_and_a_faq_entry_is_answered_with_its_answer(other_engine: Engine, question: str, answer: str) -> None:
    got = answered(other_engine, question)
    assert answer in got.answer, got.answer
    assert "Q: Can I pack" not in got.answer  # not the next entry


def test_a_short_answer_that_refers_back_comes_after_what_it_refers_to(other_engine: Engine) -> None:
    got = answered(other_engine, "When was Alaska admitted as the 49th state?")
    # "It was admitted ..." alone does not say what was.
    assert got.answer.index("Alaska became a territory in 1912") < got.answer.index("It was admitted as the 49th state on January 3, 1959")
    assert [c.shown for c in got.citations][:2] == ["Alaska became a territory in 1912.", "It was admitted as the 49th state on January 3, 1959."]


def test_a_long_answer_that_refers_back_without_the_asked_person_comes_after_whom_it_names(other_engine: Engine) -> None:
    # How the answer is put together, not whether it is given: its best sentence
    # names no person, so P(answerable) sits near the threshold and moves with a refit.
    engine = Engine(other_engine.settings.replace(min_support=0.0))
    got = engine.ask("Who persuaded the trustees to admit women?")
    assert not got.abstained
    # "She argued ..." holds what was done, the sentence before it who did it.
    assert "Margaret Okafor" in got.answer, got.answer
    assert got.answer.index("Margaret Okafor") < got.answer.index("persuaded the trustees to admit women")
    check_quotes(other_engine, got)


def test_a_heading_lends_its_words_to_what_follows_it_not_to_what_it_follows(other_engine: Engine) -> None:
    # "When it is unset, the current directory is used." ends the ENVIRONMENT
    # section; "EXIT STATUS" after it names the next one.
    got = other_engine.ask("What does exit status 2 from tidepack mean?")
    assert "The archive could not be written" in got.answer
    assert "current directory" not in got.answer


def test_markup_is_not_searched_as_words(other_engine: Engine) -> None:
    # "<var>rate</var>" is the word "rate"; "var" and a link's address are not words of the text.
    reader = other_engine.prepare("What does the rate argument set?").reader
    by_text = {s.text: s for s in reader.sentences}
    rate = next(s for t, s in by_text.items() if "<var>rate</var> argument" in t)
    assert "rate" in rate.terms and "var" not in rate.terms
    status = next(s for t, s in by_text.items() if "operator's status page" in t)
    assert "page" in status.terms and not {"https", "ferry.exampl", "ferry.example"} & status.terms


def test_a_numbered_heading_does_not_lead_the_answer(other_engine: Engine) -> None:
    # "3. Estimated Repair Costs." holds every word of the question and ends in a
    # stop, but it is a heading: it states nothing, so a sentence that does comes first.
    answer = other_engine.ask("What are the estimated repair costs?")
    assert not answer.abstained
    assert not answer.answer.startswith("Estimated Repair Costs")
    stated = answer.answer.index("repairs would cost 1.1 million pounds")
    assert "Estimated Repair Costs" not in answer.answer[:stated]


@pytest.mark.parametrize(("question", "lead", "follows"), [
    # A sentence ending in a colon brings the list it introduces.
    (
        "What work does the lighthouse survey recommend, in order of urgency?",
        "Recommended work, in order of urgency:",
        ["replace the lantern glass at Kettle Point", "fit a heated housing to the Greyhaven fog signal"],
    ),
    # "... stops with something like", a line of output, "and leaves ...; run it
    # again with --salvage": no colon says so, but the sentence goes on after it.
    (
        "What happens to tidepack -x when a memory card was pulled out while the archive was written?",
        "a later tidepack -x stops with something like",
        ["run it again with --salvage to recover the readings after it"],
    ),
])
def test_a_sentence_that_introduces_what_follows_brings_it(other_engine: Engine, question: str, lead: str, follows: list[str]) -> None:
    answer = answered(other_engine, question)
    at = answer.answer.index(lead)
    for text in follows:
        assert text in answer.answer[at:]


def test_what_a_colon_introduces_ends_at_the_next_heading(other_engine: Engine) -> None:
    answer = other_engine.ask("What do I have to run before upgrading deploy from 2.3?")
    assert not answer.abstained
    lead = answer.answer.index("Upgrading from 2.3 takes one step first:")
    assert "deploy migrate --config deploy.toml" in answer.answer[lead:]
    # Each line of the code block as it stands, not run together into one command.
    assert {"deploy migrate --config deploy.toml", "deploy check --config deploy.toml"} <= {c.shown for c in answer.citations}
    # Not the next version's heading and changes, which follow it in the file.
    assert "2.3.0 (2024-11-18)" not in answer.answer[lead:] and "SSH certificates" not in answer.answer
    check_quotes(other_engine, answer)
    # Nor the first heading after a line that stands before any.
    answer = other_engine.ask("How do I read the deploy release notes in a terminal?")
    lead = answer.answer.index("To read these notes in a terminal, run:")
    assert "deploy --changelog" in answer.answer[lead:] and "Changelog [" not in answer.answer


@pytest.mark.parametrize(("question", "heading", "sentence"), [
    # "This release" says which only under its version's heading, two headings up.
    ("Which deploy release dropped support for Python 3.9?", "v3.0.0 (2025-09-15)", "This release drops support for Python 3.9"),
    # A change whose list hangs from "### Changes": the date is in the heading over that.
    ("When was deploy rollback renamed to deploy undo?", "v3.0.0 (2025-09-15)", "Renamed deploy rollback to deploy undo"),
])
def test_a_sentence_without_what_was_asked_comes_under_the_heading_that_holds_it(other_engine: Engine, question: str, heading: str, sentence: str) -> None:
    got = answered(other_engine, question, source="release-notes.md")
    assert got.answer.index(heading) < got.answer.index(sentence)


@pytest.mark.parametrize(("question", "title", "sentence", "source"), [
    ("Which Tidelog release added the --keep-gaps option to merge?", "Tidelog 1.8 Release Notes", "learned the \"--keep-gaps\" option", "tidelog-1.8-notes.txt"),
    ("In which version was the --legacy-units option deprecated?", "Tidelog 1.7 Release Notes", "Deprecate the \"--legacy-units\" option", "tidelog-1.7-notes.txt"),
])
def test_a_release_that_only_its_page_title_names_comes_from_the_title(other_engine: Engine, question: str, title: str, sentence: str, source: str) -> None:
    got = answered(other_engine, question, source=source)
    # First, before the heading the change stands under, which names the
    # release it counts from ("Updates since Tidelog 1.6").
    assert got.answer.startswith(title)
    assert sentence in got.answer


def test_a_page_title_gives_no_date_for_what_happened_on_the_page(other_engine: Engine) -> None:
    # The year in a report's title is when it was written, not when the gauge moved.
    got = other_engine.ask("When was the Portwell gauge moved to the ferry pier?")
    assert not got.abstained
    assert "The Portwell gauge was moved from the old stone pier" in got.answer
    assert "Survey 2024" not in got.answer


@pytest.mark.parametrize(("question", "answer", "next_entry"), [
    ("How do I reset my password?", "Open the self-service portal at id.example.org", "Why is my account locked?"),
    ("Can I use my own laptop?", "Yes, if it is enrolled in device management first", "Which printers can I use?"),
])
def test_an_faq_entry_is_answered_with_its_answer_not_only_its_question(other_engine: Engine, question: str, answer: str, next_entry: str) -> None:
    got = answered(other_engine, question, source="help-desk-faq.md")
    assert answer in got.answer
    # The entry's answer, not the next entry's question.
    assert next_entry not in got.answer


HEADER = "Engine design | Expansion stages | First installed at | Year"


@pytest.mark.parametrize(("question", "lead", "answer", "source"), [
    # A table row under its header row.
    ("How many expansion stages does a compound beam engine have?", HEADER, "Compound beam engine | 2 | Dean Clough Mill | 1845", "engine-designs.html"),
    # ... far down the table, in a chunk that starts below the header.
    ("At which mill was the steam turbine set first installed?", HEADER, "Steam turbine set | 12 | Northgate Mill | 1908", "engine-designs.html"),
    # A change under the version heading that says when it came.
    ("When was support for SSH certificates added?", "2.3.0 (2024-11-18)", "Added support for SSH certificates", "release-notes.md"),
    # A glossary's definition under its term, the term first.
    ("What is jitter?", "Jitter", "The variation in delay between packets of one stream", "network-glossary.html"),
    ("What is anycast?", "Anycast", "One address announced from several sites", "network-glossary.html"),
    # A setting's default, said in its list item's last sentence, under the item's first.
    ("What is the default value of STATION_AVERAGE?", "STATION_AVERAGE — the number of readings averaged into one record.", "Defaults to 5", "station-settings.md"),
    # A manual's description under its option; "if I don't give a number" sets a case, it does not negate.
    ("How often does tidepack print a progress line if I don't give a number?", "--progress[=N]", "(default 500)", "tidepack-manual.txt"),
    ("Which compression level does tidepack use by default?", "--level=N", "The default level is 4", "tidepack-manual.txt"),
    # What an option does: found by the option's name, which only its line holds.
    ("What does tidepack --quiet do?", "--quiet", "Print nothing but errors", "tidepack-manual.txt"),
    ("What does --no-compress do?", "--no-compress", "Store the readings as they are", "tidepack-manual.txt"),
    # ... though its description never names the program: the manual's title does.
    ("What does tidepack -c do?", "-c, --create", "Create a new archive", "tidepack-manual.txt"),
    # A row of a table set in plain text, under its header.
    ("What does exit status 2 from tidepack mean?", "Status Meaning", "The archive could not be written", "tidepack-manual.txt"),
    # ... or under the line that introduces its rows with a colon.
    ("What does the log code W2 from tidepack mean?", "Tidepack writes one of the following codes to its log:", "a gauge clock ran backwards", "tidepack-manual.txt"),
])
def test_a_table_row_list_item_or_definition_is_answered_under_its_lead(other_engine: Engine, question: str, lead: str, answer: str, source: str) -> None:
    got = answered(other_engine, question)
    assert answer in got.answer
    # The lead is quoted and cited like any sentence, from the same file, before what it leads.
    shown = {c.shown: c.source for c in got.citations}
    assert shown.get(lead) == source, shown
    assert got.answer.index(lead.rstrip(".")) < got.answer.index(answer)  # its stop follows its marker


def test_a_row_under_a_colon_line_is_answered_alone_under_that_line(other_engine: Engine) -> None:
    got = answered(other_engine, "Which code does tidepack log when a gauge clock runs backwards?")
    assert got.answer.index("Tidepack writes one of the following codes to its log:") < got.answer.index("W2 a gauge clock ran backwards")
    assert "W1" not in got.answer  # the row asked about, not the whole list its line introduces


def test_the_llm_is_shown_a_table_row_with_its_header(other_engine: Engine) -> None:
    from qa.prompts import select_sources

    request = other_engine.prepare("At which mill was the steam turbine set first installed?")
    shown = [readable(e.source, e.text).strip() for src in select_sources(request.evidence, request.reader) for e in src.sentences]
    row = "Steam turbine set | 12 | Northgate Mill | 1908"
    assert row in shown
    assert HEADER in shown[: shown.index(row)]


def test_rows_of_one_table_are_shown_in_the_tables_order(other_engine: Engine) -> None:
    got = other_engine.ask("Which mills installed compound engines?")
    rows = [c for c in got.citations if c.source == "engine-designs.html" and "compound engine |" in c.shown]
    assert len(rows) >= 2, got.answer
    assert [c.start for c in rows] == sorted(c.start for c in rows)
    assert [got.answer.index(c.shown) for c in rows] == sorted(got.answer.index(c.shown) for c in rows)


@pytest.mark.parametrize(
    "question, row, source",
    [
        ("What year was the Woolf compound engine first installed?", "Woolf compound engine | 2 | Fernlea Mill | 1856", "engine-designs.html"),
        ("How many requests per minute does the Team plan allow?", "Team | 600 | 100", "mkdocs-page.html"),
    ],
)
def test_a_row_that_lacks_what_picked_the_best_row_is_another_record_not_more_of_the_answer(
    other_engine: Engine, question: str, row: str, source: str
) -> None:
    got = answered(other_engine, question, source=source)
    rows = [c.shown for c in got.citations if c.shown.count(" | ") >= 2]
    # The header, then the row asked about: not the other engines or plans beside it.
    assert rows[1:] == [row], got.answer


def test_a_heading_chosen_for_an_answer_brings_the_first_sentence_of_its_section(other_engine: Engine) -> None:
    got = answered(other_engine, "What happens when I hit the rate limit?", source="mkdocs-page.html")
    shown = [c.shown for c in got.citations]
    heading = shown.index("When you hit a limit")
    assert shown[heading + 1] == "The API answers 429 Too Many Requests with a Retry-After header giving the seconds to wait."


def test_a_sentence_under_a_heading_answers_for_it_however_far_down(other_engine: Engine) -> None:
    # "## `STATION_CALIBRATION`", then its type, then what it is: the
    # description never names the setting; its section's heading does.
    got = answered(other_engine, "What does STATION_CALIBRATION set?")
    assert "The file the sensors' offsets are read from at start-up" in got.answer


def test_a_heading_comes_before_a_sentence_under_it_only_when_that_sentence_opens_by_pointing_at_it(other_engine: Engine) -> None:
    # "They" under "==== Dogs ====" are the dogs: the heading says what the answer is about.
    answer = other_engine.ask("Do dogs travel free on the ferry?")
    assert not answer.abstained
    assert answer.answer.startswith("Dogs [1] They travel free on every route if kept on a lead")
    # "its" in "The office keeps its sailing log" is the office's: "## Logs" adds nothing to the answer.
    answer = other_engine.ask("Where does the office keep the sailing log?")
    assert not answer.abstained
    assert answer.answer.startswith("The office keeps its sailing log in the grey cabinet behind the ticket desk for seven years [1]")
    check_quotes(other_engine, answer)


def test_a_restructuredtext_page_is_answered_as_sphinx_shows_it(other_engine: Engine) -> None:
    answer = other_engine.ask("How is the tide gauge logger configured?")
    assert not answer.abstained
    assert answer.answer.startswith("The logger is configured with gaugectl setup; the command asks for the serial number")
    assert "gaugectl setup --serial GX-2231" in answer.answer  # the literal block its "::" introduces
    assert "``" not in answer.answer and "::" not in answer.answer
    cited = answer.citations[0]
    assert cited.source == "gauge-handbook.rst" and "``gaugectl setup``" in cited.quote and cited.quote.endswith("interval::")
    assert cited.shown.endswith("the sampling interval:")
    check_quotes(other_engine, answer)
    # A definition list's definition is answered under its term.
    answer = other_engine.ask("How often is the backup battery of a tide gauge replaced?")
    assert [c.shown for c in answer.citations[:2]] == ["Battery", "The backup battery is replaced every two years, whether or not the logger reports it as weak."]


def test_which_version_is_answered_with_the_release_that_does_it(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    # A forum thread's solution: "It is fixed in 3.2.1, which we released this morning."
    corpus = tmp_path_factory.mktemp("forum") / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "varied" / "corpus" / "forum-thread.html", corpus)
    engine = Engine(settings.replace(corpus=corpus, index_dir=corpus.parent / "index"))
    engine.build()
    answer = engine.ask("Which version fixes files with accented names being skipped?")
    assert not answer.abstained and "3.2.1" in answer.answer


def test_a_web_page_sentence_is_read_for_its_answer_as_a_reader_sees_it(settings: Settings, tmp_path: Path) -> None:
    # "&pound;9" is "£9": the amount a "how much does it cost" question asks for,
    # where the markup alone held no currency and the sentence no answer.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fares.html").write_text(
        "<html><head><title>Ferry fares</title></head><body><h1>Ferry fares</h1>"
        "<p>The pet supplement is &pound;9 per single journey.</p>"
        "<p>Up to <b>eight</b> pets travel on each sailing, and <em>20 people</em> may bring bicycles.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    engine = Engine(settings.replace(corpus=corpus, index_dir=tmp_path / "index"))
    engine.build()
    answer, trace = engine.explain("How much does the pet supplement cost?")
    assert trace["question"]["answer_type"] == "money"
    by_text = {readable("fares.html", c["text"]).strip(): c["features"] for c in trace["candidates"]}
    assert by_text["The pet supplement is £9 per single journey."]["type_span"] == 1.0
    assert by_text["Up to eight pets travel on each sailing, and 20 people may bring bicycles."]["type_span"] == 0.0
    assert answer.answer.startswith("The pet supplement is £9 per single journey [1].")


def test_a_measure_or_a_frequency_is_answered_with_one_of_its_kind(settings: Settings, tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "bridge.txt": "The Harwick Bridge\n\nThe Harwick Bridge opened to traffic in 1932, two decades after the first plans for a crossing "
            "were drawn up. Some 400 workers built it over six years. Each of its two towers stands 96 metres above the water of the "
            "estuary. The bridge carries about 40,000 vehicles a day, and a toll of £2 was charged until 1998. Engineers inspect its "
            "cables every six months. Its deck was last repainted in 2019.\n"
        },
    )
    engine = Engine(settings.replace(corpus=corpus, index_dir=tmp_path / "index"))
    engine.build()
    answer = engine.ask("How tall are the towers of the Harwick Bridge?")
    assert answer.answer == "Each of its two towers stands 96 metres above the water of the estuary [1]."
    assert "every six months" in engine.ask("How often are the Harwick Bridge's cables inspected?").answer
    # A length is no weight, and a year is no frequency: the page says neither what the bridge
    # weighs nor how often its deck is repainted.
    assert engine.ask("How heavy is the Harwick Bridge?").abstained
    assert engine.ask("How often is the deck repainted?").abstained


def test_a_table_row_under_a_cell_that_spans_rows_is_read_and_shown_with_it(other_engine: Engine) -> None:
    # The rota's day and desk cells each span two rows: the row "Late | Ben Ortiz"
    # is Monday's late shift at the front desk, though its own cells say neither.
    answer = answered(other_engine, "Who works the late shift on Monday?", source="helpdesk-rota.html")
    assert "Ben Ortiz" in answer.answer
    assert "Dev Patel" not in answer.answer and "Finn Doyle" not in answer.answer
    row = next(c for c in answer.citations if "Ben Ortiz" in c.shown)
    assert row.shown == "Monday | Late | Ben Ortiz | Front desk"
    assert row.quote == "Late</td><td>Ben Ortiz"  # the row's own cells, exactly as the file has them
    assert "Monday" in answered(other_engine, "Which day does Ben Ortiz work?", source="helpdesk-rota.html").answer
