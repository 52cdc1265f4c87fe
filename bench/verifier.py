"""Precision and recall of the citation verifier on a labelled set.

Usage: python bench/verifier.py [PAIRS.jsonl] [--threshold T] [--sweep]

Each line of the set is a claim, a passage copied from a seed article, and
whether the passage supports the claim. The unsupported claims are the
mistakes a small model makes: a wrong number or name, swapped entities, a
contradiction, or an on-topic claim the passage does not make. The passage
is split into sentences as the index splits articles, and the claim counts
as accepted when the verifier finds it supported (``Verifier.check``),
exactly as it decides for a sentence of a generated answer.

"Positive" means "supported": precision is the share of accepted claims
that are true, recall the share of true claims accepted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from index.chunking import split_document
from index.corpus import scan
from index.embedding import DEFAULT_MODEL, get_embedder
from index.sentences import split_spans
from qa.config import Settings
from qa.lexical import TermWeights, terms
from qa.types import Evidence
from qa.verify import Verifier

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "support_pairs.jsonl"
SEEDS = ROOT / "seeds"


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus_weights(corpus: Path = SEEDS) -> TermWeights:
    """Term weights over the corpus's sentences, as the index computes them."""
    sentences = [s for doc in scan(corpus, 1 << 62).documents for s in split_document(doc)]
    return TermWeights(terms(s.text) for s in sentences)


def passage_sentences(passage: str, source: str) -> list[Evidence]:
    return [
        Evidence(
            sentence_id=f"{source}:{start}",
            source=source,
            start=start,
            end=end,
            text=passage[start:end],
            kind="article",
            heading="",
            score=0.0,
            coverage=0.0,
            similarity=0.0,
            position=i,
        )
        for i, (start, end) in enumerate(split_spans(passage))
    ]


def evaluate(verifier: Verifier, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and the misses, for the verifier's threshold."""
    tp = fp = fn = tn = 0
    misses: list[str] = []
    missed_kinds: Counter[str] = Counter()
    for pair in pairs:
        sentences = passage_sentences(pair["passage"], pair["source"])
        accepted = bool(verifier.check(pair["claim"], sentences))
        best = verifier.best(pair["claim"], sentences)
        if accepted and pair["supported"]:
            tp += 1
        elif accepted:
            fp += 1
        elif pair["supported"]:
            fn += 1
        else:
            tn += 1
        if accepted != pair["supported"]:
            missed_kinds[pair["kind"]] += 1
            why = best.refusal if best and best.refusal else f"score {best.score:.3f}" if best else "no sentence"
            label = "accepted" if accepted else "refused"
            misses.append(f"{label} ({pair['kind']}, {why}): {pair['claim']}")
    return {
        "threshold": verifier.threshold,
        "pairs": len(pairs),
        "precision": round(tp / max(tp + fp, 1), 3),
        "recall": round(tp / max(tp + fn, 1), 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "missed_kinds": dict(missed_kinds),
        "misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("pairs", nargs="?", type=Path, default=PAIRS)
    p.add_argument("--threshold", type=float, default=Settings().llm_support_threshold)
    p.add_argument("--sweep", action="store_true", help="also print precision and recall over a range of thresholds")
    args = p.parse_args(argv)

    pairs = load_pairs(args.pairs)
    embedder = get_embedder(DEFAULT_MODEL)
    weights = corpus_weights()
    result = evaluate(Verifier(embedder.embed, weights, args.threshold), pairs)
    for line in result["misses"]:
        print("  " + line)
    if args.sweep:
        for t in [round(0.40 + 0.05 * i, 2) for i in range(10)]:
            r = evaluate(Verifier(embedder.embed, weights, t), pairs)
            print(f"  threshold={t:.2f} precision={r['precision']:.3f} recall={r['recall']:.3f}")
    print(
        f"threshold={result['threshold']} pairs={result['pairs']} precision={result['precision']} "
        f"recall={result['recall']} tp={result['tp']} fp={result['fp']} fn={result['fn']} tn={result['tn']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
