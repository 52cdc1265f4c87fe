#!/usr/bin/env python3
"""Answers to questions as people type them into a chat box.

    python bench/as_typed.py [--shared ../shared] [--work /tmp/qa-as-typed] [--sets docs,intranet,...]

Each question of the project's sets is asked as written and rewritten the
way a hurried user types it, and what a rewriting costs is the difference
from the same questions as written (with the shipped scorer):

* ``one typo``: one letter of one word of five letters or more left out,
  added, changed or two swapped (the same letter for a question every run);
* ``lower case``: all of it in lower case;
* ``opening``: a greeting, thanks or filler before it ("thanks! one more - ");
* ``no question mark``: its question marks left out;
* ``closing``: thanks after it ("... Many thanks!").

A line counts the answerable questions answered right (the answer holds an
accepted answer) and the unanswerable ones abstained on. The sets: the
documentation pages, the intranet, the reports, the documents of many kinds
and the own and held-out seed sets in tests/data/, and the 440 Wikipedia
questions in SHARED/eval/wiki/ when that folder is there. Last, the chat
messages of tests/data/chat/ (written as typed, in eight styles, on the
intranet's and the varied set's documents), right by style.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from index.terms import STOPWORDS  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.metrics import norm  # noqa: E402
from quality import read_jsonl  # noqa: E402  (bench/quality.py, beside this script)

DATA = ROOT / "tests" / "data"
OPENINGS = ("thanks! one more - ", "hi there, quick question: ", "Cheers. ", "Hello! ", "ok thanks. ", "Sorry, ")
CLOSINGS = (" Thanks!", " Many thanks", " Cheers.", " Thank you :)")


def one_typo(question: str) -> str:
    """``question`` with one letter of one of its longer words left out, changed, or swapped with the next."""
    rnd = random.Random(question)
    found = [m for m in re.finditer(r"[a-z]{5,}", question) if m.group(0) not in STOPWORDS]
    if not found:
        return question
    m = rnd.choice(found)
    w, i, kind = m.group(0), rnd.randrange(1, len(m.group(0)) - 1), rnd.randrange(3)
    typed = w[:i] + w[i + 1 :] if kind == 0 else w[:i] + w[i + 1] + w[i] + w[i + 2 :] if kind == 1 else w[:i] + rnd.choice("aeiou") + w[i + 1 :]
    return question[: m.start()] + typed + question[m.end() :]


VARIANTS = {
    "as written": lambda q, n: q,
    "one typo": lambda q, n: one_typo(q),
    "lower case": lambda q, n: q.lower(),
    "opening": lambda q, n: OPENINGS[n % len(OPENINGS)] + q,
    "no question mark": lambda q, n: q.replace("?", ""),
    "closing": lambda q, n: q + CLOSINGS[n % len(CLOSINGS)],
}


def right(answer, q: dict, facts: list[list[str]]) -> bool:
    if not q["answerable"]:
        return answer.abstained
    text = norm(answer.answer)
    return not answer.abstained and all(any(norm(x) in text for x in fact) for fact in facts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--work", type=Path, default=Path("/tmp/qa-as-typed"))
    ap.add_argument("--sets", default="", help="only these sets, by name, comma-separated (default: all; the chat messages always)")
    args = ap.parse_args()

    sets = [(name, DATA / name / "corpus", DATA / name / "questions.jsonl") for name in ("docs", "intranet", "reports", "varied")]
    sets += [("own seed", ROOT / "seeds", DATA / "dev_questions.jsonl"), ("held-out seed", ROOT / "seeds", DATA / "heldout_questions.jsonl")]
    wiki = args.shared / "eval" / "wiki"
    if wiki.is_dir():
        sets.append(("wiki 440", wiki / "corpus", wiki / "questions.jsonl"))
    if args.sets:
        wanted = {name.strip() for name in args.sets.split(",")}
        sets = [s for s in sets if s[0] in wanted]
    totals = {v: [0, 0, 0, 0] for v in VARIANTS}  # answerable right, answerable, unanswerable abstained, unanswerable
    for name, corpus, qfile in sets:
        engine = Engine(Settings.load({"corpus": corpus, "index_dir": args.work / re.sub(r"\W", "-", str(corpus)), "mode": "extractive"}, env={}))
        engine.ensure_index()
        cells = []
        for variant, rewrite in VARIANTS.items():
            count = [0, 0, 0, 0]
            for n, q in enumerate(read_jsonl(qfile)):
                ok = right(engine.ask(rewrite(q["question"], n)), q, [q["answers"]])
                k = 0 if q["answerable"] else 2
                count[k] += ok
                count[k + 1] += 1
            totals[variant] = [a + b for a, b in zip(totals[variant], count)]
            cells.append(f"{variant} {count[0]}/{count[1]}, {count[2]}/{count[3]}")
        print(f"{name}: " + "; ".join(cells), flush=True)
    print("all: " + "; ".join(f"{v} {t[0]}/{t[1]} answered right, {t[2]}/{t[3]} abstained" for v, t in totals.items()))

    # The chat messages: their documents are the intranet's and the varied set's, in one collection.
    corpus = args.work / "chat-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    for name in ("intranet", "varied"):
        for f in (DATA / name / "corpus").iterdir():
            shutil.copy(f, corpus / f.name)
    engine = Engine(Settings.load({"corpus": corpus, "index_dir": args.work / "chat-index", "mode": "extractive"}, env={}))
    engine.ensure_index()
    by_style: dict[str, list[bool]] = {}
    for q in read_jsonl(DATA / "chat" / "messages.jsonl"):
        by_style.setdefault(q["style"], []).append(right(engine.ask(q["question"], q["history"]), q, q["facts"]))
    styles = "; ".join(f"{s} {sum(v)}/{len(v)}" for s, v in sorted(by_style.items()))
    print(f"chat messages ({sum(map(sum, by_style.values()))} of {sum(map(len, by_style.values()))} right), by style: {styles}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
