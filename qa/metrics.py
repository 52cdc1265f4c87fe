"""Answer-quality metrics for a question set, as ``qa eval`` prints them.

The definitions match the reference scorer shipped with the evaluation set
(``eval/score.py``): the same normalisation, the same metrics, the same
summary line, so a user's own question file is scored the same way. One
addition: an evidence phrase also counts when it lies in a citation's quote
as a reader sees it (``shown``: a web page's tags and Markdown's code ticks
off), which on plain text is the quote itself.

And how abstention trades on a question set: the shares of unanswerable and
answerable questions abstained on at each threshold of P(answerable), and
the threshold that abstains on at most a stated share of the answerable
ones (``qa eval --curve``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    for a, b in QUOTES.items():
        s = s.replace(a, b)
    return " ".join(s.lower().split())


def score(questions: list[dict[str, Any]], answers: list[dict[str, Any]], corpus: Path) -> dict[str, Any]:
    """Metrics of ``answers`` (answer objects, in order) against ``questions``."""
    if len(answers) != len(questions):
        raise ValueError(f"{len(answers)} answers for {len(questions)} questions")
    texts: dict[str, str | None] = {}
    n_ans = n_una = correct = evidence = abstain_ok = false_abstain = 0
    cites = valid = on_source = 0
    words: list[int] = []
    failures: list[str] = []
    for q, a in zip(questions, answers):
        cs = a.get("citations") or []
        for c in cs:
            cites += 1
            src = c.get("source", "")
            if src not in texts:
                try:
                    texts[src] = (Path(corpus) / src).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    texts[src] = None
            t = texts[src]
            if t is not None and isinstance(c.get("start"), int) and t[c["start"] : c.get("end")] == c.get("quote"):
                valid += 1
            if src in q.get("sources", []):
                on_source += 1
        if q.get("answerable", True):
            n_ans += 1
            if not a.get("abstained"):
                words.append(len((a.get("answer") or "").split()))
            ok, ev = _correct_and_cited(q, a)
            correct += ok
            evidence += ev
            false_abstain += bool(a.get("abstained"))
            if not (ok and ev):
                failures.append(f"{q.get('id', '?')}: correct={ok} evidence={ev} :: {q['question']}")
        else:
            n_una += 1
            abstain_ok += bool(a.get("abstained"))
            if not a.get("abstained"):
                failures.append(f"{q.get('id', '?')}: answered an unanswerable question :: {q['question']}")
    return {
        "answerable": n_ans,
        "unanswerable": n_una,
        "answer_accuracy": round(correct / max(n_ans, 1), 3),
        "evidence_hit": round(evidence / max(n_ans, 1), 3),
        "false_abstain": round(false_abstain / max(n_ans, 1), 3),
        "abstain_accuracy": round(abstain_ok / max(n_una, 1), 3),
        "answer_words_median": sorted(words)[len(words) // 2] if words else 0,
        "citations": cites,
        "citation_validity": round(valid / max(cites, 1), 3),
        "citation_on_source": round(on_source / max(cites, 1), 3),
        "failures": failures,
    }


def _correct_and_cited(q: dict[str, Any], a: dict[str, Any]) -> tuple[bool, bool]:
    """Whether answer ``a`` holds one of answerable question ``q``'s answers, and whether it cites its evidence."""
    text = norm(a.get("answer") or "")
    ok = (not a.get("abstained")) and any(norm(x) in text for x in q.get("answers", []))
    # The quote as the file has it or as a reader sees it: a Markdown or
    # HTML page's evidence is written without its markup ("`--check`").
    quotes = " | ".join(norm(c.get(k) or "") for c in a.get("citations") or [] for k in ("quote", "shown"))
    evs = q.get("evidence", [])
    evs = evs if isinstance(evs, list) else [evs]
    return ok, any(norm(e) in quotes for e in evs)


def summary_line(result: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in result.items() if k != "failures")


def report_lines(result: dict[str, Any]) -> Iterable[str]:
    for f in result["failures"]:
        yield "  " + f
    yield summary_line(result)


def caution_counts(questions: list[dict[str, Any]], answers: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Of the answers given (not abstentions), how many come with a caution and
    how many without (``caution`` in the answer object), and how many of each are
    right: the expected answer, with its evidence cited (as :func:`score` judges them)."""
    counts = {kind: {"answered": 0, "right": 0} for kind in ("with", "without")}
    for q, a in zip(questions, answers):
        if a.get("abstained", True):
            continue
        kind = counts["with" if a.get("caution") else "without"]
        kind["answered"] += 1
        kind["right"] += bool(q.get("answerable", True) and all(_correct_and_cited(q, a)))
    return counts


def caution_line(counts: dict[str, dict[str, int]]) -> str:
    w, wo = counts["with"], counts["without"]
    return f"with a caution {w['right']} right of {w['answered']}, without {wo['right']} right of {wo['answered']}"


# Thresholds of P(answerable) at which an abstention curve is read.
CURVE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


@dataclass(frozen=True)
class Abstention:
    """What abstaining below ``threshold`` of P(answerable) does to a question set."""

    threshold: float | None  # None: chosen for each article without it (cross_validated_abstention)
    abstain_accuracy: float | None  # share of the unanswerable questions abstained on (None: there are none)
    false_abstain: float | None  # share of the answerable questions abstained on (None: there are none)

    @classmethod
    def of(cls, abstain: np.ndarray, answerable: np.ndarray, threshold: float | None) -> Abstention:
        """From which questions are abstained on (``abstain``) and which are answerable."""
        return cls(
            threshold=threshold,
            abstain_accuracy=float(abstain[~answerable].mean()) if (~answerable).any() else None,
            false_abstain=float(abstain[answerable].mean()) if answerable.any() else None,
        )

    def shares(self) -> str:
        def share(x: float | None) -> str:
            return "n/a" if x is None else f"{x:.3f}"

        return f"abstain_accuracy={share(self.abstain_accuracy)} false_abstain={share(self.false_abstain)}"

    def line(self) -> str:
        """As a point of a curve: ``threshold 0.30: abstain_accuracy=0.308 false_abstain=0.113``."""
        return f"threshold {self.threshold:.2f}: {self.shares()}"


def abstention_at(p: Sequence[float], answerable: Sequence[bool], threshold: float) -> Abstention:
    return Abstention.of(np.asarray(p, dtype=float) < threshold, np.asarray(answerable, dtype=bool), threshold)


def abstention_curve(p: Sequence[float], answerable: Sequence[bool], thresholds: Sequence[float] = CURVE_THRESHOLDS) -> list[Abstention]:
    return [abstention_at(p, answerable, t) for t in thresholds]


def threshold_for(p: Sequence[float], answerable: Sequence[bool], target: float) -> float:
    """The P(answerable) below which ``target`` of the answerable questions fall."""
    p, answerable = np.asarray(p, dtype=float), np.asarray(answerable, dtype=bool)
    return float(np.quantile(p[answerable], target))


def threshold_at_most(p: Sequence[float], answerable: Sequence[bool], target: float) -> float:
    """The highest threshold that abstains on no more than ``target`` of the answerable
    questions. (:func:`threshold_for`'s quantile falls between two questions' P, which
    on a few dozen questions abstains on one more than the target allows.)"""
    below = np.sort(np.asarray(p, dtype=float)[np.asarray(answerable, dtype=bool)])
    return float(below[min(int(np.floor(target * len(below) + 1e-9)), len(below) - 1)])


def auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Area under the ROC curve: the chance that a positive question scores above a
    negative one, a tie counting half (0.5: no separation); nan without both."""
    scores, positive = np.asarray(scores, dtype=float), np.asarray(positive, dtype=bool)
    pos, neg = scores[positive], np.sort(scores[~positive])
    if not len(pos) or not len(neg):
        return float("nan")
    below = np.searchsorted(neg, pos, side="left")
    ties = np.searchsorted(neg, pos, side="right") - below
    return float((below.sum() + 0.5 * ties.sum()) / (len(pos) * len(neg)))


def cross_validated_abstention(p: Sequence[float], answerable: Sequence[bool], groups: Sequence[str], target: float) -> Abstention | None:
    """Each group's questions abstained on at the threshold chosen on the other groups' (a
    group is an article): what a threshold chosen on some articles does on others. None
    with fewer than two groups, or when a group's others hold no answerable question."""
    p, answerable, groups_ = np.asarray(p, dtype=float), np.asarray(answerable, dtype=bool), np.asarray(groups)
    names = sorted(set(groups))
    if len(names) < 2:
        return None
    abstain = np.zeros(len(p), dtype=bool)
    for name in names:
        held = groups_ == name
        if not (answerable & ~held).any():
            return None
        abstain[held] = p[held] < threshold_at_most(p[~held], answerable[~held], target)
    return Abstention.of(abstain, answerable, None)


def article_groups(questions: Sequence[dict[str, Any]]) -> list[str]:
    """The article each question is about (its first source), for leaving articles out.

    A question no article answers names no source; such questions are dealt
    over the articles in turn, so that each article's fold holds some."""
    named = [(q.get("sources") or [""])[0] for q in questions]
    articles = sorted({a for a in named if a}) or ["(all)"]
    unsourced = 0
    groups = []
    for a in named:
        if not a:
            a = articles[unsourced % len(articles)]
            unsourced += 1
        groups.append(a)
    return groups
