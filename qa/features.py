"""What the answer model sees: named signals for each candidate sentence and question.

Nothing here decides anything. Each candidate sentence gets a row of
:data:`SENTENCE_FEATURES` (how similar it is to the question, how much of the
question's weighted vocabulary it holds, whether it holds something of the
asked-for kind, whether the question names something it lacks, ...), and each
question a row of :data:`QUESTION_FEATURES` built from its best candidates.
The weights that turn rows into probabilities are fitted to labelled questions
(``scripts/train_scorer.py``) and live in ``qa/scorer.json`` (see qa.scorer).

Signals are designed to hold on text the model never saw: they are relative
to the question and the candidate set (shares, gaps to the best candidate),
not absolute counts of one corpus.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from index.chunking import is_markdown, normalize, opens_with_reference
from index.terms import MONTHS
from qa.lexical import bigrams, terms
from qa.question import PERSON, answer_spans, asking_sentence, near_question_words, year_span

SENTENCE_FEATURES = (
    "similarity",  # cosine between question and sentence embeddings
    "similarity_gap",  # similarity minus the best candidate's
    "coverage",  # share of the question's IDF weight the sentence holds (role synonyms at part credit)
    "coverage_gap",  # coverage minus the best candidate's
    "window_coverage",  # coverage of the sentence with its neighbours and its document's title (an answer may refer back, or leave its subject unsaid)
    "phrase",  # share of the question's adjacent term pairs found as phrases
    "missing_weight",  # IDF of the rarest question term the sentence and its neighbours lack, over the question's rarest
    "names_missing",  # share of the question's names and numbers the sentence and its neighbours lack
    "context",  # fused retrieval score of the best chunk holding the sentence, over the top chunk's
    "chunk_rank",  # 1 / (1 + rank) of that chunk; 0 when found outside the retrieved chunks
    "has_type",  # the question asks for a kind of answer (who, when, how many, ...)
    "type_span",  # ... and the sentence holds one the question does not already contain
    "type_near",  # ... right beside the question's words
    "short",  # fewer than four words: "The occasion?" is never an answer alone
    "fragment",  # a headline, title or fragment: names a topic, states nothing (a line of code is none)
    "log_words",  # log of the sentence's length in words
    "comment",  # a reader comment
    "comment_asked",  # a reader comment, and the question asks what readers said
    "related",  # from another article embedded in the page
    "off_source",  # the question points at other articles (by date, outlet or author)
    "date_match",  # the question names a month or year its article is dated
    "neighbour_similarity",  # the higher similarity of the sentences before and after: the answer's paragraph is on topic
    "similarity_rank",  # 1 / (1 + rank) by similarity among the candidates
    "coverage_rank",  # 1 / (1 + rank) by coverage among the candidates
    "missing_terms",  # how many of the question's terms the sentence lacks (log)
    "negation_missing",  # the question negates ("not", "never") and the sentence does not
    "names_missing_here",  # share of the question's names and numbers the sentence itself lacks
    "density",  # the question's terms the sentence holds, over the words they span: a phrase, not scattered words
    "unterminated",  # no closing full stop, question or exclamation mark: a headline or list item, not a statement (nor code)
    "time_conflict",  # the question names a period (year, decade, century) and every year or century the sentence states lies outside it
    "time_fit",  # ... and one of them lies inside it
    "defines",  # the question asks what or who something is, and the sentence opens by saying it ("DECnet is a suite of ...")
    "negates_unasked",  # the sentence negates ("cannot contain your name") and the question does not
)

QUESTION_FEATURES = (
    "top_logit",  # the ranker's logit for the best candidate
    "second_logit",  # ... for the second best
    "top_coverage",  # the best candidate's coverage
    "top_similarity",  # the best candidate's similarity
    "top_missing_weight",  # the best candidate's missing_weight
    "top_names_missing",  # the best candidate's names_missing
    "top_type_span",  # the best candidate holds an answer of the asked-for kind
    "best_coverage",  # the highest coverage among all candidates
    "unknown_terms",  # share of the question's IDF weight in terms the corpus never uses
    "unknown_names",  # the question names something the corpus never mentions
    "has_type",  # the question asks for a kind of answer
    "log_terms",  # log of the question's number of content terms
    "top_neighbour_similarity",  # the best candidate's neighbour_similarity
    "document_missing",  # share of the question's weight the best candidate's whole article lacks
    "top_margin",  # best logit minus the mean of the next four: one clear answer or many half ones
    "top_names_missing_here",  # the best candidate's names_missing_here
    "top_density",  # the best candidate's density
    "top_time_conflict",  # the best candidate's time_conflict
    "negation_unmatched",  # the question negates ("not", "never") and its best candidate does not
    "top3_time_fit",  # the share of the three best candidates that state a time within the one the question names, or whose article is dated then
    "top_date_match",  # the best candidate's article is dated when the question says ("in June 2021"), times the share of the question's other words it and its neighbours hold
)

_ASKS_READERS = re.compile(r"\b(readers?|comments?|commenters?|commenting)\b", re.I)
# Names, numbers and dates in a question: what an unanswerable question swaps.
_SPECIFIC = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'’-]*[A-Za-z]|\b\d[\d,.]*(?:st|nd|rd|th|s)?\b")
_WHY = re.compile(r"\W*(?:(?:and|but|so)\s+)?why\b", re.I)
# A word of its own: "--no-compress" and "no-op" name things, negating nothing.
_NEGATION = re.compile(r"(?<![\w-])(?:not|never|no|none|nor|neither|cannot)(?![\w-])|n't\b", re.I)
# A conditional clause, up to the next comma or the question's end ("when" not
# as the question's own first word).
_CONDITION = re.compile(r"(?:\b(?:if|unless|whenever|in case)|(?<=\s)when)\b[^,?]*", re.I)
_QUESTION_DATE = re.compile(r"\b(" + "|".join(MONTHS) + r")?\s*((?:19|20)\d\d)\b", re.I)
# "What is X?", "Who were the X?": a question for a definition (X of a few words).
_DEFINITION_QUESTION = re.compile(r"(?:what|who)\s+(?:is|are|was|were)\s+(.+?)[\s?.]*$", re.I)
_ARTICLE = re.compile(r"^(?:the|an?)\s+")
# After the subject: up to three words (an abbreviation, a short apposition), then the verb that defines.
_COPULA = re.compile(r"(?:\s+\w+){0,3}?\s+(?:is|are|was|were|refers|stands|means|denotes)\b")
# Periods: a year ("1038"), a decade or a century written as years ("1960s",
# "the 1000's"), or an ordinal century ("10th century", "tenth-century" is not read).
_YEARS = re.compile(r"\b(1\d{3}|20\d{2})(?:['’]?s\b)?")
_CENTURY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)[\s-]+centur", re.I)


@dataclass(frozen=True)
class QuestionSignals:
    """What is computed once per question and shared by its candidates."""

    specifics: tuple[frozenset[str], ...]  # each name or number of the question, as terms
    asks_readers: bool
    dates: tuple[str, ...]  # "2021-06", "2025": months and years the question names
    negated: bool
    periods: tuple[tuple[int, int], ...] = ()  # the years, decades and centuries the question names, as year ranges
    defined: str = ""  # what a "what is X?" question asks about, as normalize() writes it ("decnet")
    date_terms: frozenset[str] = frozenset()  # the terms of those months and years ("june", "2021")


def question_signals(question: str) -> QuestionSignals:
    specifics = []
    for m in _SPECIFIC.finditer(asking_sentence(question)):
        ts = frozenset(terms(m.group(0)))
        if ts:
            specifics.append(ts)
    dates, date_terms = [], set()
    for m in _QUESTION_DATE.finditer(question):
        month, year = m.group(1), m.group(2)
        dates.append(f"{year}-{MONTHS.index(month.lower()) + 1:02d}" if month else year)
        date_terms.update(terms(m.group(0)))
    defined = _DEFINITION_QUESTION.match(question.strip())
    subject = _bare(defined.group(1)) if defined else ""
    return QuestionSignals(
        tuple(specifics),
        bool(_ASKS_READERS.search(question)),
        tuple(dates),
        asks_negated(question),
        periods(question),
        subject if 0 < len(subject.split()) <= 4 else "",
        frozenset(date_terms),
    )


def defines(subject: str, sentence: str, lead: str = "") -> bool:
    """Whether ``sentence`` opens by saying what ``subject`` is: "Telenet was the first ...",
    "The User Datagram Protocol (UDP) is ...", "Rollo, a Viking leader, was ...";
    or is read under ``lead`` that names it (a glossary's "Jitter" over its definition)."""
    if lead and _bare(lead) == subject:
        return True
    text = _bare(sentence)
    if not text.startswith(subject + " "):
        return False
    return bool(_COPULA.match(text[len(subject) :]))


def _bare(text: str) -> str:
    """``text`` as normalize() writes it, without a leading article: "the Normans" -> "normans"."""
    return _ARTICLE.sub("", normalize(text))


# A sentence's periods and negation do not depend on the question, and the
# same sentences are candidates question after question: their regular
# expressions were a third of the time spent on candidates.
@functools.lru_cache(maxsize=8192)
def periods(text: str) -> tuple[tuple[int, int], ...]:
    """The years, decades and centuries ``text`` names, as inclusive year ranges."""
    out = []
    for m in _YEARS.finditer(text):
        out.append(year_span(int(m.group(1)), m.group(0)[-1] == "s"))
    for m in _CENTURY.finditer(text):
        n = int(m.group(1))
        if 1 <= n <= 21:
            out.append(((n - 1) * 100 + 1, n * 100))
    return tuple(out)


def asks_negated(question: str) -> bool:
    """Whether the question asks about something negated ("Who did not sign?"); a
    condition it sets ("..., if I don't give a number?"), or what it says before
    it asks ("cmp no longer has -c. What replaces it?"), asks nothing negated. Nor
    does one with no words of its own: "Why not?" takes up an earlier answer's
    "no", which its answer need not repeat. Nor does one asking why something
    did not happen ("Why didn't the generator start?"): its answer is a cause
    ("the battery had failed"), which need not negate."""
    asked = _CONDITION.sub(" ", asking_sentence(question))
    return _negates(asked) and bool(terms(asked)) and not _WHY.match(asked)


@functools.lru_cache(maxsize=8192)
def _negates(text: str) -> bool:
    return bool(_NEGATION.search(text))


def _time_relation(asked: tuple[tuple[int, int], ...], stated: tuple[tuple[int, int], ...]) -> tuple[float, float]:
    """(conflict, fit) of the periods a sentence states against those a question asks about."""
    if not asked or not stated:
        return 0.0, 0.0
    fits = any(a0 <= s1 and s0 <= a1 for a0, a1 in asked for s0, s1 in stated)
    return (0.0, 1.0) if fits else (1.0, 0.0)


def sentence_rows(
    reader, query, signals: QuestionSignals, rows: list[int], sims: np.ndarray, context: dict[int, float], chunk_rank: dict[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """One row of SENTENCE_FEATURES for each sentence index in ``rows``, and
    each one's date support: for a sentence whose article is dated as the
    question says (``date_match``), the share of the question's other words
    it and its neighbours hold, else 0.

    The support is what the answerability model reads (``top_date_match``):
    asked of news dated 2025, "What share of calls did the contact centre pick
    up in 2025?" was answered at P(answerable) 0.99 on the year alone. The
    ranker keeps the plain match, which tells the dated article's sentences
    from the rest (weighed by coverage there, it ranked SQuAD's no better and
    its unanswerable questions were abstained on less).
    """
    weights = reader.weights
    q_terms = list(dict.fromkeys(query.terms))
    q_set = set(q_terms)
    q_pairs = bigrams(query.terms)
    idfs = {t: weights.idf(t) for t in q_set}
    rarest = max(idfs.values(), default=0.0) or 1.0
    undated_terms = [t for t in q_terms if t not in signals.date_terms]
    out = np.zeros((len(rows), len(SENTENCE_FEATURES)), dtype=np.float64)
    date_support = np.zeros(len(rows), dtype=np.float64)
    acronyms = reader.sentence_store.acronyms
    for r, i in enumerate(rows):
        s = reader.sentences[i]
        prev, nxt = reader.neighbours(i)
        heads = nxt is not None and nxt.section == s.position  # a heading, with its section under it
        if nxt is not None and is_heading(nxt.source, nxt.text, nxt.code):
            nxt = None  # a heading names what follows it, not what it follows
        # A sentence with a lead (a table row under its header, a definition
        # under its term: Sentence.lead) is read with it: its words count too.
        j = reader.lead_row(i)
        lead = reader.sentences[j] if j is not None else None
        own = s.terms | lead.terms if lead is not None else s.terms
        # What its section is about goes without saying under its heading,
        # however far down ("## `os.EOL`" over "{string}" over "The operating
        # system-specific end-of-line marker."); a heading's own words are
        # what it says, not those of the heading it is ranked under.
        k = reader.section_row(i) if not heads else None
        if k is not None:
            own = own | reader.sentences[k].terms
        # An acronym the corpus defines is as good as the words it stands for, and back.
        own = acronyms.read(own)
        around = acronyms.read(own | (prev.terms if prev is not None else frozenset()) | (nxt.terms if nxt is not None else frozenset()))
        # What the whole document is about (a manual's "tidepack", an article's
        # "Normans") goes without saying in each of its sentences.
        around = around | _title_terms(reader.meta(s.source).get("title", ""))
        if q_set:
            coverage = weights.coverage(q_terms, own)
            window = weights.coverage(q_terms, around)
            if prev is not None and opens_with_reference(s.text):
                coverage = max(coverage, window)
            missing = max((idfs[t] for t in q_set if t not in around), default=0.0) / rarest
        else:
            coverage = window = missing = 0.0
        n_specific = len(signals.specifics)
        names_missing = sum(1 for spec in signals.specifics if not spec <= around) / n_specific if n_specific else 0.0
        heading = is_heading(s.source, s.text, s.code)
        spans = answer_spans(query.answer_type, s.shown, query.question) if query.answer_type else []
        if spans and query.answer_type == PERSON and heading and _title_case(s.shown):
            # "Expenses and Travel Policy": a title's capitals name no one, though a byline's do ("Op/Ed by Chris Devonshire-Ellis").
            spans = [(a, b) for a, b in spans if s.shown.startswith("by ", a)]
        # "When was SSH support added?": the item says what, its heading when.
        in_lead = bool(not spans and lead is not None and query.answer_type and answer_spans(query.answer_type, lead.shown, query.question))
        n_words = len(s.shown.split())
        meta_date = reader.meta(s.source).get("date", "")
        row = out[r]
        row[0] = sims[i] if j is None else _read_together(sims, i, j)
        row[2] = coverage
        row[4] = window
        row[5] = len(q_pairs & s.bigrams) / len(q_pairs) if q_pairs else 0.0
        row[6] = missing
        row[7] = names_missing
        row[8] = context.get(i, 0.0)
        row[9] = 1.0 / (1 + chunk_rank[i]) if i in chunk_rank else 0.0
        row[10] = 1.0 if query.answer_type else 0.0
        row[11] = 1.0 if spans or in_lead else 0.0
        row[12] = 1.0 if spans and near_question_words(spans, s.tokens, q_set) else 0.0
        row[13] = 1.0 if n_words < 4 else 0.0
        row[14] = 1.0 if heading or (not s.code and _is_title(reader, s)) else 0.0
        row[15] = math.log(1 + n_words)
        row[16] = 1.0 if s.kind == "comment" else 0.0
        row[17] = 1.0 if s.kind == "comment" and signals.asks_readers else 0.0
        row[18] = 1.0 if s.kind == "related" else 0.0
        row[19] = 1.0 if query.prior(s.source) < 1.0 else 0.0
        if meta_date and any(meta_date.startswith(d) or d.startswith(meta_date) for d in signals.dates):
            row[20] = 1.0
            date_support[r] = weights.coverage(undated_terms, around) if undated_terms else 1.0
        row[21] = max((sims[j] for j in (i - 1, i + 1) if (prev if j < i else nxt) is not None), default=0.0)
        row[24] = math.log(1 + len(q_set - own))
        negates = _negates(s.shown)
        row[25] = 1.0 if signals.negated and not negates else 0.0
        row[26] = sum(1 for spec in signals.specifics if not spec <= own) / n_specific if n_specific else 0.0
        row[27] = _density(s.tokens, q_set)
        row[28] = 0.0 if s.code or _TERMINATED.search(s.shown) else 1.0
        row[29], row[30] = _time_relation(signals.periods, periods(s.shown)) if signals.periods else (0.0, 0.0)
        row[31] = 1.0 if signals.defined and defines(signals.defined, s.shown, lead.shown if lead is not None else "") else 0.0
        row[32] = 1.0 if negates and not signals.negated else 0.0
    if len(rows):
        out[:, 1] = out[:, 0] - out[:, 0].max()
        out[:, 3] = out[:, 2] - out[:, 2].max()
        out[:, 22] = 1.0 / (1.0 + _ranks(out[:, 0]))
        out[:, 23] = 1.0 / (1.0 + _ranks(out[:, 2]))
    return out, date_support


@functools.lru_cache(maxsize=1024)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(terms(title))


def _read_together(sims, i: int, j: int) -> float:
    """The question's cosine to sentences ``i`` and ``j`` read as one: to the mean of their unit vectors."""
    a, b = sims.vectors([i, j])
    return float((sims[i] + sims[j]) / math.sqrt(max(2.0 + 2.0 * float(a @ b), 1e-12)))


def _density(tokens, q_set: set[str]) -> float:
    hits = [k for k, (_, _, ts) in enumerate(tokens) if not ts.isdisjoint(q_set)]
    if not hits:
        return 0.0
    distinct = len(set().union(*(tokens[k][2] & q_set for k in hits)))
    return distinct / (hits[-1] - hits[0] + 1)


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the highest value, 1 for the next, ... (ties share the better rank)."""
    order = np.sort(values)[::-1]
    return np.searchsorted(-order, -values, side="left").astype(np.float64)


def question_row(
    query, unknown_terms: float, features: np.ndarray, logits: np.ndarray, document_missing: float = 0.0, *, date_support: np.ndarray
) -> np.ndarray:
    """The row of QUESTION_FEATURES for a question whose candidates have ``features``,
    ``logits`` and ``date_support`` (see :func:`sentence_rows`)."""
    f = SENTENCE_FEATURES.index
    values: dict[str, float] = {"top_logit": -10.0, "second_logit": -10.0}
    if len(logits):
        order = np.argsort(-logits)
        top = features[order[0]]
        rest = logits[order[1:5]]
        top3 = features[order[:3]]
        values = {
            "top_logit": logits[order[0]],
            "second_logit": logits[order[1]] if len(order) > 1 else logits[order[0]] - 5.0,
            "top_coverage": top[f("coverage")],
            "top_similarity": top[f("similarity")],
            "top_missing_weight": top[f("missing_weight")],
            "top_names_missing": top[f("names_missing")],
            "top_type_span": top[f("type_span")],
            "best_coverage": features[:, f("coverage")].max(),
            "top_neighbour_similarity": top[f("neighbour_similarity")],
            "top_margin": logits[order[0]] - (rest.mean() if len(rest) else logits[order[0]] - 5.0),
            "top_names_missing_here": top[f("names_missing_here")],
            "top_density": top[f("density")],
            "top_time_conflict": top[f("time_conflict")],
            "negation_unmatched": top[f("negation_missing")],
            "top3_time_fit": np.maximum(top3[:, f("time_fit")], top3[:, f("date_match")]).mean(),
            "top_date_match": date_support[order[0]],
        }
    values.update({
        "unknown_terms": unknown_terms,
        "unknown_names": 1.0 if query.unknown_names else 0.0,
        "has_type": 1.0 if query.answer_type else 0.0,
        "log_terms": math.log(1 + len(set(query.terms))),
        "document_missing": document_missing,
    })
    assert set(values) <= set(QUESTION_FEATURES), set(values) - set(QUESTION_FEATURES)
    # (With no candidates, what the candidates would tell is 0.)
    return np.array([values.get(name, 0.0) for name in QUESTION_FEATURES], dtype=np.float64)


_TERMINATED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def is_heading(source: str, text: str, code: bool = False) -> bool:
    """A heading, a title, a caption or a fragment: names a topic, states nothing.
    A line of ``code`` is none of them, whatever it opens with ("# After: ...")."""
    return not code and (_is_fragment(text) or (is_markdown(source) and text.startswith("#")) or _is_caption(text))


# "Table 1: Employees and hours by site, 2024-25", "*Figure 2. Monthly complaints*".
_CAPTION = re.compile(r"[*_]*(?:Table|Figure|Fig\.|Chart|Exhibit)\s+[A-Z]?\d+(?:[.-]\d+)*[a-z]?\s*[:.\u2013\u2014-]\s")


def _is_caption(text: str) -> bool:
    """A table's or a figure's caption: its label and what it shows, no sentence."""
    return bool(_CAPTION.match(text)) and not _TERMINATED.search(text.rstrip("*_ "))


def _is_fragment(text: str) -> bool:
    """A heading or a fragment: a few words with no closing stop, or in title case ("Grant of Copyright License.")."""
    return len(text.split()) <= 6 and (not _TERMINATED.search(text) or _title_case(text))


def _title_case(text: str) -> bool:
    # "PUTIN:" is a speaker, not a title; "Tuesday to Sunday, 10am to 5pm." is
    # capitalised as any sentence naming days or months is.
    long = [w for w in _WORDS.findall(text) if len(w) >= 4 and not w.isupper() and w.lower() not in _CALENDAR]
    return len(long) >= 2 and all(w[0].isupper() for w in long)


_WORDS = re.compile(r"[A-Za-z][\w'’-]*")
_CALENDAR = frozenset(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", *MONTHS))


def _is_title(reader, s) -> bool:
    if s.position > 2:
        return False
    title = reader.meta(s.source).get("title", "")
    return bool(title) and normalize(s.text) in normalize(title)
