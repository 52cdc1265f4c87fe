"""A whole article as a reader sees it, the cited stretch marked where it stands."""

from __future__ import annotations

from pathlib import Path

from index.reading import readable_article

CLEANING = Path(__file__).resolve().parents[1] / "data" / "cleaning"


def shown(source: str, text: str, quote: str) -> str:
    """The article as shown, the quote between ⟦ and ⟧."""
    start = text.index(quote)
    before, marked, after = readable_article(source, text, start, start + len(quote))
    return f"{before}⟦{marked}⟧{after}"


def test_a_web_page_is_shown_as_its_paragraphs_without_markup() -> None:
    text = (CLEANING / "valve-manual.html").read_text(encoding="utf-8")
    quote = "The <var>rate</var> argument sets how fast a valve moves, in degrees per\nsecond;"
    article = shown("valve-manual.html", text, quote)
    assert (
        "\n\nThe basics\n\n"  # its contents box (id="toc") is chrome, not shown
        "The vctl tool opens and closes the valves of a pumping station. Each valve is named by its station code "
        "and its number, so NW-04 is the fourth valve of the north-west station.\n\n"
        "⟦The rate argument sets how fast a valve moves, in degrees per second;⟧ the default of 5 protects"
    ) in article
    assert "ninety days – long enough" in article  # an entity decoded
    assert "\n\nValve | Station | Default rate\n\nNW-04 | north-west | 5\n\n" in article  # a table row by row
    assert "Valve table\n\n" in article and "edit" not in article
    assert "<" not in article and "&" not in article and "href" not in article
    assert "Valve manual" not in article  # the page's <head> is not shown
    assert "Copyright 2024" not in article  # nor its <footer>
    assert "Contents" not in article and "Opening a valve" not in article  # nor its contents box or sidebar


def test_an_inline_tag_parts_no_words() -> None:
    page = "<p>See <code>vctl</code>. Then <b>A</b>pply it.</p><p>Next one.</p>"
    assert shown("p.html", page, "Then <b>A</b>pply it.") == "See vctl. ⟦Then Apply it.⟧\n\nNext one."


def test_markdown_is_shown_without_front_matter_heading_marks_or_link_targets() -> None:
    text = (CLEANING / "ferry-timetable.md").read_text(encoding="utf-8")
    quote = "Check the day's sailings with `ferry status` or on the\n[operator's status page](https://ferry.example/status)."
    article = shown("ferry-timetable.md", text, quote)
    assert article.startswith("Changes to the island ferry timetable\n\n")  # no front matter, no "#"
    assert "title:" not in article and "#" not in article
    assert "](" not in article and "https://" not in article and "`" not in article
    assert "\n\nChecking a sailing\n\n⟦Check the day's sailings with ferry status or on the operator's status page.⟧ The operator also publishes" in article
    assert "Adult return | 9.50" in article and "-----" not in article  # a table row's cells; its delimiter row is markup
    assert "```" not in article and "08:45 on time" in article


def test_code_fences_and_admonition_colons_are_markup_and_what_they_hold_is_shown() -> None:
    text = '# Worker\n\nSet the queue:\n\n```python title="settings.py" {2}\nQUEUE = "jobs"\n```\n\nThen restart it.\n'
    article = shown("worker.md", text, "Then restart it.")
    assert "```" not in article and "title=" not in article
    assert 'QUEUE = "jobs"' in article and "⟦Then restart it.⟧" in article
    text = "# Worker\n\n:::tip Faster restarts\nSend it a hangup signal.\n:::\n\nThen check the log.\n"
    article = shown("worker.md", text, "Then check the log.")
    assert ":::" not in article and "Faster restarts\n\nSend it a hangup signal.\n\n⟦Then check the log.⟧" in article


def test_template_tags_are_markup_and_code_that_shows_them_is_shown() -> None:
    text = (
        "# Minibus\n\n{{< notice info >}}\nBookings open on Mondays.\n{{< /notice >}}\n\n"
        "{% include toc.html %}\n\nThe fare is 45p a mile.\n\n```\n{{< figure src=\"bus.jpg\" >}}\n```\n"
    )
    article = shown("minibus.md", text, "The fare is 45p a mile.")
    assert "notice" not in article and "toc.html" not in article
    assert "Bookings open on Mondays.\n\n⟦The fare is 45p a mile.⟧" in article
    assert '{{< figure src="bus.jpg" >}}' in article


def test_code_is_shown_as_written_and_text_without_its_escapes() -> None:
    # An icon font's glyph (U+E021, in the private use area) stays as it is beside the escapes.
    text = "# Rota\n\nPlan the week\\. Call \\*plan\\* \ue021:\n\n```python\nplan(**shifts)  # [Mon](x)\n```\n\nThen publish it.\n"
    article = shown("rota.md", text, "Then publish it.")
    assert "Plan the week. Call *plan* \ue021:\n\nplan(**shifts) # [Mon](x)\n\n⟦Then publish it.⟧" in article


def test_an_indented_code_block_and_a_literal_block_are_shown_a_line_each_as_written() -> None:
    text = "Run:\n\n    $ pyenv install 3.10\n    $ pyenv install --list | grep *-dev\n\nThen pick one.\n"
    assert shown("pyenv.md", text, "Then pick one.") == "Run:\n\n$ pyenv install 3.10\n\n$ pyenv install --list | grep *-dev\n\n⟦Then pick one.⟧"
    text = "Run::\n\n    $ agent install\n    $ agent start\n\nThen wait.\n"
    assert shown("agent.rst", text, "Then wait.") == "Run:\n\n$ agent install\n\n$ agent start\n\n⟦Then wait.⟧"


def test_a_page_laid_out_in_a_table_shows_its_cells_apart_and_a_data_tables_row_whole() -> None:
    text = (
        '<html><body><table><tr><td><a href="/">Home</a><br><a href="/contact">Contact</a></td>'
        "<td><b>Parish news</b><br>The council met on 3 March.</td></tr></table>"
        "<table><tr><td>Planning</td><td>7 April</td></tr></table></body></html>"
    )
    article = shown("parish.html", text, "The council met on 3 March.")
    assert "Contact\n\nParish news\n\n⟦The council met on 3 March.⟧" in article
    assert article.endswith("Planning | 7 April")


def test_a_hard_wrapped_text_is_shown_as_its_paragraphs() -> None:
    text = (CLEANING / "lighthouse-survey.txt").read_text(encoding="utf-8")
    quote = text[text.index("The oldest tower") : text.index("original iron stair.") + len("original iron stair.")]
    assert "\n" in quote  # wrapped in the file
    article = shown("lighthouse-survey.txt", text, quote)
    assert (
        "in early May.\n\n⟦The oldest tower, at Marram Head, was built in 1836 by the engineer Thomas Rennard and "
        "has kept its original iron stair.⟧ Its light is monitored"
    ) in article
    # The list keeps its items apart; a wrapped paragraph is one line.
    assert "\n\n- replace the lantern glass at Kettle Point;\n\n- fit a heated housing" in article
    assert "The lantern glass at Kettle Point is cracked" in article


def test_a_paragraph_per_line_text_keeps_its_paragraphs_and_is_otherwise_unchanged() -> None:
    text = (
        "Title of the piece\n"
        "First paragraph, which runs on and on well past any width a text would be wrapped at, so that its line "
        "is a paragraph: it says that the crew   docked on Tuesday.\n"
        "Second paragraph, also long enough to be read as a paragraph of its own rather than a wrapped line of "
        "text, with a sentence to quote in it. And one after.\n"
    )
    article = shown("piece.txt", text, "with a sentence to quote in it.")
    assert article == (
        "Title of the piece\n\n"
        "First paragraph, which runs on and on well past any width a text would be wrapped at, so that its line "
        "is a paragraph: it says that the crew   docked on Tuesday.\n\n"
        "Second paragraph, also long enough to be read as a paragraph of its own rather than a wrapped line of "
        "text, ⟦with a sentence to quote in it.⟧ And one after."
    )


def test_a_stretch_over_two_paragraphs_is_marked_across_them() -> None:
    text = "One.\n\nTwo three.\n\nFour.\n"
    start, end = text.index("three"), text.index("Four") + 4
    assert readable_article("t.txt", text, start, end) == ("One.\n\nTwo ", "three.\n\nFour", ".")
    assert readable_article("t.txt", text, 0, 0) == ("", "", "One.\n\nTwo three.\n\nFour.")


def test_a_wiki_page_kept_as_text_is_shown_without_its_marks() -> None:
    text = (CLEANING / "dokuwiki-source.txt").read_text(encoding="utf-8")
    article = shown("dokuwiki-source.txt", text, "The first steam ferry crossed the bay in 1887.")
    assert article.startswith("Harbour ferry\n\nThe harbour ferry service links the old town")
    assert "\n\nHistory\n\n⟦The first steam ferry crossed the bay in 1887.⟧" in article
    assert "between 2009 and 2014. Harbour board, Fleet renewal report, 2015" in article  # a footnote where it stands
    assert "The oldest boat, Marta, is kept" in article
    assert "The summer timetable starts on the first Monday of June, as set out in timetables." in article
    assert "=" not in article and "[[" not in article and "//" not in article and "**" not in article


def test_a_restructuredtext_page_is_shown_as_sphinx_shows_it() -> None:
    text = (CLEANING / "gauge-handbook.rst").read_text(encoding="utf-8")
    article = shown("gauge-handbook.rst", text, "The default sampling interval is sixty seconds.")
    assert "\n\nSampling intervals\n\n⟦The default sampling interval is sixty seconds.⟧ Storm surveys" in article
    assert "See Packing readings for how the readings leave the gauge, and the manufacturer's site for the full manual." in article
    assert "the sampling interval:\n\ngaugectl setup --serial GX-2231" in article  # "interval::" reads "interval:"
    for markup in ("..", "``", ":ref:", "<https", "`_", "~~~", "===", "toctree", "gauge-photo.png", ":maxdepth:", "editors", "[#]_"):
        assert markup not in article, markup
