"""Words as retrieval sees them: normalised, stop words out, stemmed.

Used to weigh how much of a question a sentence actually covers. Weights are
inverse document frequencies over the corpus's sentences, so rare, specific
words ("Starliner", "Gazeta.ru") count for much more than common ones.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from typing import Iterable

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was we were what when where
    which while who whom whose why will with would you your yours yourself yourselves shall may might must
    according said say says tell told mention mentioned article articles text piece report reported author writer
    one ones does did done get got
    """.split()
)

_WORD = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")
_FOLD = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}


@functools.lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for a, b in _FOLD.items():
        text = text.replace(a, b)
    return text.lower()


def words(text: str) -> list[str]:
    """Lower-case word tokens; "U.S." and "Gazeta.ru" stay one token."""
    text = fold(text).replace("'s ", " ").replace("'s", "")
    out = []
    for w in _WORD.findall(text):
        out.extend(w.split(".") if not re.fullmatch(r"(?:[a-z]\.)+[a-z]?|[a-z0-9]+\.[a-z]{2,3}", w) else [w.replace(".", "")])
    return out


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """Content terms of ``text``: stop words removed, the rest stemmed."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


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
        q = set(query)
        if not q:
            return 0.0
        have = text_terms if isinstance(text_terms, (set, frozenset)) else set(text_terms)
        total = sum(self.idf(t) for t in q)
        got = 0.0
        for t in q:
            if t in have:
                got += self.idf(t)
            elif t in SYNONYMS and not SYNONYMS[t].isdisjoint(have):
                got += SYNONYM_CREDIT * self.idf(t)
        return got / total if total else 0.0
