"""Acronyms a corpus defines: "a lost-time injury (LTI)", "the Change Advisory Board (CAB)".

A report spells a term out once and abbreviates it after, while a reader asks
in either form ("What was the LTI rate?", "What lost-time injury rate ...?").
Only a definition the text itself writes counts: the spelled-out words right
before the acronym in brackets, or in brackets right after it ("the CAB
(Change Advisory Board)"), their initials spelling it. An acronym the corpus
defines two ways is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.terms import terms

# Up to eight words, then the acronym in brackets: two capitals or more, maybe
# with small letters between ("CoE"), ending the brackets.
_DEFINITION = re.compile(r"((?:[A-Za-z][\w'’-]*[\s-]+){1,8}?)\((?=[A-Za-z]*[A-Z][A-Za-z]*[A-Z])([A-Z][A-Za-z]{1,7})\)")
# ... or the acronym, then the words in brackets: "the CAB (Change Advisory Board)".
_DEFINITION_AFTER = re.compile(r"\b(?=[A-Za-z]*[A-Z][A-Za-z]*[A-Z])([A-Z][A-Za-z]{1,7})\s+\(((?:[A-Za-z][\w'’-]*[\s-]+){1,8}[A-Za-z][\w'’-]*)\)")
_PART = re.compile(r"[^\s-]+")
# Words an acronym's letters skip: "Treaty on European Union" (TEU).
_SKIPPED = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to"})


def definitions(text: str) -> Iterable[tuple[str, str]]:
    """Each ``(acronym, spelled out)`` that ``text`` defines."""
    if "(" not in text:
        return
    for m in _DEFINITION_AFTER.finditer(text):
        words = _PART.findall(m.group(2))
        if _spells(m.group(1).lower(), words):
            yield m.group(1), m.group(2)
    for m in _DEFINITION.finditer(text):
        acronym, letters, before = m.group(2), m.group(2).lower(), m.group(1)
        parts = list(_PART.finditer(before))  # "lost-time" is two words, as its initials count
        # The fewest words before the brackets whose initials spell it.
        for n in range(1, len(parts) + 1):
            if _spells(letters, [p.group(0) for p in parts[-n:]]):
                yield acronym, before[parts[-n].start() :].strip()
                break


def _spells(letters: str, words: list[str]) -> bool:
    """Whether the initials of ``words`` spell ``letters``, the small words skipped or not ("Council of Europe": CoE)."""
    if not words or words[0].lower() in _SKIPPED:
        return False
    initials = "".join(w[0].lower() for w in words if w.lower() not in _SKIPPED)
    return letters in (initials, "".join(w[0].lower() for w in words))


def acronym_terms(texts: Iterable[str]) -> dict[str, list[str]]:
    """Each acronym ``texts`` define, as a term, with its spelled-out words' terms; one defined two ways is left out."""
    found: dict[str, set[frozenset[str]]] = {}
    for text in texts:
        for acronym, spelled in definitions(text):
            short, long = terms(acronym), frozenset(terms(spelled))
            if len(short) == 1 and long and short[0] not in long:
                found.setdefault(short[0], set()).add(long)
    return {a: sorted(next(iter(ways))) for a, ways in sorted(found.items()) if len(ways) == 1}


class Acronyms:
    """The acronyms a corpus defines, as terms, to read a sentence's terms with."""

    def __init__(self, defined: dict[str, Iterable[str]]) -> None:
        self.spelled = {short: frozenset(long) for short, long in defined.items()}
        # Each spelling out under one of its words, so that a sentence's terms
        # are looked up one by one, not every acronym tried against them.
        self._by_word: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for short, long in self.spelled.items():
            self._by_word.setdefault(min(long), []).append((short, long))

    def read(self, held: frozenset[str]) -> frozenset[str]:
        """``held`` (a sentence's terms) with the words its acronyms stand for, and the acronyms of the words it spells out."""
        if not self.spelled:
            return held
        extra: set[str] = set()
        for t in held:
            if t in self.spelled:
                extra |= self.spelled[t]
            for short, long in self._by_word.get(t, ()):
                if long <= held:
                    extra.add(short)
        return held | extra if extra else held
