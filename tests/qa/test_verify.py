"""The citation verifier on hand-written completions over real seed sentences.

A completion is the one thing here that must be written by hand: the point
is to give the verifier exact inputs (a bogus marker, an invented claim, a
mis-cited one) and check exactly what survives. The sentences, offsets and
embeddings are the real ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.verifier import corpus_weights, evaluate, load_pairs
from index.embedding import DEFAULT_MODEL, get_embedder
from index.sentences import split_spans
from qa.types import Evidence
from qa.verify import Source, Verifier, names, numbers, refusal, split_claims

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NEWS = "002_026fb524575c518d.txt"  # SpacePolicyOnline, 2021
RT = "004_a65aae2e38a59293.txt"  # RT, 2025

# Measured 0.812 (26 of 32 accepted claims true; bench/verifier.py). The
# floor allows two more false acceptances from a change of model or library
# version, and fails when the name check breaks (precision 0.71 without
# it); the number and negation checks are held by test_hard_checks. Recall
# is held too, so precision cannot be bought by refusing everything.
PRECISION_FLOOR = 0.75
RECALL_FLOOR = 0.7


def sentence(source: str, starts_with: str) -> Evidence:
    """The seed sentence that starts with ``starts_with``, with its real offsets."""
    text = (SEEDS / source).read_text(encoding="utf-8")
    for i, (start, end) in enumerate(split_spans(text)):
        if text[start:end].startswith(starts_with):
            return Evidence(f"{source}:{start}", source, start, end, text[start:end], "article", "", 0.5, 0.0, 0.0, i)
    raise AssertionError(f"no sentence of {source} starts with {starts_with!r}")


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    return Verifier(get_embedder(DEFAULT_MODEL).embed, corpus_weights(SEEDS))


@pytest.fixture(scope="module")
def sources() -> list[Source]:
    return [
        Source(1, (sentence(NEWS, "The ISS is the centerpiece"), sentence(NEWS, "Russia joined the U.S."))),
        Source(2, (sentence(RT, "A planned return visit by Rogozin"), sentence(RT, "His successor, Yury Borisov"))),
    ]


def test_bogus_marker_and_invented_claim_are_removed_and_the_supported_one_cites_its_sentence(verifier, sources):
    completion = (
        "Russia became part of the space station program in 1993 [1]. "
        "Russia plans to land cosmonauts on Mars in 2031 [7]. "
        "The ISS cost the partners 150 billion dollars."
    )
    result = verifier.verify(completion, sources)

    assert [s.text for s in result.sentences] == ["Russia became part of the space station program in 1993 [1]."]
    assert result.sentences[0].citations == (1,) and result.sentences[0].supported
    assert result.dropped == [
        "Russia plans to land cosmonauts on Mars in 2031.",
        "The ISS cost the partners 150 billion dollars.",
    ]
    assert "[7]" not in result.text
    # The citation is the exact supporting sentence, not its passage.
    [ev] = result.evidence
    text = (SEEDS / NEWS).read_text(encoding="utf-8")
    assert text[ev.start : ev.end] == ev.text
    assert (
        " ".join(ev.text.split()) == "Russia joined the U.S.-European-Japanese-Canadian space station program in 1993."
    )


def test_citations_are_renumbered_by_first_use(verifier, sources):
    completion = (
        "Rogozin's planned return visit to the US was blocked in 2018 because of sanctions [2]. "
        "Russia joined the space station program in 1993 [1]."
    )
    result = verifier.verify(completion, sources)
    assert [s.citations for s in result.sentences] == [(1,), (2,)]
    assert result.text.endswith("in 1993 [2].")
    assert result.evidence[0].text.startswith("A planned return visit by Rogozin")
    assert result.evidence[1].text.startswith("Russia joined the U.S.")


def test_a_claim_citing_the_wrong_passage_is_removed(verifier, sources):
    # True in the articles, but passage 2 does not say it.
    result = verifier.verify("Russia joined the space station program in 1993 [2].", sources)
    assert result.sentences == [] and result.dropped == ["Russia joined the space station program in 1993."]


def test_an_uncited_claim_is_checked_against_every_passage(verifier, sources):
    result = verifier.verify("Yury Borisov had no face-to-face talks because of the Ukraine conflict.", sources)
    assert [s.citations for s in result.sentences] == [(1,)]
    assert result.evidence[0].text.startswith("His successor, Yury Borisov")


def test_the_same_sentence_cited_twice_gets_one_number(verifier, sources):
    completion = (
        "Russia joined the space station program in 1993 [1]. "
        "Russia joined the U.S.-European-Japanese-Canadian space station program in 1993 [1]."
    )
    result = verifier.verify(completion, sources)
    assert [s.citations for s in result.sentences] == [(1,), (1,)] and len(result.evidence) == 1


def test_an_invented_clause_sinks_the_sentence_it_is_attached_to(verifier, sources):
    copied = "Russia joined the U.S.-European-Japanese-Canadian space station program in 1993"
    result = verifier.verify(f"{copied}, which was later reduced to three countries [1].", sources)
    assert result.sentences == []
    result = verifier.verify(
        f"{copied}, and Yury Borisov had no face-to-face talks due to the Ukraine conflict.", sources
    )
    [sentence] = result.sentences
    assert sentence.citations == (1, 2)
    assert [e.text[:20] for e in result.evidence] == ["Russia joined the U.", "His successor, Yury "]


def test_filler_and_repeats_are_not_claims(verifier, sources):
    completion = "Sure! The answer is: Russia joined the program in 1993 [1]. Russia joined the program in 1993 [1]."
    result = verifier.verify(completion, sources)
    assert [s.text for s in result.sentences] == ["Russia joined the program in 1993 [1]."]


def test_markers_after_the_full_stop_belong_to_the_sentence_before():
    claims = split_claims("Russia joined in 1993. [1] [2, 9] Putin spoke to NBC.[2] [Passage 1] Done", 2)
    assert [(c.text, c.cited, c.bogus) for c in claims] == [
        ("Russia joined in 1993.", (1, 2), (9,)),
        ("Putin spoke to NBC.", (2, 1), ()),
        ("Done", (), ()),
    ]


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ("Russia joined the program in 1998.", "number 1998"),
        ("Russia joined the program in eighteen ninety-three.", "number 18"),
        ("China joined the space station program in 1993.", "'china'"),
        ("Russia did not join the space station program in 1993.", "negated"),
        ("Russia joined the US-led space station program in 1993.", ""),
        ("Russia joined the space station program of the United States in 1993.", ""),
    ],
)
def test_hard_checks(claim, why):
    found = refusal(claim, "Russia joined the U.S.-European-Japanese-Canadian space station program in 1993.")
    assert (why in found) if why else found == ""


def test_metadata_can_supply_a_year_or_outlet():
    said = "Dmitry Bakanov, the head of Roscosmos, made an official visit to the United States."
    claim = "In the 2025 RT article, Dmitry Bakanov is the head of Roscosmos."
    assert refusal(claim, said) != ""
    assert refusal(claim, said, about="RT 2025-08") == ""


def test_names_and_numbers_are_found():
    assert names("Despite sanctions, Rogozin met Nelson at the ISS in the U.S.") == ["rogozin", "nelson", "iss", "us"]
    assert names("Bakanov heads Roscosmos.") == ["bakanov", "roscosmos"]
    assert numbers("Eight years after 2,018 talks and 0.5% of the budget") == ["2018", "0.5", "8"]


def test_precision_on_the_labelled_pairs_stays_above_the_floor(verifier):
    result = evaluate(verifier, load_pairs())
    assert result["pairs"] >= 40
    assert result["precision"] >= PRECISION_FLOOR, result["misses"]
    assert result["recall"] >= RECALL_FLOOR, result["misses"]
