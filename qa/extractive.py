"""The default answerer: the best one to three sentences of the corpus, cited.

Every word of an extractive answer is the corpus's own, so every claim is
attributable. A second or third sentence is added only when it adds something:
question terms the first does not cover, or the same fact from an article of
another date (who heads an agency in 2021 and in 2025). When the cited
articles differ in date, each sentence says which outlet and date it is from.
"""

from __future__ import annotations

import re

from qa.answerer import Answerer, AnswerRequest, register
from qa.config import Settings
from qa.evidence import cite
from qa.question import PERSON
from qa.types import Answer, AnswerSentence, Evidence

ABSTAIN_TEXT = "I could not find that in the articles."
# Candidates must score this close to the best one to join the answer.
JOIN_RATIO = 0.8
# Share of the question's term weight a further sentence must newly cover.
NEW_COVERAGE = 0.2
# A person named in an article of another year joins at this share of the best score.
OTHER_DATE_RATIO = 0.6


class ExtractiveAnswerer(Answerer):
    name = "extractive"

    def answer(self, request: AnswerRequest) -> Answer:
        ev = request.evidence
        reader = request.reader
        if not ev.supported:
            nearest = ev.ranked[:2]
            text = ABSTAIN_TEXT + (" The closest passages I found are listed below." if nearest else "")
            return Answer(
                question=request.question,
                answer=text,
                abstained=True,
                citations=[cite(i + 1, e, reader) for i, e in enumerate(nearest)],
                mode="extractive",
                sentences=[AnswerSentence(text=text, supported=False)],
            )
        chosen = select(ev.ranked, request)
        dates = {reader.meta(e.source).get("date", "")[:4] for e in chosen}
        attribute = len(dates) > 1
        pieces: list[AnswerSentence] = []
        for n, e in enumerate(chosen, start=1):
            body = " ".join(e.text.split())
            if e.kind == "comment":
                body = f"A reader comment says: “{body}”"
            if attribute:
                meta = reader.meta(e.source)
                label = meta.get("publisher", "") or meta.get("title", "") or e.source
                label = label.split(" (")[0]
                body = f"{label} ({meta.get('date', 'undated')}): {body}"
            pieces.append(AnswerSentence(text=with_marker(body, n), citations=(n,)))
        return Answer(
            question=request.question,
            answer=" ".join(p.text for p in pieces),
            abstained=False,
            citations=[cite(n, e, reader) for n, e in enumerate(chosen, start=1)],
            mode="extractive",
            sentences=pieces,
        )


def with_marker(sentence: str, n: int) -> str:
    """Put ``[n]`` where a reader expects it: before the closing full stop."""
    m = re.search(r"([.!?])$", sentence)
    if m and not sentence.endswith("..."):
        return f"{sentence[:-1]} [{n}]{m.group(1)}"
    return f"{sentence} [{n}]"


def select(ranked: list[Evidence], request: AnswerRequest) -> list[Evidence]:
    """The best sentence, plus those that add coverage or another date's view."""
    settings = request.settings
    reader = request.reader
    weights = reader.weights
    q_terms = set(request.query.terms)
    total = sum(weights.idf(t) for t in q_terms) or 1.0
    best = ranked[0]
    chosen = [best]
    covered = q_terms & reader.sentences[reader.sentence_index[best.sentence_id]].terms
    n_words = len(best.text.split())

    def fits(ev: Evidence) -> bool:
        return len(chosen) < settings.answer_sentences and n_words + len(ev.text.split()) <= settings.answer_words

    for ev in ranked[1:]:
        if ev.score < JOIN_RATIO * best.score or len(chosen) >= settings.answer_sentences:
            break
        if ev.kind == "comment" or not fits(ev):
            continue
        ev_terms = reader.sentences[reader.sentence_index[ev.sentence_id]].terms
        if sum(weights.idf(t) for t in (q_terms & ev_terms) - covered) / total < NEW_COVERAGE:
            continue
        chosen.append(ev)
        covered |= q_terms & ev_terms
        n_words += len(ev.text.split())

    if request.query.answer_type == PERSON and not request.query.source_prior:
        # Who holds an office changes over time: when articles of another year
        # name someone for it too, show that answer as well, dated.
        years = {_year(reader, c) for c in chosen}
        for ev in ranked[1:]:
            if ev.score < OTHER_DATE_RATIO * best.score:
                break
            if ev.kind != "comment" and ev.score >= ev.relevance and _year(reader, ev) not in years and fits(ev):
                chosen.append(ev)
                years.add(_year(reader, ev))
                n_words += len(ev.text.split())
    return chosen


def _year(reader, ev: Evidence) -> str:
    return reader.meta(ev.source).get("date", "")[:4]


@register("extractive")
def _factory(settings: Settings) -> Answerer:
    return ExtractiveAnswerer()
