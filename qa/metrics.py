"""Answer-quality metrics for a question set, as ``qa eval`` prints them.

The definitions match the reference scorer shipped with the evaluation set
(``eval/score.py``): the same normalisation, the same metrics, the same
summary line, so a user's own question file is scored the same way. One
addition: an evidence phrase also counts when it lies in a citation's quote
as a reader sees it (``shown``: a web page's tags and Markdown's code ticks
off), which on plain text is the quote itself.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, Iterable

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
            text = norm(a.get("answer") or "")
            ok = (not a.get("abstained")) and any(norm(x) in text for x in q.get("answers", []))
            # The quote as the file has it or as a reader sees it: a Markdown or
            # HTML page's evidence is written without its markup ("`--check`").
            quotes = " | ".join(norm(c.get(k) or "") for c in cs for k in ("quote", "shown"))
            evs = q.get("evidence", [])
            evs = evs if isinstance(evs, list) else [evs]
            ev = any(norm(e) in quotes for e in evs)
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


def summary_line(result: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in result.items() if k != "failures")


def report_lines(result: dict[str, Any]) -> Iterable[str]:
    for f in result["failures"]:
        yield "  " + f
    yield summary_line(result)
