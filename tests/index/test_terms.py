"""What a term is: the words questions and sentences are matched by."""

from index.terms import terms


def test_a_months_abbreviation_in_a_date_is_the_month_a_question_names():
    assert set(terms("January to September")) <= set(terms("Contacts 2025 (Jan–Sep)"))
    assert set(terms("3 January 2024")) == set(terms("3 Jan 2024")) == set(terms("Jan. 3, 2024"))
    assert set(terms("from October to December")) == set(terms("from Oct to Dec"))


def test_an_abbreviation_beside_no_date_is_left_as_written():
    # "Jan" may be a name, "DEC" a company.
    assert "jan" in terms("Jan Koum founded it") and not set(terms("January")) & set(terms("Jan Koum founded it"))
    assert not set(terms("December")) & set(terms("DEC PDP-10"))
