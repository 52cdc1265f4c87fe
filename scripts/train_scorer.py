#!/usr/bin/env python3
"""Fit the answer scorer (qa/scorer.json) from labelled questions.

    python scripts/train_scorer.py [--shared ../shared] [--work /tmp/qa-train]

Training data (each question labelled with the phrase that proves its answer):

* the seed corpus (``seeds/``) with the visible seed question set
  (``SHARED/eval/questions.jsonl``) and the project's own
  (``tests/data/dev_questions.jsonl``), but not the held-out one
  (``tests/data/heldout_questions.jsonl``), which only measures;
* the Wikipedia corpus ``SHARED/eval/wiki/corpus`` with every SQuAD 2.0
  question on its eight articles (``all.jsonl``), a little over half of them
  unanswerable by design;
* each corpus's questions asked of the other corpus, all unanswerable there
  (``FOREIGN``): a question about something the collection is not about.
  SQuAD's unanswerable questions are written to match their paragraph word
  for word, and the news corpus has a handful of them, so without these
  nothing taught the model that a question the articles share only a year
  or a place name with ("What share of calls did the contact centre pick up
  in 2025?", asked of news dated 2025) is one they do not answer.

Every candidate sentence the engine considers becomes a row of
qa.features.SENTENCE_FEATURES, labelled 1 when it holds an evidence phrase of
its question. The ranker is a linear model over those rows fitted to a softmax
over each question's candidates (answerable questions only, each question
weighing the same), then calibrated so that its logits are per-sentence
log-odds; the answerability model a logistic regression over each question's
QUESTION_FEATURES, built from the ranker's *out-of-fold* logits so that it
learns how confident the ranker is on articles it has not seen. Folds leave
whole articles out (a question belongs to the first article its sources
name), never single questions.

The abstention threshold is the out-of-fold P(answerable) below which
``--target-false-abstain`` of the answerable questions fall. ``--folds-dir``
also writes the scorer of every fold (trained without that article), which
``bench/quality.py`` uses for cross-validated end-to-end figures.

Deterministic given the candidates read: fixed fold order, no sampling.
Indexes built afresh can differ in the last digits of a vector (Chroma's HNSW
graph), which in one rebuild changed the candidates of 3 of 2,868 questions
and the threshold in its third decimal; ``--reuse`` fits again from the
candidates of the last run. Takes about two minutes on two cores (most of it
building the two indexes and reading the candidates).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

# The fits are small: BLAS threads only contend with each other on a shared
# machine (the same fit ran 25 times slower with one per core).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from index.chunking import readable  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.features import QUESTION_FEATURES, SENTENCE_FEATURES, question_row  # noqa: E402
from qa.metrics import auc, norm, threshold_for  # noqa: E402
from qa.scorer import SCORER_FILE, LinearModel, Scorer  # noqa: E402

CORPUS_SHARE = 0.3  # weight of the news corpus's questions in either model, against the encyclopedia's
FOREIGN = "foreign"  # the dataset of questions asked of the other corpus (see the docstring)
FOREIGN_SHARE = 0.1  # their weight in the answerability model, against the corpora's own questions
L2 = 1.0  # ridge penalty on standardised weights, per question-equivalent of data


@dataclass
class Item:
    """One labelled question and what the engine saw for it."""

    dataset: str
    id: str
    group: str  # the article it belongs to, for leave-one-article-out folds
    answerable: bool
    query: object
    unknown_share: float
    document_missing: list[float]  # per candidate: what its article lacks of the question
    features: np.ndarray
    labels: np.ndarray
    date_support: np.ndarray  # per candidate: see qa.features.sentence_rows


def datasets(shared: Path) -> list[tuple[str, Path, list[Path]]]:
    return [
        ("seeds", ROOT / "seeds", [shared / "eval" / "questions.jsonl", ROOT / "tests" / "data" / "dev_questions.jsonl"]),
        ("wiki", shared / "eval" / "wiki" / "corpus", [shared / "eval" / "wiki" / "all.jsonl"]),
    ]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def group_of(dataset: str, q: dict, n: int) -> str:
    sources = q.get("sources") or []
    if sources:
        return f"{dataset}:{sources[0]}"
    # A question no article answers still belongs to some fold.
    return f"{dataset}:unsourced-{n % 3}"


def bridging_scorer(work: Path) -> Path:
    """The shipped scorer over this version's features, a feature it lacks weighing nothing.

    Reading candidates runs the engine, which ranks them with a scorer; after
    a feature is added or removed the shipped file no longer loads, and this
    one ranks exactly as it did until the new fit replaces it.
    """
    shipped = json.loads(SCORER_FILE.read_text(encoding="utf-8"))
    for key, names in (("ranker", SENTENCE_FEATURES), ("answerable", QUESTION_FEATURES)):
        old = shipped[key]
        at = {f: k for k, f in enumerate(old["features"])}
        pick = lambda column, missing: [old[column][at[f]] if f in at else missing for f in names]  # noqa: E731
        shipped[key] = {"features": list(names), "weights": pick("weights", 0.0), "bias": old["bias"], "mean": pick("mean", 0.0), "scale": pick("scale", 1.0)}
    path = work / "bridging_scorer.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(shipped), encoding="utf-8")
    return path


def collect(shared: Path, work: Path) -> list[Item]:
    items: list[Item] = []
    scorer = bridging_scorer(work)
    sets = datasets(shared)
    questions = {name: [(q, group_of(name, q, n)) for n, q in enumerate(q for path in files for q in read_jsonl(path))] for name, _, files in sets}
    for name, corpus, _ in sets:
        settings = Settings.load({"corpus": corpus, "index_dir": work / name, "mode": "extractive", "scorer": str(scorer)}, env={})
        engine = Engine(settings)
        engine.ensure_index()
        for q, group in questions[name]:
            items.append(_item(engine, name, q, group, q["answerable"]))
        # Another corpus's questions: none is answered here. Each stays in its own
        # article's fold, so no fold trains on a question it is tested on.
        foreign = [(q, group) for other in questions if other != name for q, group in questions[other]]
        items.extend(_item(engine, FOREIGN, q, group, False) for q, group in foreign)
        print(f"{name}: {len(questions[name])} questions read, and {len(foreign)} of the other corpus", file=sys.stderr)
    return items


def _item(engine: Engine, dataset: str, q: dict, group: str, answerable: bool) -> Item:
    request = engine.prepare(q["question"], q.get("history", []))
    cands = request.evidence.candidates
    evidence = q["evidence"] if isinstance(q["evidence"], list) else [q["evidence"]]
    evidence = [norm(e) for e in evidence if e] if answerable else []
    # As a reader sees them (a web page's markup off), as evidence is written.
    texts = [norm(readable(s.source, s.text)) for s in (request.reader.sentences[i] for i in cands.rows)]
    labels = np.array([any(e in t for e in evidence) for t in texts], dtype=np.float64)
    return Item(
        dataset, q["id"], group, answerable, request.query,
        request.reader.unknown_share(request.query.terms),
        [request.reader.document_missing(request.query.terms, i) for i in cands.rows],
        cands.features, labels, cands.date_support,
    )


def standardiser(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean and standard deviation of each column (1 for a constant one)."""
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, features: tuple[str, ...], l2: float) -> LinearModel:
    """Weighted, L2-regularised logistic regression on standardised features."""
    from scipy.optimize import minimize

    mean, scale = standardiser(x, w)
    z = (x - mean) / scale
    total = w.sum()

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        coef, bias = params[:-1], params[-1]
        t = z @ coef + bias
        p = 1.0 / (1.0 + np.exp(-np.clip(t, -30, 30)))
        ll = np.logaddexp(0, t) - y * t
        value = float((w * ll).sum() / total + 0.5 * l2 * (coef @ coef) / total)
        g = w * (p - y) / total
        grad = np.concatenate([z.T @ g + l2 * coef / total, [g.sum()]])
        return value, grad

    result = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return LinearModel(features, result.x[:-1], float(result.x[-1]), mean, scale)


def fit_listwise(x: np.ndarray, y: np.ndarray, sizes: np.ndarray, qw: np.ndarray, features: tuple[str, ...], l2: float) -> LinearModel:
    """Linear ranker fitted to a softmax over each question's candidates, then calibrated.

    Rows come grouped by question (``sizes`` rows each, ``qw`` its weight);
    the loss is minus the log of the softmax mass on the question's evidence
    sentences. A question is answered by its best candidate, so what matters
    is how candidates compare within a question, not how a row compares with
    rows of other questions (which a per-row logistic fit spends itself on).
    Softmax ignores a shift common to a question's logits, so the slope and
    bias that make ``sigmoid(logit)`` a per-sentence probability again (as
    the answer's joining rules and the citations' scores expect) are fitted
    afterwards by a one-feature logistic regression; the order is unchanged.
    """
    from scipy.optimize import minimize

    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    question = np.repeat(np.arange(len(sizes)), sizes)
    row_w = np.repeat(qw / sizes, sizes)
    mean, scale = standardiser(x, row_w)
    z = (x - mean) / scale
    total = qw.sum()

    def loss(coef: np.ndarray) -> tuple[float, np.ndarray]:
        t = z @ coef
        e = np.exp(t - np.maximum.reduceat(t, starts)[question])
        every, evidence = np.add.reduceat(e, starts), np.add.reduceat(e * y, starts)
        value = float((qw * (np.log(every) - np.log(evidence))).sum() / total + 0.5 * l2 * (coef @ coef) / total)
        g = qw[question] * (e / every[question] - y * e / evidence[question]) / total
        return value, z.T @ g + l2 * coef / total

    coef = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 2000}).x
    calibration = fit_logistic((z @ coef)[:, None], y, row_w, ("logit",), 0.0)
    slope = float(calibration.weights[0] / calibration.scale[0])
    bias = float(calibration.bias - slope * calibration.mean[0])
    return LinearModel(features, coef * slope, bias, mean, scale)


def fit_ranker(items: list[Item], share: float | None = None) -> LinearModel:
    """Each question weighs the same within its corpus; each corpus weighs ``CORPUS_SHARE`` of the whole.

    Without it the small news corpus, the only one with comments, dates and
    outlets, would be drowned by the encyclopedia's thousands of questions.
    """
    share = CORPUS_SHARE if share is None else share
    usable = [it for it in items if it.answerable and it.labels.any()]
    x = np.vstack([it.features for it in usable])
    y = np.concatenate([it.labels for it in usable])
    counts = {ds: sum(it.dataset == ds for it in usable) for ds in {it.dataset for it in usable}}
    per_corpus = {ds: (share if ds == "seeds" else 1.0 - share) if len(counts) > 1 else 1.0 for ds in counts}
    qw = np.array([per_corpus[it.dataset] * len(usable) / counts[it.dataset] for it in usable])
    sizes = np.array([len(it.labels) for it in usable])
    return fit_listwise(x, y, sizes, qw, SENTENCE_FEATURES, L2)


def question_rows(items: list[Item], logits: list[np.ndarray]) -> np.ndarray:
    return np.vstack(
        [
            question_row(it.query, it.unknown_share, it.features, lg, it.document_missing[int(np.argmax(lg))] if len(lg) else 1.0, date_support=it.date_support)
            for it, lg in zip(items, logits)
        ]
    )


def fit_answerable(rows: np.ndarray, items: list[Item]) -> LinearModel:
    """Each corpus weighs as in the ranker (``CORPUS_SHARE``), and within it each
    class the same: SQuAD's unanswerable share is not any corpus's.

    Weighed half and half, the sixty-odd news questions bent the weights the
    two corpora share: cross-validated by article, the encyclopedia's
    unanswerable questions were abstained on at 0.225 (all 2,805, at a
    false_abstain of 0.05), at 0.242 with the news corpus at 0.3, and the
    news questions' own figures did not move.
    """
    y = np.array([it.answerable for it in items], dtype=np.float64)
    return fit_logistic(rows, y, answerable_weights(items), QUESTION_FEATURES, L2)


def answerable_weights(items: list[Item]) -> np.ndarray:
    """Each question's weight in the answerability fit (they sum to the number of questions)."""
    y = np.array([it.answerable for it in items])
    of = np.array([it.dataset for it in items])
    datasets = set(of)
    own = datasets - {FOREIGN}
    # The other corpus's questions weigh FOREIGN_SHARE of the whole, the corpora's own the rest.
    foreign = 0.0 if FOREIGN not in datasets else FOREIGN_SHARE if own else 1.0
    w = np.ones(len(items))
    for ds in datasets:
        if ds == FOREIGN:
            share = foreign
        else:
            share = (1.0 - foreign) * ((CORPUS_SHARE if ds == "seeds" else 1.0 - CORPUS_SHARE) if len(own) > 1 else 1.0)
        present = set(y[of == ds])
        for cls in present:
            mask = (of == ds) & (y == cls)
            w[mask] = len(items) * share / (len(present) * mask.sum())
    return w


def out_of_fold(items: list[Item], groups: list[str]) -> tuple[list[np.ndarray], dict[str, LinearModel]]:
    """Each question's candidate logits from the ranker fitted without its article."""
    logits: list[np.ndarray] = [np.zeros(0)] * len(items)
    rankers: dict[str, LinearModel] = {}
    for g in groups:
        ranker = fit_ranker([it for it in items if it.group != g])
        rankers[g] = ranker
        for k, it in enumerate(items):
            if it.group == g:
                logits[k] = ranker.logits(it.features) if len(it.features) else np.zeros(0)
    return logits, rankers


def _reused(cache: Path) -> list[Item]:
    """The candidates the last run read, from ``cache``; a clear error when another version read them."""
    try:
        items = pickle.loads(cache.read_bytes())
    except (pickle.UnpicklingError, AttributeError, ModuleNotFoundError, EOFError) as e:
        raise SystemExit(f"{cache} cannot be read ({e}): run again without --reuse.") from None
    # Read by another version of the engine, they lack what this one reads, or hold other signals.
    lacking = [f.name for f in fields(Item) if not all(hasattr(it, f.name) for it in items)]
    if lacking or any(len(it.features) and it.features.shape[1] != len(SENTENCE_FEATURES) for it in items):
        said = f"they lack {', '.join(lacking)}" if lacking else f"their rows are not the {len(SENTENCE_FEATURES)} signals of qa.features"
        raise SystemExit(f"{cache} holds candidates read by another version ({said}): run again without --reuse.")
    return items


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="folder holding eval/ (default: ../shared)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/qa-train"), help="where the training indexes are built")
    ap.add_argument("--out", type=Path, default=SCORER_FILE, help="scorer file to write (default: qa/scorer.json)")
    ap.add_argument("--folds-dir", type=Path, help="also write each fold's scorer here (for bench/quality.py)")
    ap.add_argument("--reuse", action="store_true", help="reuse the candidates read by the last run (after changing only the fitting)")
    ap.add_argument("--target-false-abstain", type=float, default=0.05, help="share of answerable questions the threshold may abstain on")
    args = ap.parse_args(argv)

    t0 = time.time()
    cache = args.work / "items.pickle"
    if args.reuse and cache.exists():
        items = _reused(cache)
    else:
        items = collect(args.shared, args.work)
        cache.write_bytes(pickle.dumps(items))
    groups = sorted({it.group for it in items})
    answerable = np.array([it.answerable for it in items])
    own = np.array([it.dataset != FOREIGN for it in items])  # what the figures are of: the other corpus's questions are reported apart

    # Ranker: cross-validated top-1 hit rate, then out-of-fold logits for the answerability model.
    oof_logits, fold_rankers = out_of_fold(items, groups)
    top1 = [bool(it.labels[int(np.argmax(lg))]) for it, lg in zip(items, oof_logits) if it.answerable and len(lg)]
    recall = [bool(it.labels.any()) for it in items if it.answerable]
    rows = question_rows(items, oof_logits)

    # Answerability: out-of-fold probabilities, the threshold, and how they separate.
    oof_p = np.zeros(len(items))
    fold_answerable: dict[str, LinearModel] = {}
    for g in groups:
        train = [k for k, it in enumerate(items) if it.group != g]
        model = fit_answerable(rows[train], [items[k] for k in train])
        fold_answerable[g] = model
        test = [k for k, it in enumerate(items) if it.group == g]
        oof_p[test] = model.probabilities(rows[test])
    threshold = threshold_for(oof_p[own], answerable[own], args.target_false_abstain)

    def rates(mask: np.ndarray) -> dict[str, float]:
        return {
            "answerability_auc": round(auc(oof_p[mask], answerable[mask]), 3),
            "false_abstain": round(float((oof_p[mask & answerable] < threshold).mean()), 3),
            "abstain_accuracy": round(float((oof_p[mask & ~answerable] < threshold).mean()), 3) if (mask & ~answerable).any() else None,
        }

    by_dataset = {}
    for ds in sorted({it.dataset for it in items} - {FOREIGN}):
        mask = np.array([it.dataset == ds for it in items])
        hits = [bool(it.labels[int(np.argmax(lg))]) for it, lg in zip(items, oof_logits) if it.dataset == ds and it.answerable and len(lg)]
        by_dataset[ds] = {"questions": int(mask.sum()), "answerable": int((mask & answerable).sum()), "ranker_top1": round(float(np.mean(hits)), 3), **rates(mask)}
    foreign = ~own
    if foreign.any():
        by_dataset[FOREIGN] = {"questions": int(foreign.sum()), "abstain_accuracy": round(float((oof_p[foreign] < threshold).mean()), 3)}

    ranker = fit_ranker(items)
    final = Scorer(
        ranker=ranker,
        answerable=fit_answerable(rows, items),
        threshold=threshold,
        record={
            "trained_on": {
                name: {str(p.relative_to(args.shared) if p.is_relative_to(args.shared) else p.relative_to(ROOT)): sha256(p) for p in files}
                for name, _, files in datasets(args.shared)
            },
            "questions": int(own.sum()),
            "questions_of_the_other_corpus": int((~own).sum()),
            "candidate_rows": int(sum(len(it.labels) for it in items)),
            "folds": "leave one article out (a question belongs to the first of its sources)",
            "target_false_abstain": args.target_false_abstain,
            "cross_validated": {
                "candidate_recall": round(float(np.mean(recall)), 3),
                "ranker_top1": round(float(np.mean(top1)), 3),
                **rates(own),
                "by_dataset": by_dataset,
            },
        },
    )
    final.save(args.out)
    if args.folds_dir:
        args.folds_dir.mkdir(parents=True, exist_ok=True)
        index = {}
        for g in groups:
            fold = Scorer(ranker=fold_rankers[g], answerable=fold_answerable[g], threshold=threshold, record={"held_out": g})
            name = hashlib.sha256(g.encode()).hexdigest()[:12] + ".json"
            fold.save(args.folds_dir / name)
            index[g] = name
        (args.folds_dir / "folds.json").write_text(json.dumps(index, indent=1), encoding="utf-8")
    print(json.dumps(final.record["cross_validated"], indent=1))
    print(f"wrote {args.out} (threshold {threshold:.3f}) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
