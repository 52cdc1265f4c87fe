"""Every answer-tuning parameter, in one place: the fitted models and the hand-set rest.

Two small linear models, fitted by ``scripts/train_scorer.py`` and shipped in
``qa/scorer.json`` with a record of what they were trained on:

* the *ranker* gives each candidate sentence the probability that it holds
  the answer (over qa.features.SENTENCE_FEATURES; fitted to order each
  question's candidates, then calibrated to probabilities);
* the *answerability* model gives the probability that the corpus answers the
  question at all (over qa.features.QUESTION_FEATURES); the engine abstains
  below ``threshold``, chosen on held-out articles for a stated rate of
  answerable questions abstained on (``target_false_abstain``).

The parameters that are not fitted (how answers are put together) are the
fields of :class:`Composition`, each with what it does.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import SettingsError
from qa.features import QUESTION_FEATURES, SENTENCE_FEATURES

SCORER_FILE = Path(__file__).with_name("scorer.json")


@dataclass(frozen=True)
class LinearModel:
    """A linear model over named, standardised features; the sigmoid of its logit is a probability."""

    features: tuple[str, ...]
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray

    def logits(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(self.logits(x))

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], expected: tuple[str, ...]) -> "LinearModel":
        if tuple(d["features"]) != expected:
            raise SettingsError(
                "The scorer file was trained on other features than this version computes.",
                "Retrain it with: python scripts/train_scorer.py",
            )
        return cls(
            features=expected,
            weights=np.asarray(d["weights"], dtype=np.float64),
            bias=float(d["bias"]),
            mean=np.asarray(d["mean"], dtype=np.float64),
            scale=np.asarray(d["scale"], dtype=np.float64),
        )


def _param(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Composition:
    """How evidence becomes an answer: hand-set, documented, not fitted."""

    extra_candidates: int = _param(8, "Sentences added to the retrieved chunks' own as candidates, by embedding similarity and as many by word coverage.")
    ranked_limit: int = _param(30, "Candidates kept after ranking; answers and the LLM prompt use a handful.")
    # 0.5: with the ranker fitted over each question's candidates, 0.4 let the
    # median answer grow from 38 to 45 words (bench/quality.py); 0.5 keeps it
    # at 40 and most of the ranker's gain.
    join_ratio: float = _param(0.5, "A further sentence joins the answer only if its probability is at least this share of the best one's.")
    # A short answer has room for a less likely sentence that a long one has
    # not, if it comes from the same article (from others they were mostly
    # beside the point): within 34 words, the documentation pages went from
    # 0.767 to 0.817 answered, the 440 Wikipedia questions from 0.816 to 0.819
    # and all 2,805 from 0.858 to 0.859 (bench/quality.py), the median answers
    # staying within 40 words; 0.2 and 0.3 gave the same. (Without the
    # same-article condition, within 38 words the 2,805's median reached 40,
    # within 40 the 440's 41.)
    short_join_ratio: float = _param(0.25, "A further sentence of the best one's article also joins at this share of its probability when the answer with it stays within short_answer_words.")
    short_answer_words: int = _param(34, "... the words an answer may have for that (its sentences' own, as written).")
    new_coverage: float = _param(0.0, "... and it newly covers at least this share of the question's term weight.")
    other_date_ratio: float = _param(0.3, "A sentence naming another holder of the asked-about role, from an article of another date, joins at this share of the best probability.")
    colon_followers: int = _param(3, "A chosen sentence ending in a colon brings up to this many of the sentences after it (the list or quotation it introduces).")
    question_followers: int = _param(2, "A chosen sentence that asks a question (an FAQ's entry) brings up to this many of the sentences after it, its answer, up to the next question or heading.")
    heading_followers: int = _param(1, "A chosen heading brings up to this many of the first sentences of its section.")
    antecedent_words: int = _param(12, "A best sentence of at most this many words that opens by referring back (\"It was admitted ...\") is shown after the sentence before it, which says what it refers to; a longer one too when it holds nothing of the kind of answer asked for (a \"who\" question's person).")
    near_duplicate_cosine: float = _param(0.92, "Sentences this similar (embedding cosine), stating the same numbers, are one sentence said twice; the more informative copy is cited.")
    near_duplicate_jaccard: float = _param(0.6, "... as are sentences sharing this share of their words.")


@dataclass(frozen=True)
class Scorer:
    ranker: LinearModel
    answerable: LinearModel
    threshold: float  # abstain when P(answerable) is below this
    composition: Composition = Composition()
    record: dict[str, Any] = field(default_factory=dict)  # what the models were trained on, and how they scored

    def to_dict(self) -> dict[str, Any]:
        return {
            "ranker": self.ranker.to_dict(),
            "answerable": self.answerable.to_dict(),
            "threshold": round(self.threshold, 6),
            "composition": {f.name: getattr(self.composition, f.name) for f in fields(Composition)},
            "record": self.record,
        }

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Scorer":
        known = {f.name for f in fields(Composition)}
        return cls(
            ranker=LinearModel.from_dict(d["ranker"], SENTENCE_FEATURES),
            answerable=LinearModel.from_dict(d["answerable"], QUESTION_FEATURES),
            threshold=float(d["threshold"]),
            composition=Composition(**{k: v for k, v in d.get("composition", {}).items() if k in known}),
            record=d.get("record", {}),
        )


@functools.lru_cache(maxsize=8)
def load_scorer(path: str = "") -> Scorer:
    """The scorer in ``path``, or the one shipped with the package."""
    file = Path(path) if path else SCORER_FILE
    try:
        return Scorer.from_dict(json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SettingsError(
            f"The answer scorer {file} cannot be read ({type(exc).__name__}: {exc}).",
            "Point QA_SCORER at a file written by scripts/train_scorer.py, or leave it empty for the shipped one.",
        ) from None


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
