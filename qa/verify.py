"""Checking a generated answer against the passages it was given.

A model's completion is split into sentences ("claims"), each with the
``[n]`` markers it carries; markers that point at no passage are dropped. A
claim is kept only when a sentence of a passage it cites supports it; a
claim without a valid marker may be supported by any passage. Support is
decided per candidate sentence:

* hard checks first, because embeddings barely notice a changed number or
  name: every number in the claim must be in the sentence, every name in
  the claim (a capitalised word) must be in the sentence, and a negation on
  one side only ("did not join" against "joined") refuses support;
* then the cosine between the claim's and the sentence's embeddings (the
  index's model) must reach ``MIN_COSINE``, and
  ``score = W_COSINE * cosine + (1 - W_COSINE) * overlap`` the threshold.
  ``overlap`` is the IDF-weighted share of the claim's content terms that
  the sentence holds: rare terms weigh most, so an invented specific
  ("Mars", "BRICS") costs more than a common word the sentence lacks.

A claim that joins clauses ("X, which Y"; "X, and Y") must have every
clause supported, each by its best sentence: small models continue a copied
sentence with an invented clause that shares the sentence's words. What a
citation shows besides the sentence (outlet, author, date) counts as part
of it, so "in the 2025 articles" can be supported by the date.

Each kept citation names the one sentence that supports the claim, so its
quote and offsets are that sentence's. Citations are renumbered 1..n in
order of first use and the answer's markers rewritten to match.

Unsupported claims are removed rather than shown flagged: an invented
sentence is still read as an answer when it stands in the text, whatever
marks it carries. Known blind spots: antonyms ("wants to end" against
"wants continued"), swapped roles ("Bridenstine hosted Rogozin"), and
claims that need two sentences together. ``bench/verifier.py`` measures
precision and recall on ``tests/data/support_pairs.jsonl``; the default
threshold comes from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from index.chunking import sentence_words
from index.sentences import split_spans
from qa.lexical import STOPWORDS, TermWeights, fold, terms, words
from qa.types import AnswerSentence, Evidence

# Embeddings of claims and sentences: texts -> unit vectors, in order.
EmbedFn = Callable[[Sequence[str]], Sequence[Sequence[float]]]
# What a citation of a sentence shows besides it (outlet, author, date).
AboutFn = Callable[[Evidence], str]

W_COSINE = 0.5
# Below this cosine the claim means something else, however many words it
# shares with the sentence ("Sean Duffy heads Roscosmos" against "Dmitry
# Bakanov, the head of Roscosmos, ... met Sean Duffy").
MIN_COSINE = 0.5
DEFAULT_THRESHOLD = 0.7

# "[1]", "[1, 2]", "[1][2]", "[Passage 3]", "[source 2]"
_MARKER = re.compile(r"\[\s*(?:passages?|sources?)?\s*(\d+(?:\s*(?:,|;|and)\s*\d+)*)\s*\]", re.I)
# A marker the model put after the full stop belongs to the sentence before it.
_MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[[^\]\n]{1,20}\])+)")
# Filler a small model puts before its answer.
_PREAMBLE = re.compile(
    r"^\s*(?:(?:the\s+)?answer(?:\s+is)?\s*[:\-]|sure[,!.]\s*|according to (?:the )?passages?\s*(?:\[\d+\])?,?)\s*",
    re.I,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A capitalised word; "U.S." whole, "US-led" as "US", "Apollo-Soyuz" as two.
_NAME = re.compile(r"\b[A-Z][\w.]*")
# Where one clause of a claim ends and another begins.
_CLAUSE_BREAK = re.compile(r"\s*(?:;|,\s*(?=(?:and|but|which|while|whereas|who|where|although)\b))\s*")
# Spelled-out numbers compare with digits ("eight years" against "8 years");
# "one" is left out, being far more often a pronoun than a count.
_NUMBER_WORDS = dict(
    zip(
        "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
        "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety".split(),
        [str(n) for n in [*range(2, 21), 30, 40, 50, 60, 70, 80, 90]],
    )
)
_NEGATION = frozenset("not no never nor none neither cannot".split())
# Sentence openers that are capitalised only because they come first.
_OPENERS = frozenset(
    "despite however although though yes according currently moreover meanwhile also instead overall "
    "today recently later earlier finally first second third then thus therefore still yet unlike like "
    "many several some both each every".split()
)
# Spelled-out names that articles also write as initialisms.
_ALIASES = tuple(
    (re.compile(rf"\b{long}\b", re.I), short)
    for long, short in (("united states", "US"), ("soviet union", "USSR"), ("international space station", "ISS"))
)
# Names compare on a prefix, so "Russia" matches "Russian" and "Biden's".
NAME_PREFIX = 5


@dataclass(frozen=True)
class Claim:
    """One sentence of a completion: its text without markers, and what it cites."""

    text: str
    cited: tuple[int, ...]  # valid source numbers, in the order written
    bogus: tuple[int, ...] = ()  # markers that pointed at no source (dropped)


@dataclass(frozen=True)
class Support:
    """How well one candidate sentence supports a claim."""

    evidence: Evidence
    score: float
    cosine: float
    overlap: float
    refusal: str = ""  # why a hard check refused support, else ""

    def accepted(self, threshold: float) -> bool:
        return not self.refusal and self.cosine >= MIN_COSINE and self.score >= threshold


@dataclass(frozen=True)
class Source:
    """A numbered passage as shown to the model: some sentences of one chunk."""

    n: int
    sentences: tuple[Evidence, ...]

    @property
    def text(self) -> str:
        return " ".join(sentence_words(s) for s in self.sentences)


@dataclass
class Verified:
    """The verified answer: kept sentences, the evidence each [n] points at, and what was dropped."""

    sentences: list[AnswerSentence]
    evidence: list[Evidence]  # evidence[i] is citation i + 1
    dropped: list[str] = field(default_factory=list)  # claims no passage supported
    claims: int = 0

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def split_claims(completion: str, n_sources: int) -> list[Claim]:
    """The completion's sentences with the markers each carries."""
    text = _MARKERS_AFTER_STOP.sub(lambda m: m.group(2) + m.group(1), completion.strip())
    claims = []
    for start, end in split_spans(text):
        raw = text[start:end]
        numbers = [int(x) for m in _MARKER.finditer(raw) for x in re.findall(r"\d+", m.group(1))]
        cited = tuple(dict.fromkeys(n for n in numbers if 1 <= n <= n_sources))
        bogus = tuple(dict.fromkeys(n for n in numbers if not 1 <= n <= n_sources))
        body = _PREAMBLE.sub("", _MARKER.sub("", raw))
        body = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(body.split())).strip(" ,;:")
        if body:
            claims.append(Claim(text=body[0].upper() + body[1:], cited=cited, bogus=bogus))
    return claims


class Verifier:
    """Decides which claims the passages support, and by which sentence."""

    def __init__(
        self,
        embed: EmbedFn,
        weights: TermWeights | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        about: AboutFn | None = None,
    ) -> None:
        self.embed = embed
        self.weights = weights
        self.threshold = threshold
        # "The head of Roscosmos in the 2025 articles is ...": a year or an
        # outlet may come from the article's metadata, which the citation shows.
        self.about = about or (lambda ev: "")
        # One answer checks several claims against the same sentences.
        self._vectors: dict[str, np.ndarray] = {}

    def supports(self, claim: str, candidates: Sequence[Evidence]) -> list[Support]:
        """Every candidate's support for ``claim``, best first."""
        if not candidates:
            return []
        vectors = self._embed([claim, *(" ".join(c.text.split()) for c in candidates)])
        cosines = vectors[1:] @ vectors[0]
        claim_terms = set(terms(canonical_names(claim)))
        out = [self._support(claim, claim_terms, c, float(cos)) for c, cos in zip(candidates, cosines)]
        return sorted(out, key=lambda s: (bool(s.refusal), -s.score))

    def best(self, claim: str, candidates: Sequence[Evidence]) -> Support | None:
        ranked = self.supports(claim, candidates)
        return ranked[0] if ranked else None

    def check(self, claim: str, candidates: Sequence[Evidence]) -> tuple[Evidence, ...]:
        """The sentences that support ``claim``; empty when it is not supported.

        A claim that joins clauses ("X, which Y"; "X, and Y") is supported
        only when every clause is, each by its best sentence. A small model
        often continues a copied sentence with an invented clause (", which
        was later reduced to ..."), and the whole still shares most of its
        words with the sentence it copied.
        """
        found: list[Evidence] = []
        for part in clauses(claim) or [claim]:
            best = self.best(part, candidates)
            if best is None or not best.accepted(self.threshold):
                return ()
            if best.evidence not in found:
                found.append(best.evidence)
        return tuple(found)

    def verify(self, completion: str, sources: Sequence[Source]) -> Verified:
        """Keep the supported claims, each cited to its supporting sentence."""
        by_n = {s.n: s for s in sources}
        everything = [e for s in sources for e in s.sentences]
        kept: list[tuple[str, list[Evidence]]] = []
        dropped: list[str] = []
        seen: set[str] = set()
        claims = split_claims(completion, len(sources))
        for claim in claims:
            key = " ".join(words(claim.text))
            if not terms(claim.text) or key in seen:
                continue  # filler ("Sure.") or a repeated sentence
            seen.add(key)
            groups = [by_n[n].sentences for n in claim.cited] if claim.cited else [everything]
            accepted = [ev for group in groups for ev in self.check(claim.text, group)]
            if accepted:
                kept.append((claim.text, list(dict.fromkeys(accepted))))
            else:
                dropped.append(claim.text)
        return _number(kept, dropped, len(claims))

    def _embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, _unit(self.embed(missing))))
        return np.stack([self._vectors[t] for t in texts])

    def _support(self, claim: str, claim_terms: set[str], ev: Evidence, cosine: float) -> Support:
        sentence = " ".join(ev.text.split())
        about = self.about(ev)
        overlap = _overlap(claim_terms, set(terms(canonical_names(f"{sentence} {about}"))), self.weights)
        score = W_COSINE * max(cosine, 0.0) + (1 - W_COSINE) * overlap
        why = refusal(claim, sentence, about)
        return Support(ev, round(score, 4), round(cosine, 4), round(overlap, 4), refusal=why)


def clauses(claim: str) -> list[str]:
    """The claim's clauses, when it joins several ("X, which Y"; "X, and Y"; "X; Y").

    Fragments with fewer than two content terms are left out: they state
    nothing that can be checked on its own.
    """
    parts = [p for p in _CLAUSE_BREAK.split(claim) if len(terms(p)) >= 2]
    return parts if len(parts) > 1 else []


def refusal(claim: str, sentence: str, about: str = "") -> str:
    """Why ``sentence`` cannot support ``claim`` whatever the scores say, else "".

    Numbers and names may also come from ``about``, what the citation shows
    of the sentence's article (its title, outlet, date).
    """
    have_numbers = set(numbers(sentence)) | set(numbers(about))
    missing = [x for x in numbers(claim) if x not in have_numbers]
    if missing:
        return f"number {missing[0]} is not in the sentence"
    have_words = set(words(canonical_names(f"{sentence} {about}")))
    for name in names(claim):
        if not any(w.startswith(name[:NAME_PREFIX]) and (len(name) >= NAME_PREFIX or w == name) for w in have_words):
            return f"{name!r} is not in the sentence"
    if _negated(claim) != _negated(sentence):
        return "one side is negated and the other is not"
    return ""


def numbers(text: str) -> list[str]:
    """The numbers in ``text``, digits or spelled out, as digit strings."""
    digits = [_num(x) for x in _NUMBER.findall(text)]
    spelled = [_NUMBER_WORDS[w] for w in words(text) if w in _NUMBER_WORDS]
    return list(dict.fromkeys(digits + spelled))


def names(text: str) -> list[str]:
    """Capitalised words, folded: the names a claim must not get wrong.

    The first word counts only when it is no common sentence opener.
    """
    out: list[str] = []
    text = canonical_names(text)
    for i, m in enumerate(_NAME.finditer(text)):
        token = m.group(0)
        if i == 0 and m.start() == len(text) - len(text.lstrip()):
            low = fold(token)
            if low in STOPWORDS or low in _OPENERS or low.endswith("ly"):
                continue
        for w in words(token):
            if w not in STOPWORDS and not w.isdigit():
                out.append(w)
    return list(dict.fromkeys(out))


def _number(kept: list[tuple[str, list[Evidence]]], dropped: list[str], n_claims: int) -> Verified:
    """Renumber citations 1..n by first use and write the markers into the text."""
    order: dict[str, int] = {}
    evidence: list[Evidence] = []
    sentences = []
    for text, supporting in kept:
        ns = []
        for ev in supporting:
            if ev.sentence_id not in order:
                evidence.append(ev)
                order[ev.sentence_id] = len(evidence)
            ns.append(order[ev.sentence_id])
        ns = list(dict.fromkeys(ns))
        sentences.append(AnswerSentence(text=_with_markers(text, ns), citations=tuple(ns), supported=True))
    return Verified(sentences=sentences, evidence=evidence, dropped=dropped, claims=n_claims)


def _with_markers(text: str, ns: Sequence[int]) -> str:
    marks = "".join(f"[{n}]" for n in ns)
    m = re.search(r"[.!?…]+[\"'”’)]*$", text)
    if m:
        return f"{text[: m.start()]} {marks}{text[m.start() :]}"
    return f"{text} {marks}."


def _overlap(claim_terms: set[str], sentence_terms: set[str], weights: TermWeights | None) -> float:
    if not claim_terms:
        return 0.0
    if weights is None:
        return len(claim_terms & sentence_terms) / len(claim_terms)
    return weights.coverage(claim_terms, sentence_terms)


def _unit(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    arr = np.asarray(vectors, dtype=np.float32)
    return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)


def _num(token: str) -> str:
    return token.replace(",", "").rstrip(".")


def canonical_names(text: str) -> str:
    """``text`` with spelled-out names as their initialisms ("United States" -> "US")."""
    for pattern, short in _ALIASES:
        text = pattern.sub(short, text)
    return text


def _negated(text: str) -> bool:
    folded = fold(text)
    return bool(_NEGATION & set(words(folded))) or "n't" in folded
