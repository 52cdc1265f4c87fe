"""Follow-ups: when a question leans on the earlier turns, and what that changes."""

from __future__ import annotations

import pytest

from qa.followup import (
    PLACE,
    asks_again,
    demonstrative,
    asks_which_thing,
    kind_asked,
    names_another,
    needs_context,
    person_named,
    place_named,
    resolve,
    resolve_demonstrative,
    resolve_place,
    resolve_thing,
    restate,
    thing_asked,
    thing_named,
)
from qa.lexical import terms
from qa.question import tokens


@pytest.mark.parametrize(
    "question, leans",
    [
        ("Do I need a login for that?", True),
        ("When did that happen?", True),
        ("What happened in that year?", True),
        ("Who lives there?", True),
        ("Who has to sign that form?", True),
        ("Why did he visit?", True),
        ("And Russia?", True),
        # A time the earlier turn set.
        ("Who ran the agency back then?", True),
        ("Who was in charge at the time?", True),
        ("What had been installed by then?", True),
        ("What happened then?", True),
        # A relative pronoun, a conjunction, an existential "there": no pointing back.
        ("What is the file that configures pyenv?", False),
        ("Which rule says that tools must cope?", False),
        ("Is there a limit on the line width?", False),
        ("What is rustdoc?", False),
        ("What did the report find at the time of writing?", False),
        ("Who set the then-current fares?", False),
    ],
)
def test_that_and_there_point_back_only_where_they_can_be_nothing_else(question, leans):
    assert needs_context(question) is leans


def test_a_follow_up_about_that_searches_with_the_earlier_turn(engine):
    # "that" is Rogozin's demand: NASA's answer to it is Nelson's, in the
    # article on their talks; read alone, the question finds NASA in general.
    answer = engine.ask("What did NASA say about that?", ["What did Rogozin demand in exchange for continued cooperation?"])
    assert not answer.abstained and "Nelson" in answer.answer


def test_back_then_is_the_time_the_earlier_answer_gave(reports_engine):
    # "back then" is 2016, when the station was refurbished; read alone, the
    # question finds nothing installed, and "back" finds "the supply back at 13:22".
    answer = reports_engine.ask("What was installed back then?", ["When was Fenholt Pumping Station refurbished?"])
    assert not answer.abstained
    assert "standby generator" in answer.answer.split("[1]")[0]


@pytest.mark.parametrize(
    "question, again",
    [
        ("Why not?", True),
        ("When was that?", True),
        ("What about the Russian side?", True),
        ("And how about Soyuz?", True),
        ("And in 1998?", True),
        # A question of its own, however it opens.
        ("And what did he say Russia's special envoy hinted at?", False),
        ("And who is he meeting besides the NASA chief?", False),
        ("Why did he visit the United States?", False),
    ],
)
def test_a_follow_up_asks_the_earlier_question_again_only_without_words_or_a_verb_of_its_own(question, again):
    assert asks_again(question) is again


def test_he_points_past_a_turn_that_names_nobody(engine):
    # The last turn asks about an anniversary; "he" is the administrator the turn before it was answered with.
    history = ["Who is the acting NASA administrator in 2025?", "What anniversary did the 2025 Roscosmos-NASA meeting coincide with?"]
    request = engine.prepare("What other government job does he hold?", history)
    assert "Duffy" in request.query.asked
    answer = engine.ask("What other government job does he hold?", history)
    assert not answer.abstained and "transportation" in answer.answer


def test_why_not_asks_for_the_reason_behind_an_earlier_no(engine):
    # "not" takes up the answer to the earlier question; it is no negation the
    # answer's sentence must hold (read as one, the question abstained).
    answer = engine.ask("Why not?", ["Did the US press cover the space discussions?"])
    assert not answer.abstained and "knows little of substance" in answer.answer


def test_what_about_asks_the_earlier_question_of_something_else(engine):
    # Read with its own words alone ("Russian", "side"), it found a sentence
    # on the two sides' talks; the earlier question says what it asks about.
    answer = engine.ask("What about the Russian side?", ["Until when has the US committed to operating its segment of the ISS?"])
    assert not answer.abstained and "2028" in answer.answer


@pytest.mark.parametrize(
    "earlier, question, read_as",
    [
        ("What is uvicorn?", "Which protocols does it support?", "Which protocols does uvicorn support?"),
        ("What is Zstandard?", "Where is its format documented?", "Where is Zstandard's format documented?"),
        ("What's the Russian Orbital Station?", "When was its first module supposed to be up?", "When was Russian Orbital Station's first module supposed to be up?"),
        # An "it" that stands for what follows it is kept.
        ("What is pyenv?", "Is it possible to use it with fish?", "Is it possible to use pyenv with fish?"),
        # "What is X used for?" and "What is X doing?" ask what X does: no thing to point at.
        ("What is zlib used for?", "Who wrote it?", "Who wrote it?"),
        ("What is NASA doing?", "Why is it late?", "Why is it late?"),
        ("What is the engine doing?", "Why is it late?", "Why is it late?"),
        # A noun in "-ing" is a thing: "packet switching", "load balancing".
        ("What is packet switching?", "Who invented it?", "Who invented packet switching?"),
        ("What did Rogozin say?", "Why did it matter?", "Why did it matter?"),
    ],
)
def test_it_is_the_thing_the_earlier_question_asked_what_it_is(earlier, question, read_as):
    assert resolve_thing(question, thing_asked(earlier)) == read_as


def test_a_follow_up_about_it_is_answered_about_the_thing_asked_before(docs_engine):
    # Read alone, "it" leaves only "Rust version" and "run": the answer was the
    # sentence on where rustfmt reads its settings when it runs.
    answer = docs_engine.ask("Which Rust version do I need to run it?", ["What is rustfmt?"])
    assert not answer.abstained
    assert "You can run rustfmt with Rust 1.24 and above" in " ".join(c.shown for c in answer.citations)


@pytest.mark.parametrize(
    "question, which",
    [
        ("Which room has a hearing loop?", True),
        ("What system do drivers use for shift swaps?", True),
        ("What is uvicorn?", False),
        ("What did he tell Rogozin?", False),
    ],
)
def test_a_which_question_asks_for_a_thing_its_answer_names(question, which):
    assert asks_which_thing(question) is which


def test_it_is_the_thing_the_answer_to_a_which_question_named(intranet_engine):
    # "Terminus has a hearing loop; ask Reception ...": the room, not the desk.
    history = ["Which room has a hearing loop?"]
    assert "Terminus" in intranet_engine.prepare("How many people does it seat?", history).query.asked
    answer = intranet_engine.ask("How many people does it seat?", history)
    assert not answer.abstained and "Terminus | 3 | 24" in answer.answer


def test_she_is_the_person_a_byline_named_without_its_by(intranet_engine):
    # "Maintained by Helen Marsh, Service Desk Manager": "by" is no part of her name.
    asked = intranet_engine.prepare("What is her extension?", ["Who manages the Service Desk?"]).query.asked
    assert "Helen Marsh" in asked and "by Helen" not in asked


@pytest.mark.parametrize(
    "question, sentence, thing",
    [
        ("Which room has a hearing loop?", "Terminus has a hearing loop; ask Reception for a portable loop.", "Terminus"),
        (
            "What station did Russia and China agree to build?",
            "The two signed an agreement to build an International Scientific Lunar Station and invite others.",
            "International Scientific Lunar Station",
        ),
        ("Which room has a hearing loop?", "The rooms on the ground floor have a hearing loop.", ""),
    ],
)
def test_the_thing_an_answer_names_is_a_whole_name_beside_the_questions_words(question, sentence, thing):
    assert thing_named(sentence, tokens(sentence), question, terms(question)) == thing


@pytest.mark.parametrize(
    "question, read_as",
    [
        ("What is her extension?", "What is Helen Marsh's extension?"),
        ("When did her term end?", "When did Helen Marsh's term end?"),
        ("What did Putin tell her about it?", "What did Putin tell Helen Marsh about it?"),
        ("Who appointed her?", "Who appointed Helen Marsh?"),
    ],
)
def test_her_before_a_noun_is_hers(question, read_as):
    assert resolve(question, "Helen Marsh") == read_as


@pytest.mark.parametrize(
    "question, sentence, place",
    [
        ("Where is loan equipment kept?", "Loan equipment is kept by the Service Desk on Floor 2 at Harbour House.", "Service Desk"),
        ("Where should I arrive on my first day?", "Please arrive at Harbour House reception at 09:00.", "Harbour House"),
        ("Where did the Normans land in 1169?", "The Normans landed at Bannow Bay in 1169.", "Bannow Bay"),
        ("Where is loan equipment kept?", "Loan equipment is kept in a locked cupboard.", ""),  # no name
    ],
)
def test_the_place_an_answer_names_is_a_name_after_a_preposition(question, sentence, place):
    assert place_named(sentence, tokens(sentence), question, terms(question)) == place


def test_a_place_far_from_the_questions_words_is_one_a_places_noun_follows():
    sentence = "The welcome session for all new starters runs from 09:30 to 11:00 in the Terminus room on the 3rd floor."
    question = "Where is the new starter welcome session held?"
    assert place_named(sentence, tokens(sentence), question, terms(question)) == "Terminus room"


def test_there_after_a_preposition_is_the_place_itself():
    assert resolve_place("How many people can you fit in there?", "Terminus room") == "How many people can you fit in Terminus room?"
    assert resolve_place("What are the opening hours there?", "Service Desk") == "What are the opening hours at Service Desk?"


def test_there_is_the_place_a_where_question_before_the_last_turn_named(intranet_engine):
    # The last turn asks how long the session lasts; "there" is where the turn before it said it is held.
    history = ["Where is the new starter welcome session held?", "How long does the new starter welcome session last?"]
    assert "Terminus" in intranet_engine.prepare("How many people can you fit in there?", history).query.asked


def test_there_is_the_place_the_answer_to_a_where_question_named(intranet_engine):
    history = ["Where is the large training room?"]  # "At Mill Street Depot, the large training room, Crew Room 2, ..."
    assert intranet_engine.prepare("How do I book a room there?", history).query.asked == "How do I book a room at Mill Street Depot?"
    answer = intranet_engine.ask("How do I book a room there?", history)
    assert "book it by phoning the Depot Office on ext. 4620" in answer.answer
    # Only a closing "there", and only after "where".
    assert resolve_place("Is there a room with a screen?", "Mill Street Depot") == "Is there a room with a screen?"
    assert intranet_engine.prepare("What is there?", ["Which room has a hearing loop?"]).query.asked == "What is there?"
    # After "where", an "it" is still the thing asked about (the room), not the place.
    assert "Mill Street Depot" not in intranet_engine.prepare("How many people does it seat?", history).query.asked


@pytest.mark.parametrize(
    "name, question, another",
    [
        ("Dmitry Bakanov", "Who was acting NASA Administrator when Bakanov visited?", False),
        ("Administrator Sean Duffy", "Who was acting NASA Administrator when Bakanov visited?", True),
        ("Jim Bridenstine", "Who did Dmitry Rogozin host at Baikonur?", True),
        ("Dmitry Rogozin", "Who did Dmitry Rogozin host at Baikonur?", False),
    ],
)
def test_an_answer_names_another_person_than_the_question_does(name, question, another):
    assert names_another(name, question) is another


def test_he_is_the_person_a_who_question_was_answered_with_not_one_it_named(engine):
    # The answer's sentence names Bakanov first ("Dmitry Bakanov ... made an
    # official visit ... and meet with NASA's acting Administrator Sean Duffy"):
    # he is who visited, not who the question asked for.
    asked = engine.prepare("How long had he been in that post?", ["Who was acting NASA Administrator when Bakanov visited?"]).query.asked
    assert "Sean Duffy" in asked and "Bakanov" not in asked


@pytest.mark.parametrize(
    "earlier, question, restated",
    [
        # The phrase with the same preposition is asked again of something else.
        ("How do I install rustfmt on the stable toolchain?", "And on nightly?", "How do I install rustfmt on nightly?"),
        ("What is the idle timeout for NOC staff on weekdays?", "And for contractors?", "What is the idle timeout for contractors on weekdays?"),
        # Of two phrases with "in", the one with a year, when the follow-up gives a year.
        ("Who was the NASA Administrator in the Obama years, in June 2013?", "What about in 2025?", "Who was the NASA Administrator in the Obama years, in 2025?"),
        # A year, a people's name, the one name the earlier question gives.
        ("Who led NASA in 2021?", "And 2025?", "Who led NASA in 2025?"),
        ("How many Russians were aboard the ISS in June 2021?", "and Americans?", "How many Americans were aboard the ISS in June 2021?"),
        ("What did Rogozin say about sanctions?", "What about Nelson?", "What did Nelson say about sanctions?"),
        ("What is the hotel limit in London?", "And Manchester?", "What is the hotel limit in Manchester?"),
        # The one phrase of as many words that opens with the same word.
        ("When is the upgrade to TrackLine version 11 scheduled?", "And version 12?", "When is the upgrade to TrackLine version 12 scheduled?"),
        ("What does pyenv install --list do?", "And pyenv install --keep?", "What does pyenv install --keep do?"),
        # Nothing said the same way, or two names or phrases it might replace: not restated.
        ("Does pyenv local override pyenv global?", "And pyenv shell?", ""),
        ("Who represented NASA in the 2025 talks with Roscosmos?", "And the Russian side?", ""),
        ("Who represented NASA in the talks with Roscosmos?", "What about Bakanov?", ""),
        # A question of its own, or no words at all.
        ("What did Rogozin say about sanctions?", "And what did he say about Nelson?", ""),
        ("What did Rogozin say about sanctions?", "And -?", ""),
    ],
)
def test_an_elliptical_follow_up_restates_the_earlier_question(earlier, question, restated):
    assert restate(question, earlier) == restated


def test_an_elliptical_follow_up_is_answered_as_the_question_it_restates(docs_engine):
    history = ["How do I run rustfmt on a single file?"]
    request = docs_engine.prepare("And on a whole crate?", history)
    assert request.query.asked == "How do I run rustfmt on a whole crate?"
    answer = docs_engine.ask("And on a whole crate?", history)
    assert not answer.abstained and "root file" in answer.answer


def test_a_follow_up_naming_another_option_is_answered_of_it(docs_engine):
    history = ["What does pyenv install --list do?"]
    assert docs_engine.prepare("And pyenv install --keep?", history).query.asked == "What does pyenv install --keep do?"
    answer = docs_engine.ask("And pyenv install --keep?", history)
    assert not answer.abstained and "Keep source tree" in answer.answer and "--list" not in answer.answer


def test_a_restated_follow_up_can_be_restated_again(engine):
    history = ["Who was the NASA Administrator in June 2021?", "And in 2024?"]
    assert engine.prepare("And in 2025?", history).query.asked == "Who was the NASA Administrator in 2025?"


def test_he_is_the_person_the_earlier_answer_names_beside_the_questions_words(engine):
    # The answer's sentence names the United States (near "visit") before the
    # cosmonaut (near "launch", "cosmonaut", "SpaceX", "spacecraft").
    history = ["Which cosmonaut flew on a SpaceX spacecraft during Bakanov's visit?"]
    assert engine.prepare("How old is he?", history).query.asked == "How old is Oleg Platonov?"
    assert engine.prepare("Which agency sent that guy?", history).query.asked == "Which agency sent Oleg Platonov?"


@pytest.mark.parametrize(
    "question, sentence, person",
    [
        # An office's title is no one's name: the sentence's subject is who is meant.
        (
            "Which Roscosmos chief ended up under US sanctions?",
            "Rogozin himself is under U.S. sanctions for his role in the annexation of Crimea in 2014 when he was Deputy Prime Minister.",
            "Rogozin",
        ),
        # A name in full before one a byline's "by" marks alone.
        (
            "Who gives the leadership talk at the welcome session?",
            "The welcome session is led by People & Culture, and includes a short talk from Priya Natarajan.",
            "Priya Natarajan",
        ),
        ("Who hosted the talks?", "NASA hosted the talks in Houston.", ""),  # an acronym opening it is an organisation
    ],
)
def test_the_person_an_answer_names_is_a_name_not_a_title(question, sentence, person):
    assert person_named(sentence, tokens(sentence), question, terms(question)) == person


def test_he_is_the_person_a_question_named_that_asked_about_him(engine):
    # The earlier question asks what Rogozin demanded, not who: "he" is Rogozin.
    asked = engine.prepare("What government job did he hold in 2014?", ["What did Dmitry Rogozin demand from the US in 2021?"]).query.asked
    assert "Dmitry Rogozin" in asked


def test_she_is_the_person_a_who_question_was_answered_with_not_a_team_by_name(intranet_engine):
    # "... led by People & Culture, and includes a short talk from Priya Natarajan ...": she is Priya Natarajan.
    history = ["Who gives the leadership talk at the new starter welcome session?"]
    assert "Priya Natarajan" in intranet_engine.prepare("What does she do here?", history).query.asked
    answer = intranet_engine.ask("What does she do here?", history)
    assert not answer.abstained and "Head of D&S" in answer.answer


@pytest.mark.parametrize(
    "question, kind",
    [
        ("What lunar base did Russia and China agree to build in 2021?", "the lunar base"),
        ("Which room has a hearing loop?", "the room"),
        ("Which cosmonaut launched in 2025?", ""),  # no verb of its own to end the kind at
        ("Which of the rooms is free?", ""),
        # Asked for in the plural, it is no "it": the thing the question names is.
        ("What hours is the Service Desk open on a Saturday?", "the Service Desk"),
        ("What protocols does uvicorn support?", ""),
    ],
)
def test_a_which_question_asks_for_a_kind_of_thing(question, kind):
    assert kind_asked(question) == kind


def test_it_after_a_question_for_several_things_is_what_that_question_named(intranet_engine):
    history = ["What hours is the Service Desk open on a Saturday?"]
    asked = intranet_engine.prepare("And who do I ring if something operational breaks after it closes?", history).query.asked
    assert asked == "And who do I ring if something operational breaks after the Service Desk closes?"


def test_it_is_the_kind_of_thing_asked_for_when_the_answer_names_none(engine):
    # The answer's sentence names no station ("... to develop China's own lunar base is going nowhere").
    asked = engine.prepare("Is it seen as competing with anything the US is doing?", ["What lunar base did Russia and China agree to build in 2021?"]).query.asked
    assert "lunar base" in asked


def test_that_guy_and_this_official_are_people():
    assert resolve("Why didn't that guy ever get talks with NASA?", "Yury Borisov") == "Why didn't Yury Borisov ever get talks with NASA?"
    assert resolve("What was this official's job in 2014?", "Dmitry Rogozin") == "What was Dmitry Rogozin's job in 2014?"
    # A demonstrative before another noun is no person.
    assert resolve("Where did that meeting happen?", "Dmitry Rogozin") == "Where did that meeting happen?"


@pytest.mark.parametrize(
    "earlier, question, place, thing, resolved",
    [
        # After "where": the place, when the noun is a place's or the place's own.
        ("Where does the board meet?", "What kit does that room have?", "Signal Box room", "", "What kit does Signal Box room have?"),
        ("Where is loan equipment kept?", "When does that desk open?", "Service Desk", "", "When does Service Desk open?"),
        ("Where does the board meet?", "Who books that room?", "Harbour House", "", "Who books the room at Harbour House?"),
        # After "which <noun>": the thing, when the follow-up points at it with that noun.
        ("Which VPN profile do NOC staff get?", "What is the idle timeout on that profile?", "", "Operations", "What is the idle timeout on Operations?"),
        ("Which VPN profile do NOC staff get?", "Who approves that request?", "", "Operations", "Who approves that request?"),
        # Nothing to point at, or a noun the earlier turn did not ask with.
        ("When does the board meet?", "Who chairs that meeting?", "", "", "Who chairs that meeting?"),
        ("Where does the board meet?", "Who chairs that board?", "Signal Box room", "", "Who chairs that board?"),
    ],
)
def test_that_room_is_the_place_or_thing_the_earlier_answer_named(earlier, question, place, thing, resolved):
    pointed = demonstrative(question, earlier)
    named = place if pointed and pointed[1] == PLACE else thing
    assert (resolve_demonstrative(question, pointed, named) if pointed else question) == resolved


def test_a_place_named_with_the_follow_ups_noun_comes_first():
    sentence = "The Change Advisory Board (CAB) meets every Thursday at 14:00 in the Signal Box room at Harbour House and on Teams."
    question = "Where does the Change Advisory Board meet?"
    assert place_named(sentence, tokens(sentence), question, terms(question), noun="room") == "Signal Box room"


def test_that_room_is_asked_of_the_room_the_earlier_answer_named(intranet_engine):
    history = ["Where does the Change Advisory Board meet?"]
    assert intranet_engine.prepare("Who do I ask to book that room?", history).query.asked == "Who do I ask to book Signal Box room?"


@pytest.mark.parametrize(
    "question, thing",
    [
        ("What does pyenv rehash do?", "pyenv rehash"),
        ("How does the VPN work?", "VPN"),
        ("What does FFI_DEFAULT_ABI mean?", "FFI_DEFAULT_ABI"),
        # What someone does or did is no thing's name.
        ("What does Rogozin want to do?", ""),
        ("What did Nelson do?", ""),
        ("How does it work?", ""),
    ],
)
def test_what_a_thing_does_names_the_thing(question, thing):
    assert thing_asked(question) == thing


def test_it_is_the_thing_whose_doing_the_earlier_turn_asked(docs_engine):
    assert docs_engine.prepare("When do I need to run it?", ["What does pyenv rehash do?"]).query.asked == "When do I need to run pyenv rehash?"
