"""What a term is: a word normalised, stop words out, stemmed.

The index stores each sentence's terms (for the question-side weights and
the search for sentences covering a question's words), so the definition
lives here, beside the rest of ingestion, and qa.lexical builds on it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

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

_VERSION = re.compile(r"\d+(?:\.\d+){2,}")
# "v2.14.4", "v1.2": a version as release notes title it, the same version as "2.14.4" and "1.2".
_MARKED_VERSION = re.compile(r"v(\d+(?:\.\d+)+)")
_WORD = r"[a-z0-9]+(?:\.[a-z0-9]+)*"
# "-c" in "wget -c" or "What does -k do?"; not a hyphen inside a word.
_OPTION = re.compile(r"(?<![\w-])-[A-Za-z](?![\w-])")
# "--no-compress": the option as one term, and its words too ("compress"), so
# that "the quiet option" still finds "--quiet".
_LONG_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_TOKEN = re.compile("|".join((_OPTION.pattern, _LONG_OPTION.pattern, _WORD)))  # on folded text: the option's letter is lower case
_TOKEN_WORD = re.compile(_WORD)
# Sphinx's directives for a change ("versionadded:: 2.3", shown "Added in version
# 2.3"), whose names a reStructuredText or MyST file keeps in its text: their
# words, so that "When was it added?" finds the version.
_DIRECTIVE_WORDS = {"versionadded": ["version", "added"], "versionchanged": ["version", "changed"], "versionremoved": ["version", "removed"]}
# A month's abbreviation as dates write it ("Jan–Sep", "3 Jan 2024"): the month,
# as a question names it. Beside no number or month, "Jan" may be a name.
_MONTH_ABBREVIATIONS = {
    "jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june", "jul": "july",
    "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november", "dec": "december",
}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_MONTHS = frozenset(MONTHS)
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
    """Lower-case word tokens; "U.S.", "Gazeta.ru" and "2.3.0" stay one token ("v2.3.0" is
    "2.3.0" too, "v1.2" is "1" and "2" as "1.2" is), and
    a command's one-letter option ("-c") is one too, in its own case ("-C" is
    another); a long option ("--no-compress") is one, followed by its words;
    Sphinx's "versionadded" is "version added"."""
    cased = _OPTION.findall(text)
    text = fold(text).replace("'s ", " ").replace("'s", "")
    out = []
    options = 0
    for w in _TOKEN.findall(text):
        if w.startswith("--"):
            out.append(w)
            out.extend(_TOKEN_WORD.findall(w))
        elif w[0] == "-":
            original = cased[options] if options < len(cased) else ""
            out.append(original if original.lower() == w else w)
            options += 1
        elif (marked := _MARKED_VERSION.fullmatch(w)) is not None:
            version = marked.group(1)
            out.extend([version] if _VERSION.fullmatch(version) else version.split("."))
        elif w in _DIRECTIVE_WORDS:
            out.extend(_DIRECTIVE_WORDS[w])
        elif _VERSION.fullmatch(w):
            out.append(w)  # "2.3.0" (a version, an address) names one thing; its parts match any number
        else:
            out.extend(w.split(".") if not re.fullmatch(r"(?:[a-z]\.)+[a-z]?|[a-z0-9]+\.[a-z]{2,3}", w) else [w.replace(".", "")])
    return _months_spelled(out)


def _months_spelled(tokens: list[str]) -> list[str]:
    """``tokens`` with each month's abbreviation written out where it stands beside a number or a month."""
    if not any(w in _MONTH_ABBREVIATIONS for w in tokens):
        return tokens
    content = [w for w in tokens if w not in STOPWORDS]  # "from Oct to Dec"
    spelled = {}
    for k, w in enumerate(content):
        if w in _MONTH_ABBREVIATIONS:
            beside = content[max(k - 1, 0) : k] + content[k + 1 : k + 2]
            if any(b.isdigit() or b in _MONTH_ABBREVIATIONS or b in _MONTHS for b in beside):
                spelled[k] = _MONTH_ABBREVIATIONS[w]
    if not spelled:
        return tokens
    out, k = [], 0
    for w in tokens:
        if w in STOPWORDS:
            out.append(w)
            continue
        out.append(spelled.get(k, w))
        k += 1
    return out


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """Content terms of ``text``: stop words removed, the rest stemmed."""
    return terms_of(words(text))


def terms_of(word_list: list[str]) -> list[str]:
    """Content terms of the :func:`words` of a text (for a caller that needs both)."""
    return [w if w[0] == "-" else _stem(w) for w in word_list if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def is_english_word(word: str) -> bool:
    """Whether an English dictionary (pyspellchecker's, 160,000 words) holds ``word`` (lower case).

    Spelling correction leaves such a word alone: "lends", "riled" or
    "harmonize" is what the asker meant even where the corpus never uses
    it, and read as the corpus's "lands", "oiled" or "harmonise" the
    question would ask something else. And a word a text file breaks over
    two lines with a hyphen is one word again when the dictionary holds it
    (index.chunking.dehyphenated)."""
    return word in _dictionary()


@functools.lru_cache(maxsize=1)
def _dictionary():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency
