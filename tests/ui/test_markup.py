"""The chat's HTML: chips, labels, paragraphs, and hostile text kept inert."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.types import Document, Metadata
from qa.web import markup
from qa.types import Answer, Citation

EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> [link](javascript:window.__pwned=1)'
ARTICLE = (
    "A hostile article\n\n"
    f"First paragraph says {EVIL} here. The quoted sentence <b>is</b> this one. And more after it.\n\n"
    "Reader comments\nI disagree <img src=y onerror=alert(1)>.\n"
)
QUOTE = "The quoted sentence <b>is</b> this one."


def citation(n: int = 1, kind: str = "article", quote: str = QUOTE, title: str = "Title <i>x</i>") -> Citation:
    start = ARTICLE.index(quote)
    return Citation(n=n, source="evil.txt", title=title, quote=quote, shown=quote, start=start, end=start + len(quote),
                    score=0.9, publisher="Pub & Co", date="2025-08", kind=kind)  # fmt: skip


def evil_answer(abstained: bool = False, citations: list[Citation] | None = None) -> Answer:
    return Answer(question=EVIL, answer=f"{EVIL} Claim [1]. Unknown marker [9].", abstained=abstained,
                  citations=citations if citations is not None else [citation()])  # fmt: skip


def test_answer_text_is_escaped_and_markers_become_chips() -> None:
    html = markup.answer_html(evil_answer(), turn=3)
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert (
        '<a class="qa-chip" href="#cite-3-1" title="Title &lt;i&gt;x&lt;/i&gt;" '
        'aria-label="Source 1: Title &lt;i&gt;x&lt;/i&gt;">1</a>'
    ) in html
    assert "[9]" in html  # a marker without a citation stays text
    assert 'class="qa-answer"' in html and "qa-abstained" not in html


def test_a_chip_keeps_the_stop_after_it_on_its_line() -> None:
    answer = Answer(question="q", answer="Claim one [1]. Claim “two [2]”, and three [1]", abstained=False,
                    citations=[citation(1), citation(2, quote="I disagree <img src=y onerror=alert(1)>.")])  # fmt: skip
    html = markup.answer_html(answer, 0)
    chips = {n: markup._chip(0, c) for n, c in ((1, answer.citations[0]), (2, answer.citations[1]))}
    assert f'one <span class="qa-marker">{chips[1]}.</span> Claim' in html
    assert f'two <span class="qa-marker">{chips[2]}”,</span> and' in html
    assert html.endswith(f"three {chips[1]}</p></div>")  # nothing after it: no span


def test_abstention_is_marked_and_its_passages_are_called_closest() -> None:
    answer = evil_answer(abstained=True)
    assert "Not found in the articles" in markup.answer_html(answer, 0)
    panel = markup.sources_html(answer, 0, {"evil.txt": ARTICLE})
    assert "Closest passages" in panel and "<h3>Sources</h3>" not in panel


def test_a_caution_is_shown_under_the_answer_and_escaped() -> None:
    answer = evil_answer()
    assert "qa-caution" not in markup.answer_html(answer, 0)
    answer.caution = "Check <b>this</b>."
    html = markup.answer_html(answer, 0)
    assert '<p class="qa-note qa-caution">Check &lt;b&gt;this&lt;/b&gt;.</p>' in html
    assert html.index("qa-text") < html.index("qa-caution")


def test_a_reply_to_a_greeting_is_no_failed_answer() -> None:
    answer = Answer(question="hello", answer="Hello! I answer questions from 5 articles.", abstained=True, conversation=True)
    html = markup.answer_html(answer, 0)
    assert "Not found in the articles" not in html and "qa-abstained" not in html and "Hello!" in html
    assert "No passages" not in markup.sources_html(answer, 0, {})


@pytest.mark.parametrize(
    ("kind", "label"), [("comment", "Reader comment"), ("related", "Related article on the same page")]
)
def test_comments_and_related_articles_are_labelled(kind: str, label: str) -> None:
    answer = evil_answer(citations=[citation(kind=kind)])
    assert label in markup.sources_html(answer, 0, {"evil.txt": ARTICLE})
    assert label.lower() in markup.answer_html(answer, 0)  # in the chip's tooltip
    assert label in markup.article_html(Document("evil.txt", ARTICLE, "f"), citation(kind=kind))


def test_quote_is_shown_inside_its_paragraph() -> None:
    panel = markup.sources_html(evil_answer(), 0, {"evil.txt": ARTICLE})
    assert "<mark>The quoted sentence &lt;b&gt;is&lt;/b&gt; this one.</mark> And more after it." in panel
    assert "First paragraph says &lt;script&gt;" in panel
    assert "Pub &amp; Co · 2025-08" in panel


def test_paragraph_context_is_cut_at_words() -> None:
    text = "intro\n" + "word " * 200 + "QUOTE." + " tail" * 200 + "\nnext"
    start = text.index("QUOTE.")
    before, quote, after = markup.passage_in_paragraph(text, start, start + 6, context=50)
    assert quote == "QUOTE."
    assert before.startswith("…") and len(before) <= 52 and "intro" not in before
    assert after.endswith("…") and len(after) <= 52 and "next" not in after


WRAPPED = (
    "Findings\n\n"
    "Nine of the twelve towers are in good repair. The lantern glass at Kettle\n"
    "Point is cracked in two places and must be replaced before the winter\n"
    "gales. The keepers at Greyhaven reported that the fog signal fails in\n"
    "frost, which the survey team confirmed on a cold morning in early May.\n\n"
    "Recommended work follows in the next section of this report, by cost.\n"
)


def test_a_wrapped_quote_is_shown_on_one_line_inside_its_whole_paragraph() -> None:
    quote = "The lantern glass at Kettle\nPoint is cracked in two places and must be replaced before the winter\ngales."
    start = WRAPPED.index(quote)
    answer = Answer(question="q", answer="a [1].", abstained=False,
                    citations=[Citation(n=1, source="survey.txt", title="Survey", quote=quote, shown=" ".join(quote.split()), start=start, end=start + len(quote), score=0.9)])  # fmt: skip
    panel = markup.sources_html(answer, 0, {"survey.txt": WRAPPED})
    assert (
        "Nine of the twelve towers are in good repair. <mark>The lantern glass at Kettle Point is cracked in two places "
        "and must be replaced before the winter gales.</mark> The keepers at Greyhaven"
    ) in panel
    assert "early May." in panel and "Findings" not in panel and "Recommended" not in panel


def test_a_web_page_quote_is_shown_as_a_reader_sees_it() -> None:
    page = "<html><body><p>The <code>vctl</code> tool opens valves.\nEach valve is named by its <em>station\ncode</em> &amp; number.</p><p>Next.</p></body></html>"
    quote = "Each valve is named by its <em>station\ncode</em> &amp; number."
    start = page.index(quote)
    answer = Answer(question="q", answer="a [1].", abstained=False,
                    citations=[Citation(n=1, source="manual.html", title="Manual", quote=quote, shown="Each valve is named by its station code & number.", start=start, end=start + len(quote), score=0.9)])  # fmt: skip
    panel = markup.sources_html(answer, 0, {"manual.html": page})
    assert "The vctl tool opens valves. <mark>Each valve is named by its station code &amp; number.</mark></p>" in panel
    assert "Next." not in panel and "&lt;" not in panel


CLEANING = Path(__file__).resolve().parents[1] / "data" / "cleaning"
MARK = '<mark class="qa-highlight" tabindex="-1">'


def opened(source: str, text: str, quote: str) -> str:
    """The article panel for a citation of ``quote`` in ``text``: just its text, markup of the panel and all."""
    start = text.index(quote)
    c = Citation(n=1, source=source, title="T", quote=quote, shown=quote, start=start, end=start + len(quote), score=0.9)
    html = markup.article_html(Document(source, text, "f"), c)
    return html[html.index('<div class="qa-article-text">') :]


def test_an_opened_web_page_shows_its_paragraphs_not_its_source() -> None:
    text = (CLEANING / "valve-manual.html").read_text(encoding="utf-8")
    article = opened("valve-manual.html", text, "Each valve is named by its <em>station code</em> and its number,\nso <code>NW-04</code> is the fourth valve of the north-west station.")
    assert (
        "The basics\n\nThe vctl tool opens and closes the valves of a pumping station. "
        f"{MARK}Each valve is named by its station code and its number, so NW-04 is the fourth valve of the "
        "north-west station.</mark>\n\nThe rate argument sets"
    ) in article
    assert "&lt;" not in article and "DOCTYPE" not in article and "&amp;ndash;" not in article


def test_an_opened_markdown_file_shows_its_text_without_front_matter_or_heading_marks() -> None:
    text = (CLEANING / "ferry-timetable.md").read_text(encoding="utf-8")
    article = opened("ferry-timetable.md", text, "Fares are unchanged, and season tickets remain valid on every sailing.")
    assert article.startswith('<div class="qa-article-text">Changes to the island ferry timetable\n\n')
    assert (
        f"\n\n{MARK}Fares are unchanged, and season tickets remain valid on every sailing.</mark>"
        "\n\nChildren under five travel free on every crossing.\n\nChecking a sailing\n\n"
    ) in article
    assert "title:" not in article and "# " not in article and "](" not in article


def test_an_opened_wrapped_text_shows_each_paragraph_on_one_line() -> None:
    quote = "The lantern glass at Kettle\nPoint is cracked in two places and must be replaced before the winter\ngales."
    article = opened("survey.txt", WRAPPED, quote)
    assert (
        "Findings\n\nNine of the twelve towers are in good repair. "
        f"{MARK}The lantern glass at Kettle Point is cracked in two places and must be replaced before the winter gales.</mark>"
        " The keepers at Greyhaven reported that the fog signal fails in frost, which the survey team confirmed on a "
        "cold morning in early May.\n\nRecommended work"
    ) in article


def test_a_quote_that_does_not_match_its_file_is_shown_alone() -> None:
    panel = markup.sources_html(evil_answer(), 0, {"evil.txt": "something else entirely"})
    assert "<mark>The quoted sentence &lt;b&gt;is&lt;/b&gt; this one.</mark>" in panel


def test_cite_refs_round_trip() -> None:
    assert markup.parse_cite_ref("#" + markup.cite_ref(4, 2)) == (4, 2)
    for bad in ("#cite-x-1", "cite-1", "#cite-1-2-3", "javascript:alert(1)"):
        assert markup.parse_cite_ref(bad) is None


def test_status_line() -> None:
    assert "Indexing" in markup.status_html({"status": "indexing"})
    assert "&lt;b&gt;" in markup.status_html({"status": "error", "error": "<b>disk full</b>"})
    assert "5 articles" in markup.status_html(
        {"status": "ready", "files": 5, "sentences": 9, "built_at": "2026-01-01T00:00:00+00:00"}
    )


@pytest.mark.browser
def test_hostile_article_and_answer_stay_inert_in_a_browser(page) -> None:
    doc = Document("evil.txt", ARTICLE, "f", Metadata(title=EVIL, publisher="<img src=z onerror=window.__pwned=1>"))
    answer = evil_answer(
        citations=[citation(), citation(2, "comment", "I disagree <img src=y onerror=alert(1)>.", EVIL)]
    )
    body = (
        markup.question_html(EVIL)
        + markup.answer_html(answer, 0)
        + markup.sources_html(answer, 0, {"evil.txt": ARTICLE})
        + markup.article_html(doc, citation())
    )
    page.set_content(f"<!doctype html><body>{body}</body>")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img, script, a[href^='javascript:']").count() == 0
    assert page.locator("mark.qa-highlight").inner_text() == QUOTE
    assert EVIL in page.locator(".qa-article-title").inner_text()


def test_explain_disclosure_escapes_the_trace_and_marks_the_cited_sentence() -> None:
    candidate = {"source": EVIL, "start": 0, "end": 9, "text": EVIL, "kind": "article", "probability": 0.9,
                 "features": {"similarity": 0.8, "coverage": 1.0, "type_span": 1.0, "names_missing_here": 0.0}}  # fmt: skip
    trace = {
        "question": {"text": EVIL, "answer_type": "", "terms": [EVIL], "search_text": EVIL, "rewritten": EVIL,
                     "context_terms": [], "preferred_sources": [EVIL], "unknown_names": []},  # fmt: skip
        "chunks": [{"chunk_id": "c", "source": EVIL, "kind": "article", "opening": EVIL, "fused_rank": 1, "dense_rank": None,
                    "bm25_rank": 2, "fused_score": 0.1}],  # fmt: skip
        "candidates": [{**candidate, "chosen": True}, {**candidate, "probability": 0.1, "chosen": False}],
        "question_features": {},
        "answerable": 0.2,
        "threshold": 0.5,
        "verdict": "abstained below threshold",
    }
    html = markup.explain_html(trace)
    assert "<script" not in html and "<img" not in html
    assert html.startswith('<details class="qa-explain"><summary>Why this answer?</summary>')
    assert html.count('class="qa-explain-chosen"') == 1
    assert "<td><q>&lt;script&gt;" in html  # a chunk is shown by its first words
    assert "below the threshold 0.500" in html and "verdict: abstained below threshold" in html
