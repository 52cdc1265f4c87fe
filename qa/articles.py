"""Questions about an article itself rather than what it says: when it came
out, who wrote it, what it is about.

Searched as questions of the articles, they found whatever sentence was
nearest "article", "published" or "about" wherever it stood. The articles
meant are those the question names by outlet, author or year
(IndexReader.source_prior), else the one its best passage comes from.

* Its date ("When was the RT article published?"), which no sentence of it
  may say, and its author when no byline in the text answers ("Who wrote
  the RT article?"; "Who wrote the op-ed?" is answered by "Op/Ed by Chris
  Devonshire-Ellis", cited): what the collection records of the article.
  Such a reply cites nothing and counts as an abstention, as a reply to a
  greeting does (qa.conversation).
* What it is about ("What is the Behind the Black post about?", "Summarize
  the RT article"): the sentences it opens with, cited, as a news article,
  a report or a page says first what it is about. The collection as a whole
  ("Summarize the articles") is answered with the collection
  (qa.conversation.ABOUT).
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from index.chunking import sentence_words
from index.terms import MONTHS
from qa import followup
from qa.answerer import Answerer, AnswerRequest
from qa.conversation import LISTED, as_reply, collection
from qa.evidence import EvidenceSet, evidence_of
from qa.lexical import terms
from qa.extractive import quoting
from qa.metrics import norm
from qa.question import AUTHOR, has_answer
from qa.retrieve import IndexReader, SentenceRecord
from qa.types import Answer

DATE_ASKED, AUTHOR_ASKED = "date", "author"
LEAD_SENTENCES = 2  # of each article: a news lead is a sentence or two
ARTICLES_SUMMED = 3  # articles named at once ("the 2025 articles"): the first three

# What a question calls an article.
DOCUMENT = r"(?:article|piece|story|post|op-?ed|column|editorial|essay|report|interview|page|blog|feature|press\s+release)s?"
# When it came out: a document and a verb of publishing or "date" ("When was
# the RT piece published?", "What is the date of the op-ed?"); not "When was
# the interview?", which its text may say. Not "post" or "release" as verbs:
# they are documents too ("according to the 2025 post").
_PUBLISHED = r"(?:published|written|posted|released|dated|printed|put\s+out|c[oa]me\s+out|appear(?:ed)?|publish|write)"
# The document ends the request ("Summarize the RT article, please", "What is
# the date of the op-ed?"; not "the treaty's articles on trade", "the date of
# the report's deadline").
_END = r"(?:\s*,?\s+(?:for\s+me|please))?\s*[?.!]*\s*$"
_ARTICLE_DATE = re.compile(
    rf"^\s*(?:and\s+)?when\s+(?:was|were|did|is|had)\b(?=.*\b{DOCUMENT}\b).*\b{_PUBLISHED}\b|"
    rf"\b(?:what|which)\s+(?:(?:is|was)\s+)?(?:the\s+)?(?:publication\s+|release\s+)?(?:date|day|month|year)\b"
    rf"(?:.*\b{DOCUMENT}\b.*\b{_PUBLISHED}\b|\s+(?:of|on)\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}{_END})|"
    rf"\bhow\s+(?:old|recent)\s+is\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}{_END}",
    re.I,
)
# Who wrote it: the document the object of "wrote" ("Who wrote the op-ed arguing
# that ...?"), not a thing an article holds ("Who wrote the letter quoted in the article?").
_ARTICLE_AUTHOR = re.compile(
    r"\bwho\s+(?:wrote|authored|penned|(?:is|was|are|were)\s+the\s+authors?\s+of)\s+(?:the|this|that)\s+"
    rf"(?:(?!(?:in|of|from|by|to|at|mentioned|quoted|cited|named)\b)[\w'’.&-]+\s+){{0,5}}?{DOCUMENT}\b",
    re.I,
)
# What it is about.
_ASKS_SUMMARY = re.compile(
    rf"^\s*(?:please\s+)?(?:summari[sz]e|sum\s+up|recap)\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}{_END}|"
    rf"^\s*(?:give|send|show)\s+(?:me\s+)?(?:a\s+)?(?:short\s+|brief\s+|quick\s+)?(?:summary|overview|recap)\s+of\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}{_END}|"
    rf"^\s*what(?:['’]s|\s+is|\s+was)\s+(?:the\s+)?(?:gist|summary|main\s+point|point)\s+of\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}{_END}|"
    rf"^\s*what(?:['’]s|\s+is|\s+was)\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}\s+(?:about|saying)\s*[?.!]*\s*$|"
    rf"^\s*what\s+(?:does|did)\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}\s+say\s*[?.!]*\s*$",
    re.I,
)
# A sentence of the text, not its title, a byline or a heading: a few words
# at least, ended as a sentence ends, and not a page's stamp of who keeps it
# or when ("Maintained by Aisha Rahman, People & Culture Advisor (ext. 4730).").
_LEAD_WORDS = 8
_ENDED = re.compile(r"[.!?][\"'”’)]*\s*$")
_STAMP = re.compile(r"^\W*(?:by|(?:written|posted|maintained|owned|kept|reviewed|approved)\s+by|last\s+(?:updated|reviewed|edited|modified)|updated|published)\b", re.I)
# How a question asks about an article, as against what names it ("the travel policy page").
_ASKING_TERMS = frozenset(
    terms(
        "article piece story post op-ed column editorial essay report interview page blog feature press release "
        "summary summarize summarise gist point overview recap about say says said published written posted released "
        "dated date wrote author authored give short brief quick old recent come came out appear"
    )
)


def asks_summary(question: str) -> bool:
    """Whether ``question`` asks what an article it names is about."""
    return bool(_ASKS_SUMMARY.search(question))


def lead(reader: IndexReader, source: str, n: int = LEAD_SENTENCES) -> list[SentenceRecord]:
    """The first ``n`` sentences of ``source``'s own text: not its title or a
    sentence of it (which a page may repeat), a byline, a heading, code, a
    comment or a related article's."""
    title = norm(reader.meta(source).get("title", ""))
    rows = reader.sentence_store.document_rows(source)
    out: list[SentenceRecord] = []
    # Read a page of rows at a time: the lead is near the top, an article may be long.
    for start in range(rows.start, rows.stop, 64):
        for s in reader.sentences[start : min(start + 64, rows.stop)]:
            shown = s.shown
            own_text = s.kind == "article" and not s.code and norm(shown) not in title
            if not own_text or len(shown.split()) < _LEAD_WORDS or not _ENDED.search(shown) or _STAMP.match(shown):
                continue
            out.append(s)
            if len(out) == n:
                return out
    return out


def article_asked(question: str) -> str:
    """What of an article ``question`` asks that the collection records: ``DATE_ASKED``
    ("When was the RT article published?"), ``AUTHOR_ASKED`` ("Who wrote the op-ed?"), or ""."""
    if _ARTICLE_DATE.search(question):
        return DATE_ASKED
    return AUTHOR_ASKED if _ARTICLE_AUTHOR.search(question) else ""


def article_records(asked: str, sources: Sequence[str], documents: Mapping[str, Mapping[str, str]]) -> str:
    """The date or author the collection records for each of ``sources``, in a sentence each."""
    said = []
    for source in sources[:LISTED]:
        meta = documents.get(source, {})
        title = meta.get("title", "").strip() or source
        publisher = meta.get("publisher", "").strip()
        date = spoken_date(meta.get("date", "").strip())
        if asked == AUTHOR_ASKED:
            outlet = ", ".join(v for v in (publisher, date) if v)
            label = f"“{title}” ({outlet})" if outlet else f"“{title}”"
            author = meta.get("author", "").strip()
            said.append(f"{label} is by {author}." if author else f"The collection records no author for {label}.")
        else:
            label = f"“{title}” ({publisher})" if publisher else f"“{title}”"
            said.append(f"{label} is dated {date}." if date else f"{label} carries no date.")
    if len(sources) > LISTED:
        said.append(f"And {len(sources) - LISTED} more.")
    return " ".join(said) + " This is what the collection records of the articles, not a sentence of them."


def spoken_date(date: str) -> str:
    """"2021-06-14" as "14 June 2021", "2025-08" as "August 2025"; anything else as written."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", date)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        return date
    year, month, day = m.groups()
    if not month:
        return year
    named = f"{MONTHS[int(month) - 1].capitalize()} {year}"
    return f"{int(day)} {named}" if day else named


# "it", "this", "that" standing for an article a follow-up does not name again.
_THE_ARTICLE = re.compile(r"\b(?:it|this|that)\b(?!\s+(?:article|piece|story|post|op-?ed|report|page)\b)", re.I)


def asked_of_article(question: str, earlier: str = "") -> tuple[bool, str]:
    """Whether ``question`` asks what an article is about (:func:`asks_summary`), and
    what of it the collection records it asks (:func:`article_asked`). A follow-up
    to such an ``earlier`` turn asks it of the same article ("When was it
    published?", "Who wrote it?") or of another it names ("And the Behind the
    Black one?", which asks what the earlier turn asked)."""
    summary, asked = asks_summary(question), article_asked(question)
    if summary or asked or not earlier:
        return summary, asked
    before = asks_summary(earlier), article_asked(earlier)
    if not any(before):
        return False, ""
    read = _THE_ARTICLE.sub("the article", question)
    if read != question and (asks_summary(read) or article_asked(read)):
        return asks_summary(read), article_asked(read)
    return before if followup.asks_again(question) else (False, "")


def byline_answers(evidence: EvidenceSet, question: str) -> bool:
    """Whether the answer to "Who wrote the op-ed?" leads with a byline ("Op/Ed by Chris
    Devonshire-Ellis"), which it then cites; else the collection's record answers it."""
    return evidence.supported and bool(evidence.ranked) and has_answer(AUTHOR, sentence_words(evidence.ranked[0]), question)


def meant(request: AnswerRequest) -> list[str]:
    """The articles a question about an article means: those it names by outlet, author
    or year, else by its title's words ("the travel policy page" for "Expenses and
    Travel Policy"), else those the earlier turn named ("When was it published?"),
    else the one its best passage comes from."""
    reader, ev = request.reader, request.evidence

    def named(turn: str) -> list[str]:
        weights, _ = reader.source_prior(turn)
        return sorted(s for s, w in weights.items() if w == 1.0)

    question = request.query.asked or request.question
    sources = named(question) or titled(question, reader.documents) or (named(request.history[-1]) if request.history else [])
    if not sources and (ev.ranked or ev.passages):
        sources = [(ev.ranked or ev.passages)[0].source]
    return sources


def titled(question: str, documents: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The articles whose titles share the most words with ``question`` (beyond how it
    asks about an article): one alone, or several that share two words or more."""
    asked = set(terms(question)) - _ASKING_TERMS
    shared = {source: len(asked & set(terms(meta.get("title", "")))) for source, meta in documents.items()}
    best = max(shared.values(), default=0)
    found = sorted(s for s, n in shared.items() if n == best)
    return found[:ARTICLES_SUMMED] if best >= 2 or best == 1 and len(found) == 1 else []


class ArticleRecordAnswerer(Answerer):
    """Answers a question for an article's date or author (``asked``) from what the
    collection records; with no article meant (:func:`meant`), with the collection."""

    name = "article record"

    def __init__(self, asked: str) -> None:
        self.asked = asked

    def answer(self, request: AnswerRequest) -> Answer:
        reader = request.reader
        sources = meant(request)
        return as_reply(request.question, article_records(self.asked, sources, reader.documents) if sources else collection(reader.documents))


class LeadAnswerer(Answerer):
    """Answers an :func:`asks_summary` question with the lead of each article it means, cited."""

    name = "lead"

    def answer(self, request: AnswerRequest) -> Answer:
        reader = request.reader
        sources = meant(request)[:ARTICLES_SUMMED]
        chosen = [evidence_of(s, score=1.0) for source in sources for s in lead(reader, source)]
        if not chosen:
            return as_reply(request.question, "I could not find an article that the question names.")
        # Each article's first sentence says which article it is, and its date where it has one ("(undated)" adds nothing).
        firsts = [n == 0 or chosen[n - 1].source != e.source for n, e in enumerate(chosen)]
        return quoting(request.question, chosen, reader, attributed=firsts, undated="")
