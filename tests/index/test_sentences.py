from index.sentences import split_spans


def spans(text: str) -> list[str]:
    return [text[s:e] for s, e in split_spans(text)]


def test_offsets_slice_the_original_text_exactly():
    text = "  First sentence here.  Second one!\n- a bullet item\nThird?  "
    for s, e in split_spans(text):
        assert text[s:e] == text[s:e].strip()
    assert spans(text) == ["First sentence here.", "Second one!", "a bullet item", "Third?"]


def test_abbreviations_and_initialisms_do_not_end_sentences():
    text = "Mr. Rogozin met Dr. Smith in St. Petersburg. The U.S. and Russia agreed. It was late."
    assert spans(text) == ["Mr. Rogozin met Dr. Smith in St. Petersburg.", "The U.S. and Russia agreed.", "It was late."]


def test_circa_and_dates_of_birth_do_not_end_sentences_but_a_word_before_a_capital_does():
    text = (
        "The population amounted to ca. 2 million at that time. Jacques Lefevre (c. 1455–1536) "
        "and Reguier (d. 1560) wrote. It holds French art. The museum opened."
    )
    assert spans(text) == [
        "The population amounted to ca. 2 million at that time.",
        "Jacques Lefevre (c. 1455–1536) and Reguier (d. 1560) wrote.",
        "It holds French art.",
        "The museum opened.",
    ]


def test_a_phone_extension_or_number_does_not_end_a_sentence():
    text = "Phone the duty manager on ext. 4999 (Tel. +44 20 7946 0999 from outside). Room bookings: Rm. 204. Then wait."
    assert spans(text) == [
        "Phone the duty manager on ext. 4999 (Tel. +44 20 7946 0999 from outside).",
        "Room bookings: Rm. 204.",
        "Then wait.",
    ]


def test_initialism_then_pronoun_is_a_boundary():
    assert spans("Bakanov is making his first visit to the U.S. He and Duffy talked.") == [
        "Bakanov is making his first visit to the U.S.",
        "He and Duffy talked.",
    ]


def test_glued_sentences_are_split_but_domains_and_decimals_are_not():
    text = "there may yet be room for common ground.This article was first published by Gazeta.ru and costs $5.99 today."
    assert spans(text) == [
        "there may yet be room for common ground.",
        "This article was first published by Gazeta.ru and costs $5.99 today.",
    ]


def test_closing_quotes_stay_with_their_sentence():
    assert spans("He said “we are partners.” Then he left.") == ["He said “we are partners.”", "Then he left."]


WRAPPED = """The survey of the twelve lighthouses on the northern coast was carried
out between April and September by a team of four. The lantern glass at
Kettle Point is cracked in two places and must be replaced before the
winter gales. The keepers at Greyhaven reported that the fog signal fails
whenever the temperature drops below freezing.
"""


def test_a_hard_wrapped_paragraph_is_split_into_whole_sentences():
    got = [" ".join(s.split()) for s in spans(WRAPPED)]
    assert got == [
        "The survey of the twelve lighthouses on the northern coast was carried out between April and September by a team of four.",
        "The lantern glass at Kettle Point is cracked in two places and must be replaced before the winter gales.",
        "The keepers at Greyhaven reported that the fog signal fails whenever the temperature drops below freezing.",
    ]


def test_lines_that_are_not_wrapped_prose_keep_their_breaks():
    one_per_line = "Harbour Office\nQuay Street\nopen weekdays from nine to five\nclosed on public holidays\n"
    assert spans(one_per_line) == one_per_line.strip().split("\n")
    long_lines = "\n".join(["This paragraph stands on one line and runs on well past any width text is wrapped at, " * 2 + "as scraped pages do"] * 4)
    assert len(spans(long_lines)) == 4
    # One sentence a line, some as long as a wrapped text's lines: no line runs on.
    per_line = (
        "The harbour board approved a 4% rise in ferry fares on Tuesday.\nStory continues below advertisement\n"
        "Season tickets will rise by 3%, and children under five still travel free.\nContinue reading below\n"
        "The board said fuel costs had risen by a fifth since last spring.\nRelated: Harbour board approves new pier budget\n"
        "Trending\nThe new fares take effect on 1 April.\n"
    )
    assert spans(per_line) == per_line.strip().split("\n")


def test_a_short_wrapped_email_runs_its_sentences_on_but_not_its_signature_or_a_link():
    # Two wrapped lines are too few to tell a width by; a long line stopping on
    # a word before one going on in lower case still runs on.
    email = (
        "Hi all,\n\nThere will be a fire drill on Thursday at 11am. Please leave by the nearest\n"
        "exit and gather at the car park on Quay Street.\n\nThanks,\nJane\n\n"
        "Germany's Fiscal Free Fall: Record Debt, Recession, and Welfare Crisis\nhttps://news.example/germany\n"
    )
    got = [" ".join(s.split()) for s in spans(email)]
    assert "Please leave by the nearest exit and gather at the car park on Quay Street." in got
    assert "Thanks," in got and "Jane" in got and "https://news.example/germany" in got


def test_code_lists_and_tables_in_wrapped_text_are_never_joined():
    text = WRAPPED + "\n".join(
        [
            "",
            "```",
            "vctl open NW-04 --rate 5 and then wait for the valve to report its position",
            "vctl close NW-04",
            "```",
            "- replace the lantern glass at Kettle Point before the winter gales come in",
            "- fit a heated housing to the fog signal",
            "| Ticket       | Price |",
            "| Adult return | 9.50  |",
            "colorizer.py      # Colorize text, and then a long comment about colours",
            "grep.py           # Find all occurrences of a pattern in many files",
        ]
    )
    got = spans(text)
    for line in text.split("\n")[6:]:
        if line.strip(" `-"):
            assert line.strip().lstrip("- ") in got, line


def test_in_markdown_a_paragraph_runs_on_across_its_line_breaks_but_not_across_a_hard_break():
    text = (
        "npm is configured to use the public registry at\n"
        "<https://registry.npmjs.org> by default.\n"
        "Use of the registry is subject to its terms.\n"
        "First line of an address  \n"
        "Second line of an address\n"
        "<details>\n"
        "A folded note.\n"
    )
    got = [" ".join(text[s:e].split()) for s, e in split_spans(text, markdown=True)]
    assert got == [
        "npm is configured to use the public registry at <https://registry.npmjs.org> by default.",
        "Use of the registry is subject to its terms.",
        "First line of an address",
        "Second line of an address",
        "<details>",
        "A folded note.",
    ]
    assert len(spans(text)) == 7  # as plain text, too few lines to tell a wrapped text: every break stays


def test_in_markdown_fields_on_their_own_lines_are_sentences_of_their_own():
    # A page's fields, one a line, which a renderer would run together as one paragraph.
    text = "**Owner:** Payments team\n**On-call rotation:** payments-primary\n**Escalation**: page the duty manager.\nThe service **must** be drained\nbefore a restart.\n"
    got = [" ".join(text[s:e].split()) for s, e in split_spans(text, markdown=True)]
    assert got == [
        "**Owner:** Payments team",
        "**On-call rotation:** payments-primary",
        "**Escalation**: page the duty manager.",
        "The service **must** be drained before a restart.",
    ]


def test_a_list_item_wrapped_under_its_own_text_is_one_sentence():
    # A manual's bullets and an FAQ's marks, their lines hanging under the text after the mark.
    text = (
        "The rules below apply to every pattern in the file, in the order given here.  Read them\n"
        "before writing a pattern, because the order of the rules decides which one wins.\n\n"
        "       \u2022   The slash / is used as the directory separator. Separators may\n"
        "           occur at the beginning, middle or end of the search pattern.\n\n"
        "       \u2022   A pattern that ends with a slash matches only directories, never\n"
        "           files, and a pattern without one matches both of them alike.\n\n"
        "A:  Pack with --level=9, which roughly halves the size of a week of\n"
        "    readings, or split the week into days.\n"
    )
    got = [" ".join(text[s:e].split()) for s, e in split_spans(text)]
    assert "Separators may occur at the beginning, middle or end of the search pattern." in got
    assert "A pattern that ends with a slash matches only directories, never files, and a pattern without one matches both of them alike." in got
    assert "A: Pack with --level=9, which roughly halves the size of a week of readings, or split the week into days." in got


def test_a_wide_gap_after_a_sentence_in_a_manual_is_no_column():
    text = (
        "   MATH LIBRARY\n"
        "       If bc is invoked with the -l option, a math library is preloaded and\n"
        "       the default scale is set to 20.   The math functions will calculate\n"
        "       their results to the scale set at the time of their call.  The math\n"
        "       library defines the following functions:\n"
    )
    got = [" ".join(s.split()) for s in spans(text)]
    assert "If bc is invoked with the -l option, a math library is preloaded and the default scale is set to 20." in got
    # A table's columns are still columns.
    assert spans("Status   Meaning\n0        Every reading was packed.\n") == ["Status   Meaning", "0        Every reading was packed."]


def test_a_full_stop_with_only_tags_after_it_ends_no_sentence_on_a_web_page():
    from index.clean import visible_text

    page = (
        "<p>Installation of <code><span class=\"pre\">python</span><em>X</em><span class=\"pre\">.</span><em>Y</em></code>"
        " shall provide the modules. The packages follow it.<b>Each</b> release is tested.</p>"
    )
    shown = visible_text("policy.html", page)
    got = [" ".join(shown[s:e].split()) for s, e in split_spans(shown, source=page)]
    # "pythonX.Y" is one word to a reader: the tags around its stop are no space.
    assert got[0] == "Installation of python X . Y shall provide the modules."
    # A stop glued to the next sentence by a tag still ends it, as "tested.Each" would.
    assert got[1:] == ["The packages follow it.", "Each release is tested."]


def test_a_heading_keeps_its_section_number_but_a_number_in_prose_still_ends_a_sentence():
    text = "2.1. Removal of the unversioned packages\n3.2.2. Overview\nChapter 1. Introduction\nPart IV. Reference\nGrowth was 2.1. Then it fell."
    assert spans(text) == [
        "2.1. Removal of the unversioned packages",
        "3.2.2. Overview",
        "Chapter 1. Introduction",
        "Part IV. Reference",
        "Growth was 2.1.",
        "Then it fell.",
    ]
    assert spans("The mission was Apollo 11. The crew landed.") == ["The mission was Apollo 11.", "The crew landed."]
    # A heading's or an item's number alone, with the marks a Markdown heading,
    # bold or an export's escape put around it ("3\\." is no list item).
    text = "## 1. Introduction\n**2. Costs**\n### 3\\. Scope\n4. Keep the network.\nThe count fell to 4. Then it rose."
    assert spans(text) == [
        "## 1. Introduction",
        "**2. Costs**",
        "### 3\\. Scope",
        "Keep the network.",  # a list item's marker is no part of it
        "The count fell to 4.",
        "Then it rose.",
    ]


def test_a_footnote_mark_after_a_full_stop_stays_with_its_sentence_and_the_next_begins_after_it():
    # Text copied from a wiki keeps its reference marks.
    text = (
        "It entered service in 2014.[2] The oldest boat is kept. It was built in 1990.[citation needed] "
        "The hull is steel. It sank in 1912.[3][4] Many died. See the report.[^5] It is long."
    )
    assert spans(text) == [
        "It entered service in 2014.[2]",
        "The oldest boat is kept.",
        "It was built in 1990.[citation needed]",
        "The hull is steel.",
        "It sank in 1912.[3][4]",
        "Many died.",
        "See the report.[^5]",
        "It is long.",
    ]
    # A Markdown link after a stop is no footnote mark.
    assert spans("Read the guide.[Next](next.md) comes after.") == ["Read the guide.[Next](next.md) comes after."]


def test_on_a_web_page_a_sentence_ends_before_a_character_reference_as_before_its_character():
    from index.clean import visible_text

    # Word processors write a double space after a stop as "&nbsp; "; publishing
    # tools write curly quotes as references ("&#8220;", "&rdquo;").
    page = (
        "<p>The crews fixed the main on Monday.&nbsp; Supplies returned by noon. "
        "He said the cost was &pound;6,500.&#8221; It was paid.&nbsp;&#8220;We are relieved,&#8221; she said. "
        "Caf&eacute; owners agreed.</p>"
    )
    shown = visible_text("report.html", page)
    found = list(split_spans(shown, source=page, references=True))
    assert [page[s:e] for s, e in found] == [
        "The crews fixed the main on Monday.",
        "Supplies returned by noon.",
        "He said the cost was &pound;6,500.&#8221;",
        "It was paid.",
        "&#8220;We are relieved,&#8221; she said.",
        "Caf&eacute; owners agreed.",
    ]


def test_a_sentence_may_open_with_an_amount_but_code_with_a_dollar_is_one_sentence():
    text = "I think the board should keep the 06:40 sailing. £170,000 is about 6% of the subsidy. It costs $5. $12 buys a week."
    assert spans(text) == [
        "I think the board should keep the 06:40 sailing.",
        "£170,000 is about 6% of the subsidy.",
        "It costs $5.",
        "$12 buys a week.",
    ]
    assert spans("console.error(`Error sending 500! ${er2.stack}`);") == ["console.error(`Error sending 500! ${er2.stack}`);"]
