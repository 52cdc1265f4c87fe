#!/usr/bin/env python3
"""Answer quality on every question set, cross-validated by article.

    python bench/quality.py [--shared ../shared] [--work /tmp/qa-quality] [--shipped-only]

For each set (the visible seed set, the project's own seed set in
tests/data/, the held-out seed set and the follow-up set there, which no
scorer is trained on, and the Wikipedia set in SHARED/eval/wiki/) it prints the
reference scorer's line for answers given by a scorer that never saw the
question's article: ``scripts/train_scorer.py --folds-dir`` fits one scorer
per held-out article, and each question is answered by its article's. For the
Wikipedia set it also prints the abstention curve: abstain_accuracy and
false_abstain at several thresholds of P(answerable), and the same line and
curve for all 2,805 SQuAD questions on its eight articles (``all.jsonl``,
which the 440 are drawn from: the same scorers, each question answered by
the one that never saw its article; seven times the questions, so a change
of a point there is not noise). Last, the shipped
scorer (trained on all of it) on each set, for comparison; ``--shipped-only``
prints only these lines (no fitting: a quick check that a change to retrieval
leaves the answers as they were). And the lines for the documentation pages
in tests/data/docs/, an organisation's wiki pages in tests/data/intranet/
its reports in tests/data/reports/ and documents of many kinds in
tests/data/varied/ (pages, reports, notes, a PDF's text, a notebook), which
no scorer is trained on: held out as a whole, a check that what is fitted to
news and an encyclopedia holds on reference pages, intranet pages, reports
and the rest; all but the reports with
their follow-up sets too. Last, those pages' questions asked of the seed
articles and of the Wikipedia articles, which answer none of them: the
share abstained on; and the same share for questions about people and
things those articles name, asking what they never say ("Which university
did Dmitry Bakanov graduate from?", "What colour was James Watt's
house?": tests/data/probe_questions.jsonl and wiki_probe_questions.jsonl).
And for each set, how many of its answers come with a caution (their
P(answerable) below ``unsure_below``) and without, and how many of each are
right. A follow-up set's questions lean on earlier
ones ("history", which the engine answers itself): "When did he take the
job?" after "Who leads Roscosmos?".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the fits are small; see scripts/train_scorer.py
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa.config import Settings  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.metrics import abstention_curve, caution_counts, caution_line, score  # noqa: E402


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def line(r: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in r.items() if k != "failures")


def answer_all(engines: dict[str, Engine], questions: list[dict], fold_of) -> tuple[list[dict], np.ndarray]:
    answers, p = [], []
    for n, q in enumerate(questions):
        engine = engines[fold_of(q, n)]
        request = engine.prepare(q["question"], q.get("history", []))
        answers.append(engine.answer_prepared(request, "extractive").to_dict())
        p.append(request.evidence.answerable)
    return answers, np.asarray(p)


def curve(questions: list[dict], p: np.ndarray) -> list[str]:
    return ["  " + a.line() for a in abstention_curve(p, [q["answerable"] for q in questions])]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--work", type=Path, default=Path("/tmp/qa-quality"))
    ap.add_argument("--shipped-only", action="store_true", help="only the shipped scorer's line for each set")
    args = ap.parse_args()
    folds_dir = args.work / "folds"
    if not args.shipped_only and not (folds_dir / "folds.json").exists():
        import train_scorer

        print("fitting one scorer per held-out article (scripts/train_scorer.py) ...", flush=True)
        train_scorer.main(["--shared", str(args.shared), "--work", str(args.work / "train"), "--out", str(args.work / "all.json"), "--folds-dir", str(folds_dir)])
    folds = {} if args.shipped_only else json.loads((folds_dir / "folds.json").read_text(encoding="utf-8"))

    sets = [
        ("seed set", "seeds", ROOT / "seeds", args.shared / "eval" / "questions.jsonl"),
        ("own seed set", "seeds", ROOT / "seeds", ROOT / "tests" / "data" / "dev_questions.jsonl"),
        ("held-out seed set", "seeds", ROOT / "seeds", ROOT / "tests" / "data" / "heldout_questions.jsonl"),
        ("seed follow-up set", "seeds", ROOT / "seeds", ROOT / "tests" / "data" / "followup_questions.jsonl"),
        ("wiki set", "wiki", args.shared / "eval" / "wiki" / "corpus", args.shared / "eval" / "wiki" / "questions.jsonl"),
    ]
    shipped_lines = []
    cautions: list[tuple[str, list[dict], list[dict]]] = []  # each set's shipped answers, for caution_counts
    shipped_engines: dict[str, Engine] = {}  # the shipped scorer's engine on each corpus, built once
    for label, dataset, corpus, qfile in sets:
        questions = read_jsonl(qfile)
        base = {"corpus": corpus, "index_dir": args.work / "train" / dataset, "mode": "extractive"}
        if dataset not in shipped_engines:
            shipped_engines[dataset] = Engine(Settings.load(base, env={}))
            shipped_engines[dataset].ensure_index()
        shipped = shipped_engines[dataset]
        if not args.shipped_only:
            cross_validated(label, dataset, corpus, questions, base, folds, folds_dir)
        answers, _ = answer_all({"all": shipped}, questions, lambda q, n: "all")
        shipped_lines.append(f"{label} (shipped scorer, trained on these articles): " + line(score(questions, answers, corpus)))
        cautions.append((label, questions, answers))
    print("\n".join(shipped_lines))
    # No scorer is fitted to the documentation pages or the wiki pages: every one of them is held out.
    elsewhere: list[dict] = []  # their questions (not the follow-ups), asked last of the other corpora
    for label, name, qfile in (
        ("docs set", "docs", "questions.jsonl"),
        ("docs follow-up set", "docs", "followups.jsonl"),
        ("intranet set", "intranet", "questions.jsonl"),
        ("intranet follow-up set", "intranet", "followups.jsonl"),
        ("reports set", "reports", "questions.jsonl"),
        ("varied set", "varied", "questions.jsonl"),
        ("varied follow-up set", "varied", "followups.jsonl"),
    ):
        folder = ROOT / "tests" / "data" / name
        questions = read_jsonl(folder / qfile)
        engine = Engine(Settings.load({"corpus": folder / "corpus", "index_dir": args.work / name, "mode": "extractive"}, env={}))
        engine.ensure_index()
        answers, _ = answer_all({"all": engine}, questions, lambda q, n: "all")
        print(f"{label} (shipped scorer, which never saw these pages): " + line(score(questions, answers, folder / "corpus")))
        cautions.append((label, questions, answers))
        if qfile == "questions.jsonl":
            elsewhere += questions
    # Questions about something else altogether: every one should be abstained on.
    for label, dataset in (("seed articles", "seeds"), ("Wikipedia articles", "wiki")):
        abstained = [shipped_engines[dataset].ask(q["question"], q.get("history", [])).abstained for q in elsewhere]
        print(f"the pages' questions asked of the {label} (shipped scorer): questions={len(abstained)} abstained={np.mean(abstained):.3f}")
    # Questions about someone or something the articles name, asking what they never say.
    for label, dataset, qfile in (("seed articles", "seeds", "probe_questions.jsonl"), ("Wikipedia articles", "wiki", "wiki_probe_questions.jsonl")):
        probes = read_jsonl(ROOT / "tests" / "data" / qfile)
        abstained = [shipped_engines[dataset].ask(q["question"]).abstained for q in probes]
        print(f"questions on what the {label} name and never say (shipped scorer): questions={len(abstained)} abstained={np.mean(abstained):.3f}")
    print("answers with and without a caution (shipped scorer; see unsure_below), and how many of each are right:")
    print("\n".join(f"  {label}: {caution_line(caution_counts(questions, answers))}" for label, questions, answers in cautions))
    return 0


def cross_validated(label: str, dataset: str, corpus: Path, questions: list[dict], base: dict, folds: dict, folds_dir: Path) -> None:
    """Print the set's line for answers given by a scorer that never saw the question's article."""
    engines = {g: Engine(Settings.load({**base, "scorer": str(folds_dir / f)}, env={})) for g, f in folds.items() if g.startswith(dataset + ":")}

    def fold_of(q: dict, n: int) -> str:
        sources = q.get("sources") or []
        fold = f"{dataset}:{sources[0]}" if sources else ""
        # An article no training question is on is in no fold: every scorer left it out.
        return fold if fold in engines else f"{dataset}:unsourced-{n % 3}"

    t = time.perf_counter()
    answers, p = answer_all(engines, questions, fold_of)
    r = score(questions, answers, corpus)
    print(f"{label} (cross-validated by article, {len(questions)} questions, {time.perf_counter() - t:.0f} s):")
    print("  " + line(r))
    if dataset == "wiki":
        print("  abstention curve (P(answerable) below the threshold abstains):")
        print("\n".join(curve(questions, p)))
        everything = read_jsonl(corpus.parent / "all.jsonl")
        t = time.perf_counter()
        answers, p = answer_all(engines, everything, fold_of)
        print(f"{label}, all {len(everything)} questions on its articles (cross-validated by article, {time.perf_counter() - t:.0f} s):")
        print("  " + line(score(everything, answers, corpus)))
        print("\n".join(curve(everything, p)))


if __name__ == "__main__":
    sys.exit(main())
