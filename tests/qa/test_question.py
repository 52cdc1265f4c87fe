import pytest

from qa.features import asks_negated
from qa.question import (
    AUTHOR,
    DATE,
    ENTITY,
    FREQUENCY,
    LENGTH,
    MASS,
    MONEY,
    NUMBER,
    PERCENT,
    PERSON,
    PHONE,
    REASON,
    SPEED,
    TEMPERATURE,
    VERSION,
    answer_spans,
    answer_type,
    asking_sentence,
    asks_role,
    has_answer,
    is_title,
    persons_named,
    without_back_in_time,
    written_out,
)


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Who heads Roscosmos?", PERSON),
        ("Which acting NASA administrator met Bakanov?", PERSON),
        ("Who wrote the op-ed?", AUTHOR),
        ("When did Russia join the program?", DATE),
        ("In what month and year was he appointed?", DATE),
        ("What century did the Normans first gain their identity?", DATE),
        ("What will happen when the ISS goes?", ""),
        ("How much did NASA award each company?", NUMBER),
        ("Why was the visit blocked?", REASON),
        ("In which city were the talks held?", ENTITY),
        ("What is the status of Starliner?", ""),
        # A condition set first is not what is asked; nor what is said before the question.
        ("When a download is interrupted, which option resumes it?", ""),
        ("When extensive time is required to sort integers, what case complexity is it?", ""),
        ("If the build fails, who should I contact?", PERSON),
        ("My download failed yesterday. When was -c added?", DATE),
        ("The archive will not open, so who should I ask?", PERSON),
        ("When, and by whom, was the treaty signed?", DATE),
        # A role noun after a verb, or as an adjective, asks for no person.
        ("What is the general term for the output?", ""),
        ("What did Ambassador Cromer order?", ""),
        ("What German general and pilot was of Huguenot ancestry?", PERSON),
        # A telephone number or extension; a count of them is a number.
        ("What is the Service Desk's phone number?", PHONE),
        ("What's Owen Pryce's extension?", PHONE),
        ("How many phone numbers does the page list?", NUMBER),
        ("What file extension does the export use?", ""),
        # A release's number; not a version of something, nor its name or notes.
        ("Which version fixes that?", VERSION),
        ("In which Tessellate version is automatic failover planned?", VERSION),
        ("Which release dropped Python 3.8?", VERSION),
        ("Which file does pyenv local write the chosen version name into?", ""),
        ("Who translated this version of the scriptures?", PERSON),
        # Keywords alone, ending in what they want.
        ("depot safety induction day and time", DATE),
        ("canteen opening hours", DATE),
        ("vpn token replacement cost", MONEY),
        ("depot safety induction", ""),
        # What something costs, or what is paid for it; not how much of a thing, or how much a price moved.
        ("How much does a monthly season ticket cost?", MONEY),
        ("How much did it cost to build the stadium?", MONEY),
        ("What would the option of buying water through the interconnector cost to run each year?", MONEY),
        ("What does the ferry company charge to cancel a standard fare?", MONEY),
        ("Up to how much can I spend on a hotel per night?", MONEY),
        ("How much money was he allowed to claim in damages?", MONEY),
        ("What is the per-metre fee for a mooring permit?", MONEY),
        ("How much is the annual membership fee?", MONEY),
        ("How much oil did they sell?", NUMBER),
        ("How much did the price of oil increase?", NUMBER),
        ("What is the charge against him?", ""),
        ("What is Sean Duffy's salary?", MONEY),
        ("What is its price?", MONEY),
        # A measure: a quantity in a unit of what it measures.
        ("How tall is Elon Musk?", LENGTH),
        ("How high does the ISS orbit?", LENGTH),
        ("How heavy is the reactor?", MASS),
        ("How fast do the currents run?", SPEED),
        ("how cold did it get that night?", TEMPERATURE),
        ("What is Elon Musk's height?", LENGTH),
        ("What is the weight of a bushel of coal in pounds?", MASS),
        ("What is the speed limit set to reduce consumption?", NUMBER),
        ("How far is the plant from Tarnholm?", NUMBER),
        ("What is the maximum number of arguments the function can handle?", NUMBER),
        ("What is the default line width rustfmt wraps code at?", NUMBER),
        ("What was the partnership's total income for 2025?", NUMBER),
        ("What's her mobile number?", PHONE),
        ("What share of calls were answered within a minute?", PERCENT),
        ("By what percentage is the council raising its tax?", PERCENT),
        ("What portion of the city spoke French?", PERCENT),
        ("How often does the council meet?", FREQUENCY),
        ("At what interval are the gauges read?", FREQUENCY),
    ],
)
def test_answer_type(question, kind):
    assert answer_type(question) == kind


def test_has_answer_wants_something_the_question_lacks():
    q = "Who is the head of Roscosmos?"
    assert has_answer(PERSON, "Dmitry Bakanov, the head of Roscosmos, visited.", q)
    assert not has_answer(PERSON, "The heads of Roscosmos and NASA met.", q)
    assert has_answer(DATE, "Russia joined in 1993.", "When did Russia join?")
    assert not has_answer(DATE, "Russia joined in 1993.", "Did Russia join in 1993?")
    assert has_answer(NUMBER, "awarding three companies $5 million each", "How much was awarded?")
    assert has_answer(REASON, "It was blocked in 2018 due to sanctions.", "Why was it blocked?")
    assert has_answer(REASON, "For technical reasons, the station is nearing the end of its life.", "Why will it stop?")
    assert has_answer(AUTHOR, "Op/Ed by Chris Devonshire-Ellis", "Who wrote it?")


@pytest.mark.parametrize(
    "sentence",
    [
        "The duchy began in 911 as a fiefdom.",
        "Raiders had begun arriving in the 880s.",
        "The edict was issued in 1598.",
        "Demand fell sharply in the 1980s.",
        "The style spread in the eleventh century.",
        "It was built in the 10th century.",
        "The battle took place in 732 AD.",
    ],
)
def test_a_date_of_any_century_answers_when(sentence):
    # Histories, encyclopedias and reports date things long before 1800.
    assert has_answer(DATE, sentence, "When did it happen?")


@pytest.mark.parametrize(
    "question, sentence",
    [
        ("How long have I got to acknowledge a page?", "Acknowledge a page within 15 minutes."),
        ("How long does the backup take?", "A full backup takes about two hours."),
        ("At what time should I arrive?", "Please arrive at reception at 09:00."),
        ("When does the office close on Fridays?", "The office closes at 4 p.m. on Fridays."),
    ],
)
def test_a_duration_or_a_time_of_day_answers_how_long_and_when(question, sentence):
    assert has_answer(DATE, sentence, question)


@pytest.mark.parametrize(
    "sentence, holds",
    [
        ("The pet supplement is £9 per single journey.", True),
        ("Saudi Arabia spent over 100 billion dollars.", True),
        ("He was awarded 6 million Lira.", True),
        ("Stamps cost 85p each.", True),
        ("Replacement is free of charge.", True),
        ("The first 500 people to register receive a free month's travel.", False),
        ("The shop opens at 5 p.m.", False),
    ],
)
def test_money_is_an_amount_of_a_currency(sentence, holds):
    assert has_answer(MONEY, sentence, "How much does it cost?") is holds


@pytest.mark.parametrize(
    "kind, sentence, answer",
    [
        # A measure: a number in a unit of what is measured.
        (LENGTH, "The station orbits about 408 km above the Earth.", "408 km"),
        (LENGTH, "Turbines moored in water between 38 and 55 metres deep.", "55 metres"),
        (LENGTH, "The tower is 96m tall.", "96m"),
        (SPEED, "It travels at 17,500 mph.", "17,500 mph"),
        (SPEED, "Peak currents reach 4.2 metres per second.", "4.2 metres per second"),
        (TEMPERATURE, "Overnight temperatures fell to minus 9 degrees.", "9 degrees"),
        (MASS, "They brought in 1,900 tonnes of concrete blocks.", "1,900 tonnes"),
        (LENGTH, "It took one to two decades.", None),
        (LENGTH, "Three companies got $5 million each.", None),
        (LENGTH, "In 2021 in Moscow, 20 people met.", None),
        (LENGTH, "They brought in 1,900 tonnes of concrete blocks.", None),
        (MASS, "The tower is 96 metres tall.", None),
        # A share: a percentage or a fraction, not any number.
        (PERCENT, "The centre picked up 88% of calls within a minute.", "88%"),
        (PERCENT, "Efficiency reached 27–30% in tests.", "27–30%"),
        (PERCENT, "Tax rises by 4.99 per cent.", "4.99 per cent"),
        (PERCENT, "By 1700, one-fifth of the city spoke French.", "one-fifth"),
        (PERCENT, "One in five callers gave up.", "One in five"),
        (PERCENT, "The centre picked up 41,200 calls in 2024.", None),
        # A frequency: how often, not when.
        (FREQUENCY, "It meets each six months.", "each six months"),
        (FREQUENCY, "Engineers inspect its cables every six months.", "every six months"),
        (FREQUENCY, "The board meets twice a year.", "twice a year"),
        (FREQUENCY, "The figures are published annually.", "annually"),
        (FREQUENCY, "The panel met in the first four months of 2025.", None),
        (FREQUENCY, "The bridge carries 40,000 vehicles.", None),
    ],
)
def test_a_measure_a_share_or_a_frequency_is_a_number_in_its_own_form(kind, sentence, answer):
    # "How tall?" is answered by "96 metres", never by "two decades", "20 people" or "20 tonnes".
    found = [sentence[a:b] for a, b in answer_spans(kind, sentence, "How much is it?")]
    assert found == ([answer] if answer else [])


@pytest.mark.parametrize(
    "sentence, date",
    [
        ("The summit was held in June 2021 in Geneva.", "June 2021"),
        ("On 1 May 1191, Richard's fleet arrived at Limassol.", "1 May 1191"),
        ("The line opened on May 11, 1878.", "May 11, 1878"),
        ("Talks resumed on 3 Jan 2024.", "3 Jan 2024"),
    ],
)
def test_a_month_is_read_with_its_day_and_year(sentence, date):
    # Not "June 20" cut from "June 2021", the year lost.
    assert [sentence[a:b] for a, b in answer_spans(DATE, sentence, "When was it?")] == [date]


def test_a_date_the_question_gives_is_no_answer_to_it():
    sentence = "The summit was held in June 2021 in Geneva."
    assert not has_answer(DATE, sentence, "Where was the summit held in June 2021?")


@pytest.mark.parametrize(
    "sentence",
    ["Staff may apply for a transfer.", "The march on Rome began at dawn.", "Jan van Riebeeck founded the station."],
)
def test_a_word_that_only_spells_a_month_is_no_date(sentence):
    assert not has_answer(DATE, sentence, "When did it happen?")


def test_a_decimal_is_no_time_of_day():
    assert not has_answer(DATE, "The ratio is 3.14 and version 1.05 scored 2.30.", "When was it?")


@pytest.mark.parametrize("sentence", ["The vote passed by 300 votes.", "They sailed in 300 ships.", "He was in his 80s."])
def test_a_count_is_not_a_date(sentence):
    assert not has_answer(DATE, sentence, "When did it happen?")


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("The abbey was given to Robert of Jumièges.", "Robert of Jumièges"),
        ("The crown passed to Edward the Confessor.", "Edward the Confessor"),
        ("It was held by Guy de Lusignan until then.", "Guy de Lusignan"),
        ("The treaty was signed by Henry IV in 1598.", "Henry IV"),
        # The answer a follow-up's "him" points at ("Who appointed him?").
        ("In 1973, Nixon named William E. Simon as the first administrator.", "William E. Simon"),
        ("It was signed by George H. W. Bush in 1990.", "George H. W. Bush"),
    ],
)
def test_a_name_with_a_particle_a_numeral_an_initial_or_an_accent_is_a_person(sentence, name):
    assert any(name in sentence[a:b] for a, b in answer_spans(PERSON, sentence, "Who was it?"))


def test_role_synonyms_count_towards_coverage():
    from qa.lexical import SYNONYM_CREDIT, TermWeights, terms

    weights = TermWeights([terms("the chief of the agency"), terms("a leader of NASA"), terms("weather report")])
    q = terms("Who leads NASA?")
    exact = weights.coverage(q, set(terms("the leader of NASA")) | {"lead"})
    synonym = weights.coverage(q, set(terms("the chief of NASA")))
    unrelated = weights.coverage(q, set(terms("the weather of NASA")))
    assert exact == 1.0
    assert unrelated < synonym < exact
    assert synonym == pytest.approx(
        (weights.idf("nasa") + SYNONYM_CREDIT * weights.idf("lead")) / (weights.idf("nasa") + weights.idf("lead"))
    )


def test_a_long_option_is_a_term_and_its_words_are_terms_too():
    from qa.lexical import terms

    assert terms("What does --no-compress do?") == ["--no-compress", "compress"]
    # "--compress" is another option, but the word "compress" still finds both.
    assert "--no-compress" not in terms("Use --compress or -c.")
    assert "compress" in terms("Use --compress or -c.")
    # A dash between words is no option.
    assert terms("the pier -- which was rebuilt") == ["pier", "rebuilt"]


def test_a_version_number_is_one_term_that_no_other_version_matches():
    from qa.lexical import terms

    assert "2.3.0" in terms("What changed in 2.3.0?")
    # As release notes title it, it is the same version.
    assert set(terms("## v2.3.0 (2024-11-18)")) >= set(terms("2.3.0"))
    assert set(terms("v1.2")) == set(terms("1.2"))
    # Its parts are not terms of their own, so "2.4.0" shares nothing with it.
    assert not set(terms("2.3.0")) & set(terms("release 2.4.0 of 2025"))
    # Decimals and initialisms read as before.
    assert terms("Python 3.8 cost $7.2 million in the U.S.") == ["python", "3", "8", "cost", "7", "2", "million", "us"]


def test_a_one_letter_option_is_a_term_in_its_own_case():
    from qa.lexical import terms

    # "What does wget -c do?" is about -c, which a manual names and nothing else does.
    assert terms("What does wget -c do?") == ["wget", "-c"]
    assert "-C" in terms("tar -C dir") and "-c" not in terms("tar -C dir")
    # A hyphen inside a word is not one; a long option is a term of its own (below).
    assert terms("an e-mail, the well-known --mirror option") == ["mail", "well", "known", "--mirror", "mirror", "option"]


def test_what_a_question_says_before_it_asks_names_nothing_it_asks_about():
    from qa.features import question_signals

    # The scene a user sets ("... in Oslo yesterday.") is not what the answer must name.
    assert question_signals("My ISO download broke in Oslo yesterday. What does -c do?").specifics == ()
    assert question_signals("What does -c do in GNU Wget?").specifics != ()


@pytest.mark.parametrize(
    "question, named",
    [
        ("Who is Sergey Krikalev?", ["Sergey Krikalev"]),
        ("What did Robert of Jumièges do in 1051?", ["Robert of Jumièges"]),
        ("Did Bill Nelson meet Dmitry Rogozin?", ["Bill Nelson", "Dmitry Rogozin"]),
        ("What did Nelson say?", []),  # a lone surname may be a place or a thing
        ("What did John F. Kennedy promise NASA?", ["John F. Kennedy"]),
        ("Who led the U.S. Senate in 1990?", []),
        ("Who heads Roscosmos now?", []),
        # What a question says before it asks is not what it asks about.
        ("I read about Sean Duffy. Who heads Roscosmos?", []),
        # A name after "the" or a preposition of place is a place's.
        ("What was Bakanov doing in the United States?", []),
        ("What happened in New Mexico in 1947?", []),
    ],
)
def test_persons_named_are_the_full_names_the_asking_sentence_holds(question: str, named: list[str]) -> None:
    assert persons_named(question) == named


@pytest.mark.parametrize(
    "question, role",
    [
        ("Who heads Roscosmos?", True),
        ("Who was the NASA administrator in June 2021?", True),
        ("Who is the director general of the European Space Agency?", True),
        ("Who led the expedition in 1066?", True),
        ("Who talked to Rogozin?", False),
        ("Who hosted Jim Bridenstine at Baikonur?", False),
        ("Who wrote the op-ed?", False),
    ],
)
def test_asks_role_tells_an_office_from_a_deed(question: str, role: bool) -> None:
    assert asks_role(question) is role


@pytest.mark.parametrize(
    "name, title",
    [
        ("Deputy Prime Minister", True),
        ("Acting Administrator", True),
        ("Director General", True),
        ("Administrator Sean Duffy", False),
        ("Priya Natarajan", False),
    ],
)
def test_a_name_that_ends_in_an_office_is_a_title(name: str, title: bool) -> None:
    assert is_title(name) is title


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("wats the service desk phone no", "what's the service desk phone number?"),
        ("whats the wifi password", "what's the wifi password?"),
        ("why cant i connect, im at home", "why can't i connect, I'm at home?"),
        ("Whats the ref no. on the invoice?", "What's the ref number on the invoice?"),
        # Names, real words and a "no" that negates are left as typed.
        ("What did Newcomen add to Wat's engine?", "What did Newcomen add to Wat's engine?"),
        ("Wat Tyler led which revolt?", "Wat Tyler led which revolt?"),
        ("Does the phone no longer ring?", "Does the phone no longer ring?"),
        ("Why wont it start?", "Why wont it start?"),
        # A question typed without its mark is read with it; keywords and requests are not questions.
        ("When did the mesh fail", "When did the mesh fail?"),
        ("The link is down. Who do I call", "The link is down. Who do I call?"),
        ("the link is down. who do I call", "the link is down. who do I call?"),
        ("depot induction time", "depot induction time"),
        ("Tell me how it works", "Tell me how it works"),
    ],
)
def test_chat_shorthand_is_written_out(typed: str, meant: str) -> None:
    assert written_out(typed) == meant


def test_written_out_the_shorthand_asks_and_negates() -> None:
    assert answer_type(written_out("wats the phone no for the service desk")) == PHONE
    assert answer_type(written_out("whos on call tonight")) == PERSON
    assert asks_negated(written_out("which staff dont need a permit")) and not asks_negated("which staff dont need a permit")


@pytest.mark.parametrize(
    "sentence, phone",
    [
        ("Call the Service Desk on ext. 4400.", "4400"),
        ("Ticketa Ltd (FareHub supplier)   -   0808 157 0192", "0808 157 0192"),
        ("From abroad, dial +44 (0)20 7946 0958.", "+44 (0)20 7946 0958"),
        ("The desk opens at 07:00 and meals are £9.50.", None),
        ("Version 3.2.1 fixes it.", None),
    ],
)
def test_a_phone_number_is_four_digits_or_more_maybe_grouped(sentence: str, phone: str | None) -> None:
    found = [sentence[a:b] for a, b in answer_spans(PHONE, sentence, "What is the phone number?")]
    assert found == ([phone] if phone else [])


@pytest.mark.parametrize(
    "sentence, versions",
    [
        ("It is fixed in 3.2.1, which we released this morning.", ["3.2.1"]),
        ("rustfmt runs on Rust 1.24 and above; v2.0b is a beta.", ["1.24", "v2.0b"]),
        ("Meals cost up to £9.50, and 1,284,330 trips were taken in 2026.", []),
    ],
)
def test_a_version_is_a_dotted_release_number(sentence: str, versions: list[str]) -> None:
    assert [sentence[a:b] for a, b in answer_spans(VERSION, sentence, "Which version is it?")] == versions


@pytest.mark.parametrize(
    "message, asking",
    [
        ("My download failed yesterday. When was -c added?", "When was -c added?"),
        ("When was -c added? I'm on version 1.2.", "When was -c added?"),
        ("Who approves swaps? Many thanks", "Who approves swaps?"),
        ("zlib can't open .Z files, so what are my options?", "what are my options?"),
        ("Tell me the median time.", "Tell me the median time."),
        # Typed in lower case: a sentence that opens with no capital is still a sentence of its own.
        ("my laptop won't boot and it's saturday morning. is the desk open?", "is the desk open?"),
        ("we need a fix at 2 a.m. on a sunday. who can approve it?", "who can approve it?"),
        # A stop in an abbreviation ends no sentence.
        ("Why did the U.S. do that?", "Why did the U.S. do that?"),
        ("What happened at 2 a.m. when the power failed?", "What happened at 2 a.m. when the power failed?"),
    ],
)
def test_the_asking_sentence_is_the_last_that_asks(message: str, asking: str) -> None:
    assert asking_sentence(message) == asking


@pytest.mark.parametrize(
    "question, read_as",
    [
        ("Who was running NASA back in 2021?", "Who was running NASA in 2021?"),
        ("Who chaired it back in June 1998?", "Who chaired it in June 1998?"),
        ("What was installed back then?", "What was installed then?"),
        # "back" that says where to, or what was done.
        ("When did he come back in 2019?", "When did he come back in 2019?"),
        ("Who pushed back on the plan?", "Who pushed back on the plan?"),
        ("When were the books sent back in 1950?", "When were the books sent back in 1950?"),
    ],
)
def test_back_then_is_a_time_not_a_word_to_match(question, read_as):
    assert without_back_in_time(question) == read_as
