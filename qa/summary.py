"""What an article is about, for a question that names one ("What is the RT
article about?", "Summarize the Behind the Black post"): the sentences it
opens with, cited.

A news article, a report or a page says what it is about first. Searched,
such a question found the sentences nearest "article" and "about" wherever
they stood. The articles meant are those the question names by outlet,
author or year (IndexReader.source_prior), else the one its best passage
comes from, as for a question about an article's date (qa.conversation). A
question about the whole collection ("Summarize the articles") is answered
with the collection (qa.conversation.ABOUT).
"""

from __future__ import annotations

import re

from qa.answerer import Answerer, AnswerRequest
from qa.conversation import DOCUMENT
from qa.evidence import attribution, cite
from qa.extractive import with_marker, without_note_marks
from qa.metrics import norm
from qa.retrieve import IndexReader, SentenceRecord
from qa.types import Answer, AnswerSentence, Evidence

LEAD_SENTENCES = 2  # of each article: a news lead is a sentence or two
ARTICLES_SUMMED = 3  # articles named at once ("the 2025 articles"): the first three
# A sentence of the text, not its title, a byline or a heading: a few words
# at least, ended as a sentence ends.
_LEAD_WORDS = 8
_ENDED = re.compile(r"[.!?][\"'”’)]*\s*$")
# The document ends the request ("Summarize the RT article, please"), not "the treaty's articles on trade".
_END = r"(?:\s*,?\s+(?:for\s+me|please))?\s*[?.!]*\s*$"
_ASKS_SUMMARY = re.compile(
    rf"^\s*(?:please\s+)?(?:summari[sz]e|sum\s+up|recap)\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}{_END}|"
    rf"^\s*(?:give|send|show)\s+(?:me\s+)?(?:a\s+)?(?:short\s+|brief\s+|quick\s+)?(?:summary|overview|recap)\s+of\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}{_END}|"
    rf"^\s*what(?:['’]s|\s+is|\s+was)\s+(?:the\s+)?(?:gist|summary|main\s+point|point)\s+of\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}{_END}|"
    rf"^\s*what(?:['’]s|\s+is|\s+was)\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}\s+(?:about|saying)\s*[?.!]*\s*$|"
    rf"^\s*what\s+(?:does|did)\s+(?:the|this|that)\s+(?:.*\s)?{DOCUMENT}\s+say\s*[?.!]*\s*$",
    re.I,
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
            if s.kind != "article" or s.code or norm(shown) in title or len(shown.split()) < _LEAD_WORDS or not _ENDED.search(shown):
                continue
            out.append(s)
            if len(out) == n:
                return out
    return out


class LeadAnswerer(Answerer):
    """Answers an :func:`asks_summary` question with the lead of each article it means, cited."""

    name = "lead"

    def answer(self, request: AnswerRequest) -> Answer:
        reader = request.reader
        weights, _ = reader.source_prior(request.query.asked or request.question)
        sources = sorted(s for s, w in weights.items() if w == 1.0)[:ARTICLES_SUMMED]
        if not sources and request.evidence.ranked:
            sources = [request.evidence.ranked[0].source]
        records = [s for source in sources for s in lead(reader, source)]
        chosen = [_evidence(s) for s in records]
        if not chosen:
            text = "I could not find an article that the question names."
            return Answer(question=request.question, answer=text, abstained=True, mode="extractive", sentences=[AnswerSentence(text=text, supported=False)])
        pieces = []
        for n, (e, record) in enumerate(zip(chosen, records), start=1):
            meta = reader.meta(e.source)
            body = without_note_marks(record.shown)
            # Each sentence says which article it opens, as an answer from articles of different dates does.
            if n == 1 or chosen[n - 2].source != e.source:
                body = attribution(meta.get("publisher", ""), meta.get("title", ""), e.source, meta.get("date", "")) + body
            pieces.append(AnswerSentence(text=with_marker(body, n, e.code), citations=(n,)))
        return Answer(
            question=request.question,
            answer=" ".join(p.text for p in pieces),
            abstained=False,
            citations=[cite(n, e, reader) for n, e in enumerate(chosen, start=1)],
            mode="extractive",
            sentences=pieces,
        )


def _evidence(s: SentenceRecord) -> Evidence:
    return Evidence(
        sentence_id=s.id, source=s.source, start=s.start, end=s.end, text=s.text, kind=s.kind, heading=s.heading,
        score=1.0, coverage=0.0, similarity=0.0, position=s.position, code=s.code, shown_row=s.shown_row,
    )
