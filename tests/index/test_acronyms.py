"""Acronyms a corpus defines, read as the words they stand for."""

from index.acronyms import Acronyms, acronym_terms, definitions
from index.terms import terms


def test_an_acronym_is_defined_by_the_words_before_it_that_spell_it():
    assert list(definitions("Nine employees suffered a lost-time injury (LTI) last year.")) == [("LTI", "lost-time injury")]
    assert list(definitions("The Change Advisory Board (CAB) meets every Thursday.")) == [("CAB", "Change Advisory Board")]
    # Small words are skipped, or spelled: "TFEU", "CoE".
    assert list(definitions("the Treaty on the Functioning of the European Union (TFEU) says")) == [
        ("TFEU", "Treaty on the Functioning of the European Union")
    ]
    assert list(definitions("the Council of Europe (CoE) said")) == [("CoE", "Council of Europe")]
    # The other way round: the acronym, then its words in brackets.
    assert list(definitions("Every SLA (service level agreement) is reviewed yearly.")) == [("SLA", "service level agreement")]


def test_brackets_that_define_nothing_are_no_acronym():
    for text in ("It was built in Rome (Italy).", "as shown (see Table 2)", "NASA (the agency) said", "the old reactor (NR)", "the UK (England and Wales)"):
        assert list(definitions(text)) == [], text


def test_an_acronym_defined_two_ways_is_left_alone():
    texts = ["A Passive Infra-Red (PIR) sensor.", "Run a post-incident review (PIR).", "The Change Advisory Board (CAB) meets."]
    assert acronym_terms(texts) == {"cab": sorted(terms("Change Advisory Board"))}


def test_a_sentence_holds_the_words_its_acronym_stands_for_and_back():
    acronyms = Acronyms(acronym_terms(["Nine employees suffered a lost-time injury (LTI)."]))
    abbreviated = frozenset(terms("The employee LTI frequency rate fell to 0.44."))
    spelled = frozenset(terms("Three staff suffered a lost-time injury."))
    assert set(terms("lost-time injury")) <= acronyms.read(abbreviated)
    assert "lti" in acronyms.read(spelled)
    unrelated = frozenset(terms("The time was lost."))
    assert acronyms.read(unrelated) == unrelated
