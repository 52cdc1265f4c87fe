"""Answer quality on the project's own question sets (the shared sets are measured by bench/quality.py).

The same metrics as the reference scorer (qa.metrics). The project's own set
(tests/data/dev_questions.jsonl) was written separately, so the method is
checked on questions it was not tuned on, too; the held-out seed set
(tests/data/heldout_questions.jsonl), the documentation pages in
tests/data/docs/, the wiki pages in tests/data/intranet/, the reports in
tests/data/reports/ and their questions were never trained on at all, nor
the follow-up sets on each (followup_questions.jsonl, followups.jsonl).
"""

from __future__ import annotations

import pytest

from qa.metrics import score

from ..conftest import DOCS, FOLLOWUP_QUESTIONS, HELDOUT_QUESTIONS, INTRANET, PROBE_QUESTIONS, REPORTS, SEEDS, load_jsonl


def run(engine, questions):
    return [engine.ask(q["question"], q.get("history", [])).to_dict() for q in questions]


def test_own_question_set_holds_up(engine, dev_questions, seeds):
    questions = dev_questions
    r = score(questions, run(engine, questions), seeds)
    assert r["citation_validity"] == 1.0
    assert r["abstain_accuracy"] >= 0.85, r["failures"]
    assert r["answer_accuracy"] >= 0.8, r["failures"]
    assert r["false_abstain"] <= 0.1, r["failures"]


def test_seed_questions_no_scorer_saw(engine, seeds):
    # Written from the articles alone, after the shipped scorer was fitted:
    # paraphrases, details in the middle of an article, and on-topic
    # questions the articles leave open. Abstaining on those is not asserted:
    # the scorer answers most of them (see the README's figures).
    questions = load_jsonl(HELDOUT_QUESTIONS)
    r = score(questions, run(engine, questions), seeds)
    assert r["citation_validity"] == 1.0
    assert r["answer_accuracy"] >= 0.75, r["failures"]
    assert r["evidence_hit"] >= 0.8, r["failures"]
    assert r["false_abstain"] <= 0.1, r["failures"]


def test_questions_on_what_the_articles_name_and_never_say(engine, seeds):
    # "Which university did Dmitry Bakanov graduate from?": the name is the
    # articles', the fact is in none. Most of these are still answered, with
    # the sentences that name the person (see the README's figures); what is
    # abstained on now must stay so, and what is answered must be quoted truly.
    questions = load_jsonl(PROBE_QUESTIONS)
    answers = run(engine, questions)
    r = score(questions, answers, seeds)
    assert r["citation_validity"] == 1.0
    assert r["abstain_accuracy"] >= 0.4, r["failures"]
    # Of those answered, most say the articles may not say it.
    answered = [a for a in answers if not a["abstained"]]
    assert sum(bool(a["caution"]) for a in answered) >= len(answered) / 2, [a["question"] for a in answered if not a["caution"]]


def test_answers_the_articles_give_seldom_come_with_a_caution(engine, dev_questions):
    answers = [a for q, a in zip(dev_questions, run(engine, dev_questions)) if q["answerable"] and not a["abstained"]]
    cautioned = [a["question"] for a in answers if a["caution"]]
    assert len(cautioned) <= 0.2 * len(answers), cautioned


def test_documentation_pages_index_as_article_text(docs_engine):
    # Reference pages carry no chrome: headings, option lists, code and a list
    # of links to elsewhere are all the page's own text.
    sentences = list(docs_engine.reader().sentences)
    assert {s.kind for s in sentences} == {"article"}
    assert {s.source for s in sentences} == {p.name for p in (DOCS / "corpus").iterdir()}
    editors = [s.text for s in sentences if s.source == "rustfmt-readme.md" and s.text.startswith("[Vim]")]
    assert editors, "the list of editors under 'Running Rustfmt from your editor' was dropped"


def test_an_organisations_wiki_pages_index_as_article_text_without_the_wikis_chrome(intranet_engine):
    # DokuWiki's text files, Markdown, and pages as a MediaWiki serves them:
    # every page's own text is article text; the wiki's site notice, menus,
    # categories and footer are not indexed at all.
    sentences = list(intranet_engine.reader().sentences)
    assert {s.kind for s in sentences} == {"article"}
    assert {s.source for s in sentences} == {p.name for p in (INTRANET / "corpus").iterdir()}
    chrome = ("Navigation menu", "read-only during the Pulse migration", "Privacy policy", "last edited", "Retrieved from", "Main page")
    assert not [s.text for s in sentences if any(c in s.text for c in chrome)]
    # A phone extension does not end a sentence: the step is quoted whole.
    assert any("Phone the NOC duty manager on ext. 4999" in s.text for s in sentences)


def test_reports_index_as_article_text_without_an_exports_chrome(reports_engine):
    # Plain text with numbered sections and a table set in columns, Markdown
    # with footnotes and a checklist, and an HTML export: every report's own
    # text is article text; the export's header bar and footer are not indexed.
    sentences = list(reports_engine.reader().sentences)
    assert {s.kind for s in sentences} == {"article"}
    assert {s.source for s in sentences} == {p.name for p in (REPORTS / "corpus").iterdir()}
    chrome = ("Confidential", "Page 1 of 1", "All rights reserved", "Accessibility")
    assert not [s.text for s in sentences if any(c in s.text for c in chrome)]
    # A row of the table set in columns is read under the header its ruler underlines.
    row = next(s for s in sentences if s.text.startswith("Ondley Road Depot ") and s.lead >= 0)
    header = next(s for s in sentences if s.source == row.source and s.position == row.lead)
    assert "Near misses" in header.text


@pytest.mark.parametrize(
    "engine_fixture, folder, floor, most_false_abstain",
    [("docs_engine", DOCS, 0.7, 0.1), ("intranet_engine", INTRANET, 0.85, 0.1), ("reports_engine", REPORTS, 0.6, 0.15)],
    ids=["documentation pages", "an organisation's wiki", "reports"],
)
def test_questions_on_pages_no_scorer_saw(request, engine_fixture, folder, floor, most_false_abstain):
    engine = request.getfixturevalue(engine_fixture)
    questions = load_jsonl(folder / "questions.jsonl")
    r = score(questions, run(engine, questions), folder / "corpus")
    assert r["citation_validity"] == 1.0
    assert r["answer_accuracy"] >= floor, r["failures"]
    assert r["evidence_hit"] >= floor, r["failures"]
    assert r["false_abstain"] <= most_false_abstain, r["failures"]


@pytest.mark.parametrize(
    "engine_fixture, corpus, conversations, floor",
    [
        ("engine", SEEDS, FOLLOWUP_QUESTIONS, 0.6),
        ("docs_engine", DOCS / "corpus", DOCS / "followups.jsonl", 0.65),
        ("intranet_engine", INTRANET / "corpus", INTRANET / "followups.jsonl", 0.75),
    ],
    ids=["news articles", "documentation pages", "an organisation's wiki"],
)
def test_follow_ups_are_answered_from_the_earlier_turns(request, engine_fixture, corpus, conversations, floor):
    # Each question leans on the questions before it ("When did he take the
    # job?"); read alone, these sets answer about 0.4 to 0.55 and abstain on a
    # fifth to two fifths of the answerable questions.
    engine = request.getfixturevalue(engine_fixture)
    questions = load_jsonl(conversations)
    assert all(q["history"] for q in questions)
    r = score(questions, run(engine, questions), corpus)
    assert r["citation_validity"] == 1.0
    assert r["answer_accuracy"] >= floor, r["failures"]
    assert r["evidence_hit"] >= floor, r["failures"]
    assert r["false_abstain"] <= 0.15, r["failures"]
