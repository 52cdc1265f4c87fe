"""Sentence splitting that keeps exact character offsets.

A rule-based splitter rather than a model: it must never alter the text (each
span is sliced from the original), it must be fast and deterministic, and news
prose is regular enough that a few rules about abbreviations do well.
"""

from __future__ import annotations

import re
from typing import Iterator

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "gov", "sen", "rep", "lt", "col",
    "capt", "sgt", "rev", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "corp", "no", "vol", "fig",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est",
}
# Words that, after an initialism such as "U.S.", show that a new sentence began.
_SENTENCE_STARTERS = {
    "he", "she", "it", "they", "we", "i", "you", "the", "this", "that", "these", "those", "there", "but",
    "his", "her", "its", "their", "our", "if", "when", "while", "after", "however", "meanwhile", "still",
}

# A candidate boundary: terminal punctuation, optional closing quotes or
# brackets, then either whitespace or (for glued text such as "ground.This")
# directly an upper-case letter.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|[A-Z“\"])")
_BULLET = re.compile(r"\s*(?:[-*•·–—]|\d+[.)])\s+")


def split_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each sentence in ``text[start:end]``.

    Line breaks always end a sentence (scraped articles put one paragraph or
    list item on a line). Leading bullets and surrounding whitespace are left
    out of the span.
    """
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        yield from _split_line(text, pos, line_end)
        pos = line_end + 1


def _split_line(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    bullet = _BULLET.match(text, start, end)
    if bullet:
        start = bullet.end()
    sent_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        cut = m.end()
        if not _is_boundary(text, sent_start, m.start(), cut, end):
            continue
        span = _trim(text, sent_start, cut)
        if span:
            yield span
        sent_start = cut
    span = _trim(text, sent_start, end)
    if span:
        yield span


def _is_boundary(text: str, sent_start: int, punct: int, cut: int, end: int) -> bool:
    nxt = _next_word(text, cut, end)
    if not nxt:
        return False  # punctuation at the very end of the line: the line end cuts
    glued = cut < end and not text[cut].isspace()
    if text[punct] == ".":
        word = _word_before(text, sent_start, punct)
        lower = word.lower()
        if glued:
            # "ground.This" is a lost space; "U.S" or "3.5" is not a boundary.
            return len(word) >= 2 and word.isalpha() and word[-1].islower() and nxt[:1].isupper() and nxt[1:2].islower()
        if lower in _ABBREVIATIONS:
            return False
        if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
            # An initialism ("U.S.") ends a sentence only when a typical
            # sentence opener follows.
            return nxt[:1].isupper() and nxt.lower() in _SENTENCE_STARTERS
        if len(word) == 1 and word.isupper():
            return False  # a middle initial: "George W. Bush"
    if glued:
        return False
    first = nxt[0]
    return first.isupper() or first.isdigit() or first in "“\"'‘(["


def _word_before(text: str, start: int, punct: int) -> str:
    i = punct
    while i > start and not text[i - 1].isspace() and text[i - 1] not in "(\"“‘'":
        i -= 1
    return text[i:punct]


def _next_word(text: str, pos: int, end: int) -> str:
    while pos < end and text[pos].isspace():
        pos += 1
    j = pos
    while j < end and not text[j].isspace():
        j += 1
    return text[pos:j].strip("\"“”'‘’([") or text[pos:j]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end or not any(ch.isalnum() for ch in text[start:end]):
        return None
    return start, end
