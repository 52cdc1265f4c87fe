"""How abstention trades on a question set, as `qa eval --curve` and bench/quality.py report it."""

from __future__ import annotations

from qa.metrics import abstention_at, abstention_curve, article_groups, auc, cross_validated_abstention, threshold_at_most, threshold_for


def test_a_curve_counts_the_questions_below_each_threshold():
    p = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55]
    answerable = [False, True, False, True, True, True]
    a = abstention_at(p, answerable, 0.3)
    assert (a.abstain_accuracy, a.false_abstain) == (1.0, 0.25)
    assert a.line() == "threshold 0.30: abstain_accuracy=1.000 false_abstain=0.250"
    assert [c.false_abstain for c in abstention_curve(p, answerable, (0.1, 0.2, 0.6))] == [0.0, 0.25, 1.0]
    assert abstention_at(p, [True] * 6, 0.3).shares() == "abstain_accuracy=n/a false_abstain=0.500"


def test_the_threshold_abstains_on_the_share_of_answerable_questions_asked_for():
    p = [i / 100 for i in range(100)]
    t = threshold_for(p, [True] * 100, 0.05)
    assert abstention_at(p, [True] * 100, t).false_abstain == 0.05


def test_on_a_few_questions_the_threshold_abstains_on_no_more_than_asked():
    p = [0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.97, 0.99]
    assert abstention_at(p, [True] * 8, threshold_for(p, [True] * 8, 0.1)).false_abstain == 0.125  # one of eight
    assert abstention_at(p, [True] * 8, threshold_at_most(p, [True] * 8, 0.1)).false_abstain == 0.0
    assert abstention_at(p, [True] * 8, threshold_at_most(p, [True] * 8, 0.25)).false_abstain == 0.25


def test_a_threshold_is_tried_on_articles_it_was_not_chosen_on():
    # Article b's answerable questions score lower than a's: a threshold chosen on a
    # alone abstains on more of b than the 25% it was chosen for.
    p = [0.6, 0.7, 0.8, 0.9, 0.2, 0.3, 0.5, 0.9, 0.1]
    answerable = [True, True, True, True, True, True, True, True, False]
    groups = article_groups([{"sources": ["a"]}] * 4 + [{"sources": ["b"]}] * 4 + [{"sources": []}])
    assert groups == ["a"] * 4 + ["b"] * 4 + ["a"]  # a question no article answers joins an article's fold
    crossed = cross_validated_abstention(p, answerable, groups, 0.25)
    assert crossed is not None and crossed.false_abstain > 0.25 and crossed.abstain_accuracy == 1.0
    assert cross_validated_abstention(p, answerable, ["a"] * 9, 0.25) is None


def test_auc_is_the_chance_an_answerable_question_scores_above_an_unanswerable_one():
    assert auc([0.9, 0.8, 0.2, 0.1], [True, True, False, False]) == 1.0
    assert auc([0.1, 0.2, 0.8, 0.9], [True, True, False, False]) == 0.0
    assert auc([0.5, 0.5, 0.5], [True, False, True]) == 0.5  # ties count half
    assert auc([0.9, 0.4, 0.6, 0.1], [True, True, False, False]) == 0.75
    assert auc([0.3], [True]) != auc([0.3], [True])  # nan: no unanswerable question to rank against
