"""The fitted answer scorer: what it ships with, what it sees, how it decides."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from qa.features import QUESTION_FEATURES, SENTENCE_FEATURES, is_heading, question_signals
from qa.lexical import terms
from qa.scorer import load_scorer

from ..conftest import ROOT


def test_shipped_scorer_matches_the_features_and_says_what_it_was_trained_on():
    scorer = load_scorer()
    assert scorer.ranker.features == SENTENCE_FEATURES
    assert scorer.answerable.features == QUESTION_FEATURES
    assert 0.0 < scorer.threshold < 1.0
    record = scorer.record
    assert record["trained_on"]["wiki"] and record["trained_on"]["seeds"]
    assert "leave one article out" in record["folds"]
    assert 0.0 < record["cross_validated"]["ranker_top1"] <= 1.0
    # Each corpus's questions asked of the other, as questions the collection does not answer.
    assert record["questions_of_the_other_corpus"] > 0 and "foreign" in record["cross_validated"]["by_dataset"]


def test_an_article_dated_as_asked_supports_the_question_only_as_far_as_it_holds_its_other_words(engine):
    def best(question: str) -> tuple[float, float]:
        candidates = engine.prepare(question).evidence.candidates
        top = int(np.argmax(candidates.logits))
        return candidates.features[top, SENTENCE_FEATURES.index("date_match")], candidates.date_support[top]

    # Both best sentences are of the articles dated 2025; only one says anything of the rest of its question.
    dated, support = best("Who represented NASA in the 2025 talks with Roscosmos?")
    assert dated == 1.0 and support > 0.5
    assert best("How many volunteers did the charity recruit in 2025?") == (1.0, 0.0)


def test_a_sentence_that_holds_the_answer_outranks_one_that_only_shares_the_topic(engine):
    request = engine.prepare("When did Russia join the space station program?")
    best = request.evidence.ranked[0]
    assert "1993" in best.text
    assert best.score > max(e.score for e in request.evidence.ranked[1:])


def test_threshold_setting_decides_abstention(settings):
    from qa.engine import Engine

    question = "When did Russia join the space station program?"
    strict = Engine(settings.replace(min_support=0.999))
    lenient = Engine(settings.replace(min_support=0.0))
    assert strict.ask(question).abstained
    assert not lenient.ask(question).abstained


def test_swapped_numbers_and_names_are_seen_as_missing():
    signals = question_signals("What happened to Bakanov in the 10th century?")
    flat = set().union(*signals.specifics)
    assert {"bakanov", "10th"} <= flat


def test_a_sentence_dated_outside_the_period_asked_about_is_marked():
    from qa.features import _time_relation, periods

    asked = question_signals("What expedition did George Maniaces lead in the 10th century?").periods
    assert asked == ((901, 1000),)
    # A swapped century (the campaign was in 1038) conflicts; a year inside it fits.
    assert _time_relation(asked, periods("the Sicilian campaign of George Maniaces in 1038")) == (1.0, 0.0)
    assert _time_relation(asked, periods("In the course of the 10th century the incursions became settlements.")) == (0.0, 1.0)
    # Decades, centuries written as years, and a sentence with no date at all.
    assert _time_relation(periods("in the 1960s"), periods("by 1969 they had landed")) == (0.0, 1.0)
    assert _time_relation(periods("in the 1000's"), periods("In the 11th century they ruled")) == (0.0, 1.0)
    assert _time_relation(asked, periods("They served the emperor.")) == (0.0, 0.0)


def test_misspelt_question_words_are_read_as_the_corpus_spells_them(engine):
    reader = engine.reader()
    assert reader.spelled("What did rogozn say about sanctons?") == "What did rogozin say about sanctions?"
    # A capitalised word is a name: respelled as a name the corpus writes ("Rogozin's" too), never as a
    # lower-case word ("sanctions"), and a name the corpus lacks is left as written.
    assert reader.spelled("What did Rogozn say?") == "What did Rogozin say?"
    assert reader.spelled("Was it Rogozn's idea?") == "Was it Rogozin's idea?"
    assert reader.spelled("Sanctons for Isaacman?") == "Sanctons for Isaacman?"
    assert reader.correct(terms("ROGOZN sanctons")) == terms("Rogozin sanctions")
    assert reader.spelled("zzzzzzzz NASA Roscosmos") == "zzzzzzzz NASA Roscosmos"


def test_logistic_fit_recovers_the_signal():
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_scorer import fit_logistic

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 2))
    y = (x[:, 0] + 0.1 * rng.normal(size=2000) > 0).astype(float)
    model = fit_logistic(x, y, np.ones(len(y)), ("signal", "noise"), 1.0)
    assert model.weights[0] > 3 * abs(model.weights[1])
    assert model.probabilities(np.array([[2.0, 0.0]]))[0] > 0.9


def _ranked_questions(rng, n_questions: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Questions of ``size`` candidates, one the evidence: it stands out on a signal relative to its question only."""
    level = rng.normal(scale=3.0, size=n_questions)  # a question's candidates share an offset no row can see
    signal = np.repeat(level, size) + rng.normal(size=n_questions * size)
    labels = np.zeros(n_questions * size)
    for q in range(n_questions):
        at = q * size + int(np.argmax(signal[q * size : (q + 1) * size]))
        labels[at] = 1.0
    x = np.column_stack([signal, rng.normal(size=n_questions * size)])
    return x, labels, np.full(n_questions, size)


def test_listwise_ranker_puts_each_questions_evidence_first_and_gives_probabilities():
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_scorer import fit_listwise

    x, y, sizes = _ranked_questions(np.random.default_rng(0), 300, 10)
    model = fit_listwise(x, y, sizes, np.ones(len(sizes)), ("signal", "noise"), 1.0)
    assert model.weights[0] > 3 * abs(model.weights[1])
    p = model.probabilities(x)
    assert ((p >= 0) & (p <= 1)).all()
    # Calibrated: on average as many evidence sentences as there are.
    assert abs(p.mean() - y.mean()) < 0.02


def test_saved_scorer_round_trips_and_ranks_the_evidence_sentence_first(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_scorer import fit_listwise

    from qa.scorer import Scorer

    rng = np.random.default_rng(1)
    shipped = load_scorer()
    n = len(SENTENCE_FEATURES)
    x, y, sizes = _ranked_questions(rng, 200, 8)
    wide = np.hstack([x, rng.normal(size=(len(x), n - 2))])
    ranker = fit_listwise(wide, y, sizes, np.ones(len(sizes)), SENTENCE_FEATURES, 1.0)
    Scorer(ranker=ranker, answerable=shipped.answerable, threshold=0.3).save(tmp_path / "scorer.json")

    loaded = load_scorer(str(tmp_path / "scorer.json"))
    test, labels, _ = _ranked_questions(rng, 1, 8)
    test = np.hstack([test, rng.normal(size=(8, n - 2))])
    assert np.allclose(loaded.ranker.logits(test), ranker.logits(test), atol=1e-4)
    assert labels[int(np.argmax(loaded.ranker.logits(test)))] == 1.0
    assert loaded.threshold == 0.3


@pytest.mark.parametrize(
    "content",
    [None, "not json", '{"answerable": {}, "threshold": 0.2}', '{"ranker": {"features": ["similarity"], "weights": [1.0], "bias": 0, "mean": [0], "scale": [1]}}'],
    ids=["missing", "not-json", "no-ranker", "other-features"],
)
def test_unreadable_scorer_file_is_a_clear_error(tmp_path, content):
    from qa.errors import SettingsError

    path = tmp_path / "scorer.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError, match="scorer"):
        load_scorer(str(path))


def test_a_sentence_that_says_what_the_asked_thing_is_is_marked_as_a_definition():
    from qa.features import defines

    assert question_signals("What is DECnet?").defined == "decnet"
    assert question_signals("who were the Normans").defined == "normans"
    # A question for something else than what a thing is has no subject to define.
    assert question_signals("What is the name of the third church in New Rochelle?").defined == ""
    assert question_signals("When was DECnet released?").defined == ""
    assert defines("decnet", "DECnet is a suite of network protocols created by Digital Equipment Corporation.")
    assert defines("user datagram protocol", "The User Datagram Protocol (UDP) is a connectionless protocol.")
    assert defines("normans", "The Normans were the people who gave their name to Normandy.")
    assert not defines("decnet", "It evolved into DECnet, a networking powerhouse.")
    assert not defines("decnet", "DECnet Phase IV added routing in 1982.")
    # Fitted, not set: the ranker learned from labelled questions to favour such a sentence.
    ranker = load_scorer().ranker
    assert ranker.weights[SENTENCE_FEATURES.index("defines")] > 0


@pytest.mark.parametrize(
    "text, caption",
    [
        ("Table 1: Employees, hours worked, lost-time injuries and near misses by site, 2024-25", True),
        ("*Figure 2: Monthly complaints, 2024–2025*", True),
        ("Table 3 – Costs of the four options", True),
        ("Table 1 shows employees, hours, lost-time injuries and near misses at each site.", False),
        ("Figure 3. The new pumps were fitted in May.", False),
    ],
)
def test_a_tables_or_figures_caption_is_a_heading_not_a_statement(text, caption):
    assert is_heading("report.md", text) is caption


def test_a_condition_or_a_premise_the_question_sets_is_not_a_negated_question():
    assert question_signals("Who did not sign the treaty?").negated
    assert question_signals("Which countries never joined?").negated
    # "if I don't give a number" sets the case; what is asked is not negated.
    assert not question_signals("How often does tar print a message if I don't give a number?").negated
    assert not question_signals("What level does gzip use when no level is given?").negated
    assert not question_signals("If there is no server, where are the files kept?").negated
    assert question_signals("When did Russia not join?").negated
    # Why something did not happen is asked for a cause, which need not negate.
    assert not question_signals("Why didn't the standby generator start when the grid supply dipped?").negated
    assert not question_signals("And why was the plan never approved?").negated
    # What the question says before it asks sets the scene; the asking sentence is what is asked.
    assert not question_signals("cmp no longer has --print-chars. What is the replacement option?").negated
    assert question_signals("Who did not sign the U.S. treaty?").negated
    # Nor what it states before a "so" that leads to the question.
    assert not question_signals("zlib can't open .Z files, so what are my options?").negated
    assert not question_signals("The VPN won't connect, so may I use the backup gateway?").negated
    assert question_signals("Which countries did not sign, and why?").negated


def test_a_preposition_or_a_name_with_no_in_it_negates_nothing():
    # "without water" says what "lost supply" does; "--no-compress" is an option's name.
    assert not question_signals("How many homes were left without water?").negated
    assert not question_signals("What does --no-compress do?").negated
    assert not question_signals("Which command is a no-op?").negated
    assert question_signals("Which homes had no water?").negated
    assert question_signals("Which option does not compress?").negated


def test_answerability_weighs_each_corpus_by_its_share_and_each_class_alike():
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_scorer import CORPUS_SHARE, FOREIGN, FOREIGN_SHARE, Item, answerable_weights

    def item(dataset: str, answerable: bool) -> Item:
        return Item(dataset, "q", dataset, answerable, None, 0.0, [], np.zeros((0, 0)), np.zeros(0), np.zeros(0))

    # A small news corpus of 5 questions (one unanswerable) against 200 encyclopedia questions.
    items = [item("seeds", True)] * 4 + [item("seeds", False)] + [item("wiki", True)] * 80 + [item("wiki", False)] * 120
    w = answerable_weights(items)
    assert w.sum() == pytest.approx(len(items))
    share = lambda ds, cls=None: sum(wi for wi, it in zip(w, items) if it.dataset == ds and cls in (None, it.answerable)) / w.sum()  # noqa: E731
    assert share("seeds") == pytest.approx(CORPUS_SHARE)
    assert share("seeds", True) == pytest.approx(share("seeds", False))
    assert share("wiki", True) == pytest.approx(share("wiki", False))
    # One corpus alone: only its classes are balanced.
    alone = answerable_weights(items[5:])
    assert sum(alone[:80]) == pytest.approx(sum(alone[80:]))
    # Each corpus's questions asked of the other weigh their own share, whatever their number; the corpora theirs of the rest.
    mixed = items + [item(FOREIGN, False)] * 300
    w = answerable_weights(mixed)
    share = lambda ds: sum(wi for wi, it in zip(w, mixed) if it.dataset == ds) / w.sum()  # noqa: E731
    assert share(FOREIGN) == pytest.approx(FOREIGN_SHARE)
    assert share("seeds") == pytest.approx(CORPUS_SHARE * (1 - FOREIGN_SHARE))
    assert share("wiki") == pytest.approx((1 - CORPUS_SHARE) * (1 - FOREIGN_SHARE))


def test_candidates_read_by_another_version_are_not_reused(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    import pickle

    from train_scorer import Item, main

    # Read before the date support was: the item lacks it.
    old = Item("seeds", "q", "seeds:a", True, None, 0.0, [], np.zeros((0, len(SENTENCE_FEATURES))), np.zeros(0), np.zeros(0))
    del old.date_support
    (tmp_path / "items.pickle").write_bytes(pickle.dumps([old]))
    with pytest.raises(SystemExit, match="another version .*lack date_support.*without --reuse"):
        main(["--reuse", "--work", str(tmp_path), "--shared", str(tmp_path), "--out", str(tmp_path / "scorer.json")])
    (tmp_path / "items.pickle").write_bytes(b"not a pickle")
    with pytest.raises(SystemExit, match="cannot be read.*without --reuse"):
        main(["--reuse", "--work", str(tmp_path), "--shared", str(tmp_path), "--out", str(tmp_path / "scorer.json")])
    assert not (tmp_path / "scorer.json").exists()
