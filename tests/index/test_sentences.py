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
