"""Sentences into chunks: a sentence that says little alone is read under its lead.

A table row under its header row, a definition under its term, a list item
under the heading its list hangs from, an item's later sentences under its
first, a manual's description under its option, a plain-text table's rows
under its header (index.types.Sentence.lead).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index import clean
from index.chunking import chunk_sentences, readable, sentence_words, split_document
from index.corpus import scan
from index.terms import terms

from .conftest import shown, split_checked, split_text

CLEANING = Path(__file__).resolve().parents[1] / "data" / "cleaning"
HEADER = "Engine design | Expansion stages | First installed at | Year"


@pytest.fixture(scope="module")
def documents():
    return {d.source: d for d in scan(CLEANING, 10_000_000).documents}


def leads(documents, source: str) -> dict[str, str]:
    """Each sentence of ``source`` that has a lead, as a reader sees it, with its lead."""
    sentences = split_document(documents[source])
    assert all(s.position == i for i, s in enumerate(sentences))
    return {shown(s): shown(sentences[s.lead]) for s in sentences if s.lead >= 0}


@pytest.mark.parametrize(("source", "lead", "led", "not_led"), [
    # A table's rows under its header row; the header and the prose around it under nothing.
    ("engine-designs.html", HEADER, "Steam turbine set | 12 | Northgate Mill | 1908", [HEADER, "Register of designs"]),
    ("ferry-timetable.md", "Ticket | Price", "Child return | 4.75", ["Ticket | Price", "Fares are unchanged, and season tickets remain valid on every sailing."]),
    # A definition under its term.
    ("network-glossary.html", "Jitter", "The variation in delay between packets of one stream, measured in milliseconds.", ["Jitter", "Terms used across the operations handbook."]),
    # Every item of a list under the heading it hangs from, and only that list's.
    ("release-notes.md", "2.3.0 (2024-11-18)", "Dropped Python 3.8.", ["2.3.0 (2024-11-18)", "Changelog"]),
    ("release-notes.md", "2.2.1 (2024-07-05)", "Fixed the timeout of status on slow links.", []),
    # A list item's later sentences under its first; the paragraph after the list under nothing.
    ("station-settings.md", "STATION_AVERAGE — the number of readings averaged into one record.", "Defaults to 5, and accepts values from 1 to 30.",
     ["The station writes a log line for every upload it gives up on."]),
    ("station-settings.md", "STATION_INTERVAL — how often the sensors are read, in seconds.", "Shorter intervals drain the battery faster.", []),
    # A manual's option and variable over the description indented under them; a section's
    # heading at the margin, or a few plain words, over nothing.
    ("tidepack-manual.txt", "--level=N", "The default level is 4.", ["Tidepack stores the readings of one or more tide gauges in a single archive."]),
    ("tidepack-manual.txt", "--progress[=N]", "Print a progress line every Nth reading (default 500).", ["--progress[=N]"]),
    ("tidepack-manual.txt", "TIDEPACK_HOME", "When it is unset, the current directory is used.", ["Status Meaning"]),
    # A table set in plain text: its rows under the header its ruler underlines.
    ("tidepack-manual.txt", "Status Meaning", "2 The archive could not be written.", ["Status Meaning", "EXIT STATUS"]),
])
def test_a_sentence_that_says_little_alone_is_read_under_its_lead(documents, source, lead, led, not_led):
    found = leads(documents, source)
    assert found[led] == lead
    for sentence in not_led:
        assert sentence not in found


def test_a_heading_stands_in_the_section_of_the_heading_ranked_over_it(documents):
    sentences = split_document(documents["release-notes.md"])
    under = [(shown(s), shown(sentences[s.section]) if s.section >= 0 else None) for s in sentences]
    section = dict(reversed(under))  # what a text said twice stands under the first time
    # "### Changes" and "### Fixes" under "## v3.0.0 (...)", which is under "# Changelog";
    # the next release's own "### Changes" under it.
    assert section["Changes"] == section["Fixes"] == "v3.0.0 (2025-09-15)"
    assert [over for text, over in under if text == "Changes"] == ["v3.0.0 (2025-09-15)", "v2.5.0 (2025-06-01)"]
    assert section["Added the --parallel option, for up to eight hosts at once."] == "Changes"
    assert section["v3.0.0 (2025-09-15)"] == section["v2.5.0 (2025-06-01)"] == "Changelog"
    assert section["This release drops support for Python 3.9 and needs Python 3.10 or later."] == "Changes"
    assert section["Fixed the progress bar on narrow terminals."] == "Fixes"
    # A comment in a code block ("# After: deploy undo web") is no heading: nothing stands under it.
    assert section["# After: deploy undo web"] == "Changes"
    # Plain text does not say which heading is within which: a heading there stands in no section.
    plain = split_text("notes.txt", "Changes\n=======\n\nFixes\n-----\n\nFixed the progress bar.\n")
    assert [s.section for s in plain if shown(s) in ("Changes", "Fixes")] == [-1, -1]


def test_a_list_that_a_sentence_introduces_has_no_lead(documents):
    # "Do this first:" brings its list forward in an answer (qa.extractive);
    # its items are not read under its words. Under the heading itself, they are.
    text = "## Restarting\n\nDo this first, before anything else:\n\n- drain the node\n- stop the queue\n\n## Checks\n\n- queue below 500\n"
    sentences = split_text("runbook.md", text)
    lead_of = {shown(s): s.lead for s in sentences}
    assert lead_of["drain the node"] == lead_of["stop the queue"] == -1
    checks = next(s.position for s in sentences if shown(s) == "Checks")
    assert lead_of["queue below 500"] == checks
    # The list under "What changes" in the ferry notice hangs from its heading.
    assert sum(1 for v in leads(documents, "ferry-timetable.md").values() if v == "What changes") == 3


def test_a_chunk_that_starts_inside_a_table_is_read_with_its_header(documents):
    doc = documents["engine-designs.html"]
    sentences = split_document(doc)
    chunks = chunk_sentences(sentences, 160, 1, "cl100k_base")
    inside = [c for c in chunks if c.context]
    assert inside, "the table is longer than a chunk"
    for c in inside:
        assert c.context == HEADER and c.text.startswith(HEADER + " ")
        # The header is read, not cited: the chunk's span is its own rows.
        assert not doc.text[c.start : c.end].lstrip().startswith("<tr><th>")
    header = next(s for s in sentences if shown(s) == HEADER)
    assert all(not c.context for c in chunks if header.id in c.sentence_ids)


def test_a_changed_lead_changes_the_sentences_it_leads_so_they_are_read_again(documents):
    doc = documents["ferry-timetable.md"]
    before = {shown(s): s.id for s in split_document(doc)}
    after = {shown(s): s.id for s in split_document(replace(doc, text=doc.text.replace("| Ticket | Price |", "| Ticket | Fare |")))}
    assert before["Child return | 4.75"] != after["Child return | 4.75"]
    assert before["Fares are unchanged, and season tickets remain valid on every sailing."] == after["Fares are unchanged, and season tickets remain valid on every sailing."]


def test_a_plain_text_heading_underlined_is_kept_and_leads_its_list():
    text = (
        "Harbour survey 2024\n===================\n\n"
        "Findings\n--------\n\n- The north pier needs new fenders.\n- Two bollards are cracked.\n\n"
        "Recommended work:\n\n- repaint the crane rails;\n- replace the ladder at berth 4.\n\n"
        "Costs\n-----\n\nThe repairs will cost about 40,000 euros.\n"
    )
    sentences = split_text("survey.txt", text)
    by_text = {s.text: s for s in sentences}
    # A short heading beside its underline is a heading, not a stray fragment beside chrome.
    assert by_text["Findings"].kind == by_text["Costs"].kind == "article"
    assert {s.text for s in sentences if s.lead == by_text["Findings"].position} == {"The north pier needs new fenders.", "Two bollards are cracked."}
    assert by_text["repaint the crane rails;"].lead == -1  # introduced by a sentence, not a heading
    assert by_text["The repairs will cost about 40,000 euros."].lead == -1  # a paragraph, not a list item


def test_a_markdown_table_padded_into_columns_keeps_its_own_header():
    text = "# Fares\n\n| Ticket         | Price |\n|----------------|-------|\n| Adult return | 9.50 |\n| Child return | 4.75 |\n"
    sentences = split_text("fares.md", text)
    header = next(s.position for s in sentences if "Ticket" in s.text)
    assert [s.lead for s in sentences if "return" in s.text] == [header, header]


@pytest.mark.parametrize(
    "table",
    [
        "<table>\n<tr><th>Environment</th><th>Database</th></tr>\n<tr><td>staging</td><td>pg-stage-02</td></tr>\n"
        "<tr><td>preview</td><td>pg-stage-03</td></tr>\n</table>\n",
        # As READMEs set one, a cell a line.
        "<table>\n  <tr>\n    <th>Environment</th>\n    <th>Database</th>\n  </tr>\n  <tr>\n    <td>staging</td>\n"
        "    <td>pg-stage-02</td>\n  </tr>\n  <tr>\n    <td>preview</td>\n    <td>pg-stage-03</td>\n  </tr>\n</table>\n",
    ],
)
def test_an_html_table_in_markdown_is_read_as_a_page_reads_one(table: str) -> None:
    text = f"## Environments\n\n{table}\nStaging is wiped every Sunday.\n"
    sentences = split_checked("deploy.md", text)
    assert [(shown(s).strip(), s.lead) for s in sentences] == [
        ("Environments", -1),
        ("Environment | Database", -1),
        ("staging | pg-stage-02", 1),
        ("preview | pg-stage-03", 1),
        ("Staging is wiped every Sunday.", -1),
    ]
    # In a code block, the table is code, a line a sentence as written.
    fenced = split_checked("deploy.md", f"## Markup\n\n```html\n{table}```\n")
    assert [s.text for s in fenced if s.code] == [line.strip() for line in table.splitlines() if "<td>" in line or "<th>" in line]


def test_a_numbered_plain_text_heading_leads_its_list_and_a_numbered_step_does_not():
    text = (
        "Harbour survey 2024\n\n1. Findings\n\n- The north pier needs new fenders.\n- Two bollards are cracked.\n\n"
        "2. Costs\n\nThe repairs will cost about 40,000 euros.\n\nSteps:\n\n1. Drain the basin.\n2. Lift the pier.\n"
    )
    sentences = split_text("survey.txt", text)
    by_text = {s.text: s for s in sentences}
    assert {s.text for s in sentences if s.lead == by_text["Findings"].position} == {"The north pier needs new fenders.", "Two bollards are cracked."}
    # A step that says something is a list item, not a heading; a paragraph has no lead.
    assert by_text["Lift the pier."].lead == by_text["The repairs will cost about 40,000 euros."].lead == -1
    assert not any(s.lead == by_text["Drain the basin."].position for s in sentences)


@pytest.mark.parametrize("bullet", ["-", "*", "•", "–", "1.", "●", "○", "▪"])
def test_every_kind_of_bullet_makes_an_item_whose_later_sentences_hang_from_its_first(bullet):
    text = (
        "Field rules\n\nThe parser reads each record in turn and splits it into fields as it goes.\n\n"
        f"  {bullet} Separators may occur at the start of a line. They are then ignored.\n"
        f"  {bullet} Quotes are kept. Doubled quotes stand for one.\n"
    )
    sentences = split_text("rules.txt", text)
    by_text = {s.text: s for s in sentences}
    assert by_text["They are then ignored."].lead == by_text["Separators may occur at the start of a line."].position
    assert by_text["Doubled quotes stand for one."].lead == by_text["Quotes are kept."].position
    assert by_text["The parser reads each record in turn and splits it into fields as it goes."].lead == -1


@pytest.mark.parametrize("source", ["faq.txt", "faq.md"])
def test_a_paragraph_indented_under_a_list_item_is_read_under_it(source):
    # A FAQ's answer under its numbered question: "You have to spawn ..." alone does not say to do what.
    text = (
        "Frequently asked questions\n\n"
        "12. Can zlib handle .Z files?\n\n"
        "    No, sorry.  You have to spawn an uncompress or gunzip subprocess.\n\n"
        "13. How can I make a Unix shared library?\n\n"
        "    By default a shared library is built for Unix.\n\n"
        "A paragraph at the margin ends the list.\n"
    )
    sentences = split_text(source, text)
    by_text = {s.text: s for s in sentences}
    question = by_text["Can zlib handle .Z files?"].position
    assert by_text["No, sorry."].lead == by_text["You have to spawn an uncompress or gunzip subprocess."].lead == question
    assert by_text["By default a shared library is built for Unix."].lead == by_text["How can I make a Unix shared library?"].position
    assert by_text["A paragraph at the margin ends the list."].lead == -1


@pytest.mark.parametrize("source", ["rota.html", "rota.md"])
def test_a_cell_that_spans_rows_is_read_into_them_within_its_row_group(source: str) -> None:
    # A page's table, or one in Markdown as READMEs set it: the day spans its
    # two shifts, and no further than its <tbody>, however many rows it says.
    table = (
        "<table>\n<thead><tr><th>Day</th><th>Shift</th><th>Staff</th></tr></thead>\n<tbody>\n"
        '<tr><td rowspan="2">Monday</td><td>Early</td><td>Ana Lowe</td></tr>\n'
        "<tr><td>Late</td><td>Ben Ortiz</td></tr>\n"
        '<tr><td rowspan="9">Tuesday</td><td>Early</td><td>Cara Finch</td></tr>\n'
        "</tbody>\n<tbody>\n<tr><td>Wednesday</td><td>Late</td><td>Dev Patel</td></tr>\n</tbody>\n</table>\n"
    )
    text = f"<html><body><h1>Rota</h1>\n{table}</body></html>" if source.endswith(".html") else f"# Rota\n\n{table}"
    sentences = split_checked(source, text)
    assert [shown(s) for s in sentences if "td" in s.text] == [
        "Monday | Early | Ana Lowe",
        "Monday | Late | Ben Ortiz",
        "Tuesday | Early | Cara Finch",
        "Wednesday | Late | Dev Patel",
    ]
    late = next(s for s in sentences if "Ben Ortiz" in s.text)
    assert "Monday" not in late.text  # the quote: the row's own cells, as the file has them
    assert late.lead == next(s.position for s in sentences if "Day" in s.text)


def test_rows_set_in_columns_hang_from_the_line_that_introduces_them_with_a_colon():
    text = (
        "EXIT STATUS\n"
        "       xargs exits with the following status:\n\n"
        "              0      if it succeeds\n\n"
        "              126    if the command cannot be run\n\n"
        "              127    if the command is not found\n\n"
        "       If the command is killed, xargs stops at once.\n"
    )
    sentences = split_text("xargs.1.txt", text)
    by_text = {s.text: s for s in sentences}
    intro = by_text["xargs exits with the following status:"].position
    # "127 if the command is not found" alone does not say what 127 is.
    assert [s.lead for s in sentences if s.text[:1].isdigit()] == [intro, intro, intro]
    assert by_text["If the command is killed, xargs stops at once."].lead == -1


def test_markdown_comments_are_notes_to_the_editor_not_text() -> None:
    text = (
        "# path.join(...paths)\n\n"
        "<!-- YAML\n"
        "added: v0.1.16\n"
        "changes:\n"
        "  - version: v8.0.0\n"
        "-->\n\n"
        "The path.join() method joins all given path segments together. <!-- keep in sync with posix.md -->\n"
        "Zero-length path segments are ignored.\n"
    )
    sentences = split_text("path.md", text)
    shown = [readable("path.md", text[s.start : s.end]).strip() for s in sentences]
    assert "The path.join() method joins all given path segments together." in shown
    assert "Zero-length path segments are ignored." in shown
    assert not any(word in s for s in shown for word in ("<!--", "-->", "YAML", "added: v0.1.16", "keep in sync"))
    for s in sentences:  # citations still point at the file's own text
        assert text[s.start : s.end] == s.text


def test_markdown_quotations_alerts_admonitions_tasks_and_footnotes_read_as_rendered() -> None:
    # As GitHub and MkDocs show them: no ">" at each line, an alert's or an
    # admonition's label as its word or title, a task's box ticked or not, no
    # footnote marks; a quotation's wrapped lines are one sentence, its list
    # items items, and a footnote's text goes on on its indented lines.
    text = (
        "# Deploying\n\n"
        "> [!WARNING]\n> Deploys run only from the main branch\n> and need two approvals.\n\n"
        "> - Tag the release first.\n> - Then announce it.\n\n"
        '!!! tip "Faster builds"\n    Use the cache flag to halve build times.\n\n'
        "- [x] Tests pass\n- [ ] Changelog updated\n\n"
        "A deploy takes ten minutes[^1] and is ~~never~~ rarely rolled back.\n\n"
        "[^1]: Measured over the last fifty deploys, from the merge to\n    the last pool.\n"
    )
    sentences = split_checked("deploy.md", text)
    assert [shown(s) for s in sentences] == [
        "Deploying",
        "Warning",
        "Deploys run only from the main branch and need two approvals.",
        "Tag the release first.",
        "Then announce it.",
        "Faster builds",
        "Use the cache flag to halve build times.",
        "☑ Tests pass",
        "☐ Changelog updated",
        "A deploy takes ten minutes and is ~~never~~ rarely rolled back.",
        "Measured over the last fifty deploys, from the merge to the last pool.",
    ]


def test_admonitions_between_colons_read_as_docusaurus_and_myst_show_them() -> None:
    # ":::tip Faster builds" or ":::note[Title]" shows its title, ":::{warning}"
    # its type; the closing colons show nothing and run into no sentence, and
    # the admonition's wrapped lines are one sentence.
    text = (
        "# Deploying\n\n"
        ":::tip Faster builds\nUse the cache flag to halve\nbuild times.\n:::\n\n"
        ":::note[Approvals]\nDeploys need two approvals.\n:::\n\n"
        ":::{warning}\nNever deploy on a Friday.\n:::\n\n"
        "A deploy takes ten minutes.\n"
    )
    sentences = split_checked("deploy.md", text)
    assert [shown(s) for s in sentences] == [
        "Deploying",
        "Faster builds",
        "Use the cache flag to halve build times.",
        "Approvals",
        "Deploys need two approvals.",
        "Warning",
        "Never deploy on a Friday.",
        "A deploy takes ten minutes.",
    ]


def test_an_mdx_page_reads_as_markdown_without_its_javascript() -> None:
    # Docusaurus writes .mdx: Markdown with import and export statements and
    # components' tags, which a reader never sees; the same lines inside a
    # code block are the code a reader is shown.
    text = (
        "---\ntitle: Installing the agent\n---\n\n"
        "import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n"
        "# Installing the agent\n\n"
        '<Tabs>\n  <TabItem value="deb" label="Debian" default>\n\n'
        "Install the package with apt,\nthen enable the service.\n\n"
        "  </TabItem>\n</Tabs>\n\n"
        "export const toc = [\n  {value: 'Install', id: 'install'},\n];\n\n"
        "```js\nimport Agent from 'log-agent';\n```\n\n"
        'The agent reads its settings at start-up; see <Link to="/config">the settings page</Link>.\n\n'
        "A `List<String>` holds the names of its inputs.\n"
    )
    sentences = split_checked("install.mdx", text)
    assert [shown(s) for s in sentences] == [
        "Installing the agent",
        "Install the package with apt, then enable the service.",
        "import Agent from 'log-agent';",
        "The agent reads its settings at start-up; see the settings page.",
        "A List<String> holds the names of its inputs.",
    ]
    assert {s.kind for s in sentences} == {"article"}


def test_a_site_generators_template_tags_are_no_text() -> None:
    # Hugo's shortcodes and Jekyll's Liquid tags are replaced by the site's own
    # markup: what they wrap is the page's text, no sentence opens or ends
    # with one; written in code, they are the code a reader is shown.
    text = (
        "---\ntitle: Booking the minibus\n---\n\n"
        "{{< notice info >}}\nBookings open on the first Monday of each month.\n{{< /notice >}}\n\n"
        "{{% alert color=\"warning\" %}}\nThe mileage rate rose on 1 April 2025.\n{{% /alert %}}\n\n"
        "{{< figure src=\"/images/minibus.jpg\" >}}\n\n"
        "{% include toc.html %}\n\n"
        "Groups pay 45p a mile.\n{{< /alert >}}\n\n"
        "Drivers log each trip{{< sup \"1\" >}} in the book.\n\n"
        "Link a page with `{{< ref \"page.md\" >}}`.\n\n"
        "```\nhugo new posts/first.md  # then add {{< figure src=\"a.jpg\" >}}\n```\n"
    )
    sentences = split_checked("minibus.md", text)
    assert [shown(s) for s in sentences] == [
        "Bookings open on the first Monday of each month.",
        "The mileage rate rose on 1 April 2025.",
        "Groups pay 45p a mile.",
        "Drivers log each trip in the book.",  # a tag within a sentence, as much as one on its own line
        'Link a page with {{< ref "page.md" >}}.',
        'hugo new posts/first.md # then add {{< figure src="a.jpg" >}}',
    ]
    assert {s.kind for s in sentences} == {"article"}


def test_a_markdown_export_reads_as_its_document_shows_and_code_as_it_is_written() -> None:
    # Google Docs' Markdown export escapes every full stop and hyphen and sets
    # its headings' numbers in bold; the document shows the characters. Code
    # keeps its characters, and what would be markup elsewhere is code there.
    text = (
        "# **Volunteer driver handbook**\n\n"
        "**Version 3\\.2 \\- updated 4 March 2025**\n\n"
        "## **1\\. Before your first trip**\n\n"
        "Wear the hi\\-vis vest at the roadside\\. Never carry more than 14 passengers \\(the 15th seat is the driver’s\\)\\.\n\n"
        "Pass options as \\*\\*kwargs, or `f(a\\.b)` in code.\n\n"
        "### Rota ###\n\n"
        "```python\n# Build the rota\nrota = plan(**shifts, pattern=r\"a\\.b\")  # [Mon](x)\nhtml = \"<div>Rota</div>\"\n```\n"
    )
    sentences = split_checked("handbook.md", text)
    assert [shown(s) for s in sentences] == [
        "Volunteer driver handbook",
        "Version 3.2 - updated 4 March 2025",
        "1. Before your first trip",
        "Wear the hi-vis vest at the roadside.",
        "Never carry more than 14 passengers (the 15th seat is the driver’s).",
        "Pass options as **kwargs, or f(a\\.b) in code.",
        "Rota",  # a heading's closing marks are no text
        "# Build the rota",
        'rota = plan(**shifts, pattern=r"a\\.b") # [Mon](x)',
        'html = "<div>Rota</div>"',
    ]
    assert [s.code for s in sentences] == [False] * 7 + [True] * 3


def test_markdown_emphasis_reads_as_its_words_but_names_and_code_keep_their_marks() -> None:
    text = (
        "Raise a *Software request* in Pulse; there is _no_ other way.\n\n"
        "Set snake_case_names, __init__ and a*b*c as written; 5 * 3 * 2 is thirty.\n\n"
        "Shims live in `~/.pyenv/versions/*/bin/*`, one a *binary*.\n\n"
        "| Setting | Notes |\n|---|---|\n| `retry_limit` | Per request<br>not per batch |\n"
    )
    assert [shown(s) for s in split_checked("notes.md", text)] == [
        "Raise a Software request in Pulse; there is no other way.",
        "Set snake_case_names, __init__ and a*b*c as written; 5 * 3 * 2 is thirty.",
        "Shims live in ~/.pyenv/versions/*/bin/*, one a binary.",
        "Setting | Notes",
        "retry_limit | Per request not per batch",  # a line break within a cell: one row still
    ]


def test_a_word_processors_document_as_pandoc_writes_it_reads_as_the_document_shows() -> None:
    text = (
        "# Summary {#summary}\n\n"
        "The fleet grew to 48 vehicles in 2025.^[Including four on loan.] Fuel costs fell by 6%.\n\n"
        "::: {.note}\nElectric vans now make up a quarter of the fleet.\n:::\n\n"
        "## Costs {#costs .unnumbered}\n\n"
        "The depot at [Harwick]{.smallcaps} handles repairs; run `make report`{.bash} for the figures.\n\n"
        "  Vehicle   Count\n  --------- -------\n  Vans      30\n\n: Fleet by type\n"
    )
    sentences = split_checked("fleet.md", text)
    assert [shown(s) for s in sentences] == [
        "Summary",
        "The fleet grew to 48 vehicles in 2025. (Including four on loan.)",
        "Fuel costs fell by 6%.",
        "Electric vans now make up a quarter of the fleet.",
        "Costs",
        "The depot at Harwick handles repairs; run make report for the figures.",
        "Vehicle Count",
        "Vans 30",
        "Fleet by type",
    ]


def test_a_markdown_definition_list_reads_each_definition_under_its_term() -> None:
    # As Pandoc, PHP Markdown Extra and MkDocs write one: the term, then ": " and
    # its definition, wrapped or not; never one run-together line.
    text = "# Glossary\n\nJitter\n: Variation in packet delay.\n\nLatency\n:   The time a packet takes\n    to arrive.\n\nPlain text.\n"
    sentences = split_checked("glossary.md", text)
    assert [(shown(s), s.lead) for s in sentences] == [
        ("Glossary", -1),
        ("Jitter", -1),
        ("Variation in packet delay.", 1),
        ("Latency", -1),
        ("The time a packet takes to arrive.", 3),
        ("Plain text.", -1),
    ]


def test_an_indented_code_block_in_markdown_is_a_line_a_sentence_as_written() -> None:
    # Each example's commands and output, as a terminal shows them: never one
    # run-together sentence, "<version>" no tag, "*" no emphasis. The same
    # output lines in the next example repeat nothing the page should drop,
    # nor does the prose that stands between them.
    text = (
        "Set a local version:\n\n"
        "    $ pyenv local 2.7.6 3.3.3\n"
        "    $ pyenv versions\n"
        "      system\n"
        "    * 2.7.6 (set by .python-version)\n\n"
        "Or, if you prefer 3.3.3:\n\n"
        "    $ pyenv versions\n"
        "      system\n"
        "    * 2.7.6 (set by .python-version)\n\n"
        "Or, if you prefer 3.3.3:\n\n"
        "    Usage: pyenv install [-f] <version>\n\n"
        "- An item\n\n"
        "    Its second paragraph, **in bold**.\n"
    )
    sentences = split_checked("commands.md", text)
    assert [(shown(s), s.code) for s in sentences] == [
        ("Set a local version:", False),
        ("$ pyenv local 2.7.6 3.3.3", True),
        ("$ pyenv versions", True),
        ("system", True),
        ("2.7.6 (set by .python-version)", True),
        ("Or, if you prefer 3.3.3:", False),
        ("$ pyenv versions", True),
        ("system", True),
        ("2.7.6 (set by .python-version)", True),
        ("Or, if you prefer 3.3.3:", False),
        ("Usage: pyenv install [-f] <version>", True),
        ("An item", False),
        ("Its second paragraph, in bold.", False),  # a list item's, indented as code would be
    ]


def test_a_number_a_web_page_writes_before_its_text_is_text_but_a_plain_text_list_marker_is_not() -> None:
    # A page's list numbers are its markup (<ol>), not in its text: a number
    # written there is the author's, a heading's or a step's.
    html = (
        "<html><body><article><h1>Annual report</h1>"
        "<h2>1. Introduction</h2><p>The utility served 41,000 homes.</p>"
        "<h3>2.1 Energy</h3><p>3. Submit the form by May. 4. Keep a copy.</p>"
        "<ol><li>Read the meter.</li></ol></article></body></html>"
    )
    assert [shown(s) for s in split_checked("report.html", html)] == [
        "Annual report",
        "1. Introduction",
        "The utility served 41,000 homes.",
        "2.1 Energy",
        "3. Submit the form by May.",
        "4. Keep a copy.",
        "Read the meter.",
    ]
    assert [shown(s) for s in split_checked("steps.txt", "1. Read the meter.\n2. Note the reading.\n")] == ["Read the meter.", "Note the reading."]


def test_values_a_spreadsheet_parts_with_tabs_are_rows_read_under_their_header() -> None:
    text = "Site\tOpened\tStaff\nHarwick depot\t1998\t42\nDunmore depot\t2004\t17\n\nBoth depots run on renewable power.\n"
    sentences = split_checked("depots.txt", text)
    assert [(shown(s), s.lead) for s in sentences] == [
        ("Site | Opened | Staff", -1),
        ("Harwick depot | 1998 | 42", 0),
        ("Dunmore depot | 2004 | 17", 0),
        ("Both depots run on renewable power.", -1),
    ]
    # A line with a tab the next line does not follow cell for cell heads nothing.
    text = "Opening hours\t(summer)\nThe depot opens at 7am.\n"
    assert [s.lead for s in split_checked("hours.txt", text)] == [-1, -1]


def test_a_restructuredtext_literal_block_is_a_line_a_sentence_as_written() -> None:
    text = (
        "Run the installer as an administrator::\n\n"
        "    sudo ./install-agent --site harwick\n"
        "    rm -f *.log *.tmp\n\n"
        ".. code-block:: ini\n\n"
        "   [agent]\n"
        "   interval = 300\n\n"
        "The agent reports every *five* minutes.\n"
    )
    sentences = split_checked("agent.rst", text)
    assert [(shown(s), s.code) for s in sentences] == [
        ("Run the installer as an administrator:", False),
        ("sudo ./install-agent --site harwick", True),
        ("rm -f *.log *.tmp", True),
        ("[agent]", True),
        ("interval = 300", True),
        ("The agent reports every five minutes.", False),
    ]


def test_a_web_pages_preformatted_lines_are_code(documents) -> None:
    sentences = split_document(documents["valve-manual.html"])
    code = {shown(s) for s in sentences if s.code}
    assert "vctl open NW-04 --rate 5" in code
    assert not any("valve" in text for text in code)  # the manual's prose is no code


def test_a_web_pages_preformatted_lines_are_never_run_together() -> None:
    # Two commands in a Confluence code panel: a short line before one in lower
    # case is no wrapped paragraph there.
    page = (
        "<html><body><p>Install the VPN client:</p>"
        '<div class="code panel"><pre class="syntaxhighlighter-pre">sudo apt install openvpn\nopenvpn --config staff.ovpn</pre></div>'
        "</body></html>"
    )
    sentences = split_checked("vpn.html", page)
    assert [(shown(s), s.code) for s in sentences] == [
        ("Install the VPN client:", False),
        ("sudo apt install openvpn", True),
        ("openvpn --config staff.ovpn", True),
    ]


def test_a_word_a_pdfs_text_breaks_over_two_lines_reads_whole() -> None:
    # pdftotext breaks long words with a hyphen at a line's end: read whole
    # where a dictionary knows the word, its own hyphen kept where it is a
    # compound's, and the quote still the file's text.
    text = (
        "The trust completed the replacement of the harbour's north wall in Sep-\n"
        "tember, three months ahead of schedule. The new wall protects forty-\n"
        "two moorings and the fuel berth from winter storms, and its construc-\n"
        "tion cost £2.4 million, of which the Marine Fund paid half, for pre-\n"
        "and post-storm repairs alike.\n"
    )
    shown_text = " ".join(shown(s) for s in split_checked("report.txt", text))
    assert "in September," in shown_text and "forty-two moorings" in shown_text and "its construction cost" in shown_text
    assert "pre- and post-storm" in shown_text
    assert "septemb" in terms(shown_text)


@pytest.mark.parametrize(
    "written, shown_as",
    [
        ("HttpOnly_ is a flag included in a Set-Cookie HTTP response header.", "HttpOnly is a flag included in a Set-Cookie HTTP response header."),
        ("Requires the auth_ and contenttypes_ contrib packages, see Sphinx__.", "Requires the auth and contenttypes contrib packages, see Sphinx."),
        # No reference: a grammar's class, a dunder name, a wildcard import.
        ("Names match [A-Za-z_] and call __init__ first.", "Names match [A-Za-z_] and call __init__ first."),
        ("It runs import scala.collection.JavaConverters._ first.", "It runs import scala.collection.JavaConverters._ first."),
    ],
)
def test_a_restructuredtext_simple_reference_reads_without_its_underscore(written: str, shown_as: str) -> None:
    assert readable("cookies.rst", written) == shown_as


def test_a_text_file_written_in_restructuredtext_reads_as_restructuredtext() -> None:
    # As Django keeps its documentation: reStructuredText in .txt files.
    text = (
        "===================\nHow to use sessions\n===================\n\n"
        ".. module:: django.contrib.sessions\n   :synopsis: Provides session management for Django projects.\n\n"
        "Sessions are implemented via a piece of :doc:`middleware </ref/middleware>`.\n"
        "The default ``settings.py`` created by ``django-admin startproject`` has\n"
        "``SessionMiddleware`` activated.\n"
    )
    sentences = split_checked("sessions.txt", text)
    assert [shown(s) for s in sentences] == [
        "How to use sessions",
        "Sessions are implemented via a piece of middleware.",
        "The default settings.py created by django-admin startproject has SessionMiddleware activated.",
    ]
    # A wiki's page or a plain note is no reStructuredText: a literal or two in it read as written around them.
    assert not clean.is_rst("harbour.txt", "====== Harbour ======\n\nThe **ferry** leaves at ''06:10''. See [[timetable]].\n")
    assert not clean.is_rst("note.txt", "Call ``make`` first.\n")
    assert readable("note.txt", "Call ``make`` first.") == "Call make first."


def test_a_myst_role_reads_as_the_text_it_shows() -> None:
    # Sphinx's Markdown (MyST) marks cross-references and footnote marks as roles.
    text = (
        "This behaviour can be disabled by passing {any}`--no-deps` to {any}`pip install`.\n\n"
        "See {ref}`Fixing conflicting dependencies <fix-conflicts>` for what to try first.\n\n"
        "Any compatible{sup}`1` version is accepted; `x{n}` stays code.\n"
    )
    sentences = split_text("resolver.md", text)
    assert [sentence_words(s) for s in sentences] == [
        "This behaviour can be disabled by passing --no-deps to pip install.",
        "See Fixing conflicting dependencies for what to try first.",
        "Any compatible¹ version is accepted; x{n} stays code.",
    ]
    assert "--no-deps" in terms(sentence_words(sentences[0]))


def test_markdown_link_definitions_are_markup_and_footnotes_are_text() -> None:
    text = (
        "The path.relative() method returns the relative path from one path to another [per MSDN][MSDN-Rel-Path].\n\n"
        "[MSDN-Rel-Path]: https://docs.microsoft.com/windows/naming-a-file#paths\n"
        "[TypeError]: errors.md#class-typeerror\n"
        '[path.sep]: #pathsep "The separator"\n\n'
        "[^1]: On Windows, the separator is a backslash.\n"
    )
    shown = [readable("path.md", s.text).strip() for s in split_text("path.md", text)]
    assert shown[0].startswith("The path.relative() method returns the relative path")
    assert "On Windows, the separator is a backslash." in shown  # a footnote's text, shown without its mark
    assert not any("errors.md" in s or "docs.microsoft.com" in s or "#pathsep" in s for s in shown)


def test_a_sentence_knows_the_heading_of_its_section_however_far_down() -> None:
    text = (
        "# Settings\n\n"
        "The station reads its settings when it starts.\n\n"
        "## `STATION_CALIBRATION`\n\n"
        "* Type: file path\n\n"
        "The file the offsets are read from. A missing file leaves the sensors uncalibrated.\n\n"
        "## Upload\n\n"
        "Records are sent every hour.\n"
    )
    sentences = split_text("settings.md", text)
    section = {s.text: sentences[s.section].text if s.section >= 0 else None for s in sentences}
    assert section["A missing file leaves the sensors uncalibrated."] == "## `STATION_CALIBRATION`"
    assert section["The file the offsets are read from."] == "## `STATION_CALIBRATION`"
    assert section["Records are sent every hour."] == "## Upload"
    assert section["The station reads its settings when it starts."] == "# Settings"
    # A heading is no sentence of the section before it, but of the heading ranked over it.
    assert section["## Upload"] == section["## `STATION_CALIBRATION`"] == "# Settings"
    assert section["# Settings"] is None
    # Text without headings has no sections.
    assert all(s.section == -1 for s in split_text("plain.txt", "One sentence here. Another one there.\n"))


def test_what_a_page_says_again_in_another_place_is_kept_there() -> None:
    text = (
        "# Installing\n\n"
        "## Stable\n\n"
        "To install:\n\n"
        "```sh\nrustup component add gaugefmt\n```\n\n"
        "### Fixes\n\n"
        "Offsets are read once.\n\n"
        "## Nightly\n\n"
        "To install:\n\n"
        "```sh\nrustup component add gaugefmt --toolchain nightly\n```\n\n"
        "### Fixes\n\n"
        "Offsets are read twice.\n"
    )
    sentences = split_checked("install.md", text)
    said = [s for s in sentences if s.text == "To install:"]
    assert len(said) == 2, [s.text for s in sentences]
    # Each stands in its own section, and is a sentence of its own.
    assert [sentences[s.section].text for s in said] == ["## Stable", "## Nightly"]
    assert len({s.id for s in sentences}) == len(sentences)
    fixes = [s for s in sentences if s.text == "### Fixes"]
    assert [sentences[s.section].text for s in fixes] == ["## Stable", "## Nightly"]
    under = {s.text: sentences[s.section].text for s in sentences if s.text.startswith("Offsets")}
    assert under == {"Offsets are read once.": "### Fixes", "Offsets are read twice.": "### Fixes"}
    # Two places alike make two chunks, each with an id of its own.
    fixes_twice = [fixes[0], sentences[fixes[0].position + 1]]
    fixes_twice += [replace(s, id=s.id + "again", position=s.position + 100, start=s.start + 200, end=s.end + 200) for s in fixes_twice]
    chunks = chunk_sentences(fixes_twice, max_tokens=8, overlap=0, encoding="cl100k_base")
    assert len(chunks) == 2 and chunks[0].text == chunks[1].text
    assert chunks[0].id != chunks[1].id


def test_a_stretch_the_page_repeats_and_a_title_shown_twice_are_indexed_once() -> None:
    body = (
        "The survey counted 41 lighthouses on the coast. "
        "Nine of them still keep a light. "
        "The oldest was built in 1791 at Hartland Point.\n\n"
    )
    text = "Lighthouses of the north coast\n\nLighthouses of the north coast\n\n" + body + "Photographs by the Harbour Trust.\n\n" + body + "Yes\n\nYes\n"
    sentences = [s.text for s in split_checked("survey.txt", text)]
    assert sentences.count("Lighthouses of the north coast") == 1
    assert sentences.count("Nine of them still keep a light.") == 1
    assert sentences.count("The oldest was built in 1791 at Hartland Point.") == 1
    # A word said twice in a row is no page repeating itself: a table's two
    # columns alike, a form's answers.
    assert sentences.count("Yes") == 2


def test_bold_words_in_a_wrapped_text_file_do_not_cut_its_sentences_at_the_line_ends() -> None:
    # The marks read as blanks ("You   must   first"), which a table's columns
    # are made of; the file's own lines say it is wrapped prose.
    text = (
        "The transfer commands have configuration values you can use to control\n"
        "transfers. Use the accelerate endpoint for all of the commands that copy\n"
        "objects. You **must** first enable the accelerate option on your bucket\n"
        "before attempting to use the endpoint. This is mutually exclusive with the\n"
        "dual-stack endpoint option, which //also// needs enabling on the bucket\n"
        "before it is used.\n"
    )
    got = [shown(s) for s in split_text("s3-config.txt", text)]
    assert got == [
        "The transfer commands have configuration values you can use to control transfers.",
        "Use the accelerate endpoint for all of the commands that copy objects.",
        "You must first enable the accelerate option on your bucket before attempting to use the endpoint.",
        "This is mutually exclusive with the dual-stack endpoint option, which also needs enabling on the bucket before it is used.",
    ]


def test_a_restructuredtext_page_keeps_its_sections_definitions_and_title() -> None:
    scanned = scan(CLEANING, 10_000_000)
    doc = next(d for d in scanned.documents if d.source == "gauge-handbook.rst")
    assert doc.meta.title == "Tide gauge handbook"  # its :title: field
    sentences = split_document(doc)
    by_text = {shown(s): s for s in sentences}
    # Any of its adornments underlines a section's title; a paragraph wrapped at any width is one.
    intervals = by_text["Sampling intervals"]
    assert by_text["The default sampling interval is sixty seconds."].section == intervals.position
    assert by_text["Storm surveys use ten seconds, which fills the logger's memory in about four days."].section == intervals.position
    # A definition list's term is at the margin, its definition indented under it.
    battery = by_text["Battery"].position
    assert by_text["The backup battery is replaced every two years, whether or not the logger reports it as weak."].lead == battery
    # A footnote and the code after a list are not the list's: their markup was at the margin.
    assert by_text["The conduit is the one laid for the old float gauge in 1998."].lead == -1
    assert by_text["$ gaugectl status --serial GX-2231"].lead == -1


def test_a_restructuredtext_substitution_reads_as_its_name_without_its_bars() -> None:
    # Its definition's text cannot stand in its place without moving the
    # offsets after it; its name, in a sentence's words, can.
    text = (
        ".. |project| replace:: Tidewatch\n"
        ".. |version| replace:: 2.4\n\n"
        "Install |project| |version| before the survey.\n\n"
        "|project| reads the gauge every minute (see |docs|_).\n\n"
        "|logo|\n\n"
        "Record types::\n\n"
        '    "Type": "SOA"|"A"|"TXT", "Weight": 0 | 255\n'
    )
    sentences = split_checked("install.rst", text)
    assert [shown(s) for s in sentences] == [
        "Install project version before the survey.",
        "project reads the gauge every minute (see docs).",
        "|logo|",  # a picture alone on its line: no name to read
        "Record types:",
        '"Type": "SOA"|"A"|"TXT", "Weight": 0 | 255',  # bars in code, where no reference starts
    ]
    assert sentences[1].text.startswith("|project|")  # a quote takes in the bar it starts at


def test_no_sentence_ends_inside_restructuredtext_inline_markup() -> None:
    # An elision or a name's dots inside a role or code are the name's; a
    # sentence in bold still ends with its full stop.
    text = (
        "Removes the file name (as returned by :ref:`GET ... FILENAME <get>`) from the path.\n\n"
        "It was a thin wrapper around ``find_package(ITK ... NO_MODULE)``. Use :func:`read(...)` Instead.\n\n"
        "The class is named in full, for example ``MyCompany.Package.Starter``.\n\n"
        "**This naming pattern is internal.** The names are undocumented.\n"
    )
    sentences = split_checked("paths.rst", text)
    assert [shown(s) for s in sentences] == [
        "Removes the file name (as returned by GET ... FILENAME) from the path.",
        "It was a thin wrapper around find_package(ITK ... NO_MODULE).",
        "Use read(...) Instead.",
        "The class is named in full, for example MyCompany.Package.Starter.",
        "This naming pattern is internal.",
        "The names are undocumented.",
    ]


def test_a_sphinx_version_directive_has_the_words_a_question_about_the_version_asks_with() -> None:
    # Its name stays in the text (blanking it would leave only "2.3"), but a
    # question asks when something was "added" or which version "changed" it.
    text = (
        ".. versionadded:: 2.3\n\n"
        "The ``--serial`` option selects a gauge.\n\n"
        ".. versionchanged:: 3.0\n"
        "   The option takes a list.\n"
    )
    added, _, changed, _ = split_text("gauges.rst", text)
    assert shown(added) == "versionadded 2.3" and text[added.start : added.end] == added.text
    assert set(terms("When was it added?")) <= set(terms(sentence_words(added)))
    assert {"version", *terms("changed")} <= set(terms(sentence_words(changed)))


def test_a_line_of_punctuation_in_a_restructuredtext_literal_block_underlines_no_title() -> None:
    # Sample output set under a "::" paragraph or a code directive is code;
    # a ruler in it, or an elided "...", does not make the line above a heading.
    text = (
        "Reports\n"
        "=======\n\n"
        "The daily report lists each tide::\n\n"
        "    $ gaugectl report --day 2024-03-01\n\n"
        "    Daily summary\n"
        "    -------------\n"
        "    high water  06:12\n\n"
        "* The weekly report adds the means::\n\n"
        "      Weekly summary\n"
        "      ==============\n\n"
        "  It is sent on Mondays.\n\n"
        ".. code-block:: cmake\n\n"
        "   project(Gauge)\n"
        "   ...\n\n"
        "Readings are in metres.\n"
    )
    sentences = split_text("reports.rst", text)
    by_text = {shown(s): s for s in sentences}
    reports = by_text["Reports"].position
    for later in ("high water 06:12", "It is sent on Mondays.", "Readings are in metres."):
        assert by_text[later].section == reports
    visible = clean.visible_text("reports.rst", text)
    assert "    -------------\n" in visible and "   ...\n" in visible  # the code's own lines, kept
    assert visible.startswith("Reports\n" + " " * 7 + "\n")  # a title's underline is still markup


@pytest.mark.parametrize(
    "source, label",
    [
        ("options.rst", "``--force-reinstall``"),
        ("options.md", "`--force-reinstall`"),
        ("examples.rst", "**Example 2: Reinstalling a package**"),
        ("examples.md", "**Example 2: Reinstalling a package**"),
    ],
)
def test_a_name_in_code_or_a_title_in_bold_standing_alone_over_a_paragraph_leads_it(source, label) -> None:
    text = (
        f"{label}\n\n"
        "Doesn't affect resolution, but reinstalls the package when the resolved\n"
        "version is the one installed. This occurs even without an upgrade.\n\n"
        "`pip install --force-reinstall requests`\n\n"
        "Reinstalls requests and everything it depends on.\n"
    )
    sentences = split_text(source, text)
    name, does, occurs, command, reinstalls = sentences
    assert does.lead == name.position and occurs.lead == does.position  # the paragraph's later sentence under its first
    assert reinstalls.lead == -1  # a command with its arguments is an example, not a name


def test_a_sentence_in_bold_leads_nothing() -> None:
    text = "**Only the release team may run this command.**\n\nIt tags the release and uploads the packages.\n"
    assert [s.lead for s in split_text("release.md", text)] == [-1, -1]


def test_a_web_pages_title_in_bold_over_a_paragraph_leads_it() -> None:
    # As a Confluence page writes a heading it did not mark as one.
    page = (
        "<html><body><h2>Before the release</h2>"
        "<p><strong>Freeze</strong></p><p>The code freeze starts at 10:00 on the day before. Only fixes are merged.</p>"
        "<p><strong>Never release on a Friday.</strong></p><p>Releases wait for Monday.</p>"
        "<p><code>--dry-run</code></p><p>Prints the plan and changes nothing.</p></body></html>"
    )
    by_text = {shown(s): s for s in split_text("checklist.html", page)}
    freeze = by_text["Freeze"].position
    assert by_text["The code freeze starts at 10:00 on the day before."].lead == freeze
    assert by_text["Only fixes are merged."].lead == by_text["The code freeze starts at 10:00 on the day before."].position
    assert by_text["Releases wait for Monday."].lead == -1  # under a sentence in bold, not a title
    assert by_text["Prints the plan and changes nothing."].lead == by_text["--dry-run"].position


def test_a_note_apps_markdown_reads_as_the_app_shows_it() -> None:
    note = (
        "# Brackwater depot review\n\n"
        "Notes from the site visit on 13 February 2026, for [[Project Heron]]. "
        "It picks up the questions from the [[Meeting 2026-02-11|last meeting]].\n\n"
        "Drivers said this is ==normal on Mondays and Fridays==, when orders double. ^a1b2c3\n\n"
        "![[diagram.png]]\n\n"
        "> [!warning] Budget\n"
        "> The budget for 2026 is capped at €120,000.\n"
        "> Anything above €48,800 needs sign-off from [[Marta Veld]].\n\n"
        "Check `if x==1 and y==2` before the run.\n"
    )
    assert [shown(s) for s in split_text("visit.md", note)] == [
        "Brackwater depot review",
        "Notes from the site visit on 13 February 2026, for Project Heron.",
        "It picks up the questions from the last meeting.",
        "Drivers said this is normal on Mondays and Fridays, when orders double.",
        "Warning Budget",
        "The budget for 2026 is capped at €120,000.",
        "Anything above €48,800 needs sign-off from Marta Veld.",
        "Check if x==1 and y==2 before the run.",
    ]
