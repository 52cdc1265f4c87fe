"""Words as retrieval sees them: normalised, stop words out, stemmed.

Used to weigh how much of a question a sentence actually covers. Weights are
inverse document frequencies over the corpus's sentences, so rare, specific
words ("Starliner", "Gazeta.ru") count for much more than common ones.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Mapping

from index.terms import STOPWORDS, fold, is_english_word, terms, words

__all__ = ["STOPWORDS", "SYNONYMS", "SYNONYM_CREDIT", "TermWeights", "bigrams", "fold", "is_english_word", "terms", "words"]

# Words for the same role, as stemmed terms: questions and articles name the
# person in charge of an organisation in many ways.
_SYNONYM_GROUPS = [
    {"head", "lead", "leader", "chief", "director", "administr", "boss", "chair", "chairman", "ceo"},
    {"succeed", "successor", "subsequ"},
]
SYNONYMS: dict[str, frozenset[str]] = {t: frozenset(g - {t}) for g in _SYNONYM_GROUPS for t in g}
SYNONYM_CREDIT = 0.8


def bigrams(term_list: list[str]) -> frozenset[tuple[str, str]]:
    """Adjacent pairs of content terms: "U.S. sanctions" as a phrase, not two words."""
    return frozenset(zip(term_list, term_list[1:]))


class TermWeights:
    """Inverse document frequencies of terms over a set of sentences."""

    def __init__(self, documents: Iterable[Iterable[str]]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for doc in documents:
            n += 1
            df.update(set(doc))
        self._set(df, n)

    @classmethod
    def from_counts(cls, df: Mapping[str, int], n: int) -> "TermWeights":
        """Weights from document frequencies counted beforehand (by the index build) over ``n`` sentences."""
        weights = cls.__new__(cls)
        weights._set(Counter(df), n)
        return weights

    def _set(self, df: Counter[str], n: int) -> None:
        self.n = max(n, 1)
        self.df = df
        self.unknown = self.idf_of(0)
        self._idf = {t: self.idf_of(d) for t, d in df.items()}

    def idf_of(self, df: int) -> float:
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        return self._idf.get(term, self.unknown)

    def known(self, term: str) -> bool:
        return term in self.df

    def coverage(self, query: Iterable[str], text_terms: Iterable[str]) -> float:
        """Share of the query's weight that ``text_terms`` contains (0-1).

        A term the text holds only as a synonym ("leads" for "head") counts
        for ``SYNONYM_CREDIT`` of its weight.
        """
        # In the query's order, not a set's: a set's order changes from one
        # process to the next, and with it the last bit of the sums.
        q = dict.fromkeys(query)
        if not q:
            return 0.0
        have = text_terms if isinstance(text_terms, (set, frozenset)) else set(text_terms)
        # Called for every candidate sentence, twice: the lookups are inlined.
        idf, unknown = self._idf.get, self.unknown
        total = sum(idf(t, unknown) for t in q)
        got = 0.0
        for t in q:
            if t in have:
                got += idf(t, unknown)
            elif t in SYNONYMS and not SYNONYMS[t].isdisjoint(have):
                got += SYNONYM_CREDIT * idf(t, unknown)
        return got / total if total else 0.0
