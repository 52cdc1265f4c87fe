"""The default answerer: the best one to three sentences of the corpus, cited.

Every word of an extractive answer is the corpus's own, so every claim is
attributable. A second or third sentence is added only when it is nearly as
likely as the first (or, while the answer is short, less so), or, for a
"who" question, when it names another holder of the same role in an article
of another date (who heads an agency in 2021 and in 2025). When the cited
articles differ in date, each sentence says which outlet and date it is
from; a table row comes with its table's header row, a list item with the
heading it hangs from, an FAQ's question with its answer, and a short
sentence that refers back ("It was admitted ...") after the one it refers
to, and a sentence without the kind of answer asked for (a date, a version)
under the heading over it that holds one ("## v2.14.0 (2026-10-08)"). The
thresholds are qa.scorer.Composition's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from index.chunking import is_markdown, is_table_row, opens_with_reference, sentence_words
from index.sentences import ends_with_abbreviation
from qa import compound
from qa.answerer import Answerer, AnswerRequest, register
from qa.config import Settings
from qa.evidence import attribution, cite, shown_beside, with_leads
from qa.features import is_heading
from qa.question import DATE, PERSON, VERSION, answer_spans, asks_role
from qa.types import Answer, AnswerSentence, Evidence

ABSTAIN_TEXT = "I could not find that in the articles."
# An FAQ written "Q: ... A: ...": the question may be a statement ("Q: The default build is too big.").
_FAQ_QUESTION = re.compile(r"(?:Q|Question)\s*[:.)]\s", re.I)
_FAQ_ANSWER = re.compile(r"(?:A|Answer)\s*[:.)]\s", re.I)
_FAQ_RUN_ON = 2  # sentences a "Q:" question may run on over before its "A:"
# A sentence cut off before what it introduces, no colon written: "If "make test"
# produces something like", then a line of output, then "check that ...". (It
# ends in the word, so no stop closes it.)
_CUT_BEFORE = re.compile(
    r"(?:^|\s)(?:like|as|follows|following|below|the|a|an|of|to|with|by|for|from|in|into|on|at|and|or|than|is|are|was|were|be|this|these)$",
    re.I,
)
# A sentence names a role's holder only if it holds all of the role's words (synonyms at part credit).
FULL_COVERAGE = 0.79


class ExtractiveAnswerer(Answerer):
    name = "extractive"

    def answer(self, request: AnswerRequest) -> Answer:
        if request.parts:
            return compound.join(request.question, [p.question for p in request.parts], [(p.by or self).answer(p) for p in request.parts])
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
        return quoting(request.question, chosen, reader, attributed=[len(dates) > 1] * len(chosen))


def quoting(question: str, chosen: Sequence[Evidence], reader, attributed: Sequence[bool], undated: str = "undated") -> Answer:
    """The answer that says each of ``chosen`` in turn as a reader sees it, marked
    with its citation; one ``attributed`` opens with its outlet and date (``undated``
    where it has none, see qa.evidence.attribution)."""
    pieces: list[AnswerSentence] = []
    for n, (e, attribute) in enumerate(zip(chosen, attributed), start=1):
        body = without_note_marks(sentence_words(e))
        if e.kind == "comment":
            body = f"A reader comment says: “{body}”"
        if attribute:
            meta = reader.meta(e.source)
            body = attribution(meta.get("publisher", ""), meta.get("title", ""), e.source, meta.get("date", ""), undated) + body
        pieces.append(AnswerSentence(text=with_marker(body, n, e.code), citations=(n,)))
    return Answer(
        question=question,
        answer=" ".join(p.text for p in pieces),
        abstained=False,
        citations=[cite(n, e, reader) for n, e in enumerate(chosen, start=1)],
        mode="extractive",
        sentences=pieces,
    )


# A plain-text note's mark ("(LTI) [2], compared ...", "to this day.[3]") and
# a note's own label ("[2] A lost-time injury is ..."): in an answer they would
# read as its citations' markers. Not an index or a list in code ("argv[1]",
# "x = [1]", "f([1], 2)").
_NOTE_MARK = re.compile(r"(?<=[.,;:!?)\"'”’])\[\d{1,3}\]|(?<=[\w)])\s\[\d{1,3}\](?=[\s.,;:!?)\]]|$)|^\[\d{1,3}\]\s+")


def without_note_marks(sentence: str) -> str:
    """``sentence`` without its notes' marks, which an answer's own ``[n]`` markers would be mistaken for."""
    return _NOTE_MARK.sub("", sentence) if "[" in sentence else sentence


def with_marker(sentence: str, n: int, code: bool = False) -> str:
    """Put ``[n]`` where a reader expects it: before the closing full stop, but
    after a line of ``code``, whose last character is its own ("docker build -t app .")."""
    m = re.search(r"([.!?])$", sentence)
    if m and not code and not sentence.endswith("...") and not ends_with_abbreviation(sentence):
        return f"{sentence[:-1].rstrip()} [{n}]{m.group(1)}"
    return f"{sentence} [{n}]"


def select(ranked: list[Evidence], request: AnswerRequest) -> list[Evidence]:
    """The best sentence, plus those that add coverage or another date's holder of the role asked about."""
    settings = request.settings
    comp = request.scorer.composition
    reader = request.reader
    weights = reader.weights
    q_terms = set(request.query.terms)
    total = sum(weights.idf(t) for t in q_terms) or 1.0
    best = ranked[0]
    chosen = [best]
    covered = q_terms & _record(reader, best).terms
    n_words = len(best.text.split())
    header, record_words = _record_key(ranked, reader, q_terms)

    def fits(ev: Evidence) -> bool:
        return len(chosen) < settings.answer_sentences and n_words + len(ev.text.split()) <= settings.answer_words

    def another_record(ev: Evidence) -> bool:
        return (
            record_words is not None
            and is_table_row(ev.source, ev.text)
            and reader.lead_row(reader.sentences.row_of(ev.sentence_id)) == header
            and not record_words <= _record(reader, ev).terms
        )

    for ev in ranked[1:]:
        if ev.score < min(comp.join_ratio, comp.short_join_ratio) * best.score or len(chosen) >= settings.answer_sentences:
            break
        if ev.kind == "comment" or not fits(ev) or another_record(ev):
            continue
        if ev.score < comp.join_ratio * best.score and (ev.source != best.source or n_words + len(ev.text.split()) > comp.short_answer_words):
            continue  # less likely: only from the same article, while the answer is short
        ev_terms = _record(reader, ev).terms
        if sum(weights.idf(t) for t in (q_terms & ev_terms) - covered) / total < comp.new_coverage:
            continue
        chosen.append(ev)
        covered |= q_terms & ev_terms
        n_words += len(ev.text.split())

    holders = _role_holders(reader, best, request)
    if holders and not request.query.source_prior:
        # Who holds an office changes over time: when an article of another
        # date names someone else in the same role, that answer is shown too, dated.
        years = {_year(reader, c) for c in chosen}
        for ev in ranked[1:]:
            if ev.score < comp.other_date_ratio * best.score:
                break
            # A second holder is the answer's other half: it may run past the word budget.
            if ev.kind == "comment" or _year(reader, ev) in years or len(chosen) >= settings.answer_sentences:
                continue
            others = _role_holders(reader, ev, request)
            if others and not others & holders:
                chosen.append(ev)
                years.add(_year(reader, ev))
                holders |= others
                n_words += len(ev.text.split())
    chosen = _with_what_leads_on(chosen, reader, comp, settings.answer_words - n_words)
    def words_left() -> int:
        return settings.answer_words - sum(len(ev.text.split()) for ev in chosen)

    lacks = _lacks_asked_kind(best, request)
    chosen = _with_antecedent(chosen, reader, comp, words_left(), lacks)
    if request.query.answer_type in _KINDS_A_HEADING_GIVES and (lacks or opens_with_reference(best.text)):
        chosen = _with_heading_holding_it(chosen, best, request, words_left())
    return with_leads(_code_in_order(chosen, reader), reader)


def _record_key(ranked: list[Evidence], reader, q_terms: set[str]) -> tuple[int | None, frozenset[str] | None]:
    """The header row of the best one's table, and the words that pick its record.

    Rows of one table are records each: one that lacks a word of the question
    that picked the best-ranked row beyond what their header says ("Woolf" of
    "What year was the Woolf compound engine installed?"; "late" or "Monday"
    of "Who works the late shift on Monday?") is another record, not more of
    the answer; so when the header itself ranks first. (Not so the sentences
    under one term: a definition's "The default level is 4." goes on with its
    first.) (None, None) when the best one is no table's or its words pick none.
    (The rarest of them alone let a rota's "Tuesday | Late | Dev Patel" join
    "Monday | Late | Ben Ortiz", "late" being the rarer word there.)
    """
    best = ranked[0]
    if not is_table_row(best.source, best.text):
        return None, None
    best_row = reader.sentences.row_of(best.sentence_id)
    header = reader.lead_row(best_row)
    if header is None:
        header = best_row  # the header ranked first: the rows it leads are the records
    row = next(
        (ev for ev in ranked if is_table_row(ev.source, ev.text) and reader.lead_row(reader.sentences.row_of(ev.sentence_id)) == header),
        None,
    )
    if row is None:
        return None, None
    picked = (q_terms & _record(reader, row).terms) - reader.sentences[header].terms
    return header, (frozenset(picked) or None)


def _code_in_order(chosen: list[Evidence], reader) -> list[Evidence]:
    """Lines of code that stand one after another in their document are shown
    in that order, where the first of them was chosen: "[agent]", then
    "interval = 300", as the file sets them, whichever ranked higher."""
    rows = {reader.sentences.row_of(ev.sentence_id): ev for ev in chosen if ev.code}
    if len(rows) < 2:
        return chosen
    row_of = {ev.sentence_id: row for row, ev in rows.items()}
    out: list[Evidence] = []
    placed: set[str] = set()
    for ev in chosen:
        if ev.sentence_id in placed:
            continue
        if not ev.code:
            out.append(ev)
            placed.add(ev.sentence_id)
            continue
        first = last = row_of[ev.sentence_id]
        while first - 1 in rows and rows[first - 1].source == ev.source:
            first -= 1
        while last + 1 in rows and rows[last + 1].source == ev.source:
            last += 1
        for row in range(first, last + 1):
            out.append(rows[row])
            placed.add(rows[row].sentence_id)
    return out


# What a heading says of everything under it, as release notes', minutes' and a
# log's headings do ("## 2.14.0", "## 12 March 2024"); and a page's title, when
# the page is one release's notes ("Git 2.35 Release Notes"). A title's date is
# mostly when the page was written ("Capacity Study 2025"), not when what it
# tells of happened.
_KINDS_A_HEADING_GIVES = frozenset({DATE, VERSION})
_KINDS_A_TITLE_GIVES = frozenset({VERSION})
# A version after one of these is another release than the one the text under
# it is about: "Fixes since v2.38", "Changes since Git 2.34", "Backups fail
# after upgrading to 3.2.0", "Migrating from 1.x".
_ANOTHER_RELEASE = re.compile(r"\b(?:since|to|from|after|before|until)\s+(?:[\w.-]+\s+)?$", re.I)


def _with_heading_holding_it(chosen: list[Evidence], best: Evidence, request: AnswerRequest, words_left: int) -> list[Evidence]:
    """``chosen`` with the heading over the best sentence that holds the kind of
    answer asked for, when the sentence does not or may mean it by a word that
    refers back: "This release drops support for Python 3.9." says which
    release only under "## v2.14.0 (2026-10-08)", and "Fixed the crash on
    resume." when only under "## 3.1 (March 2024)".
    The nearest such heading, however many ranks up, shown first; the page's
    title last of all, for a version its headings do not name."""
    reader = request.reader
    shown = {ev.sentence_id for ev in chosen}
    kind, question = request.query.answer_type, request.query.question
    for up, is_title in _headings_over(reader, reader.sentences.row_of(best.sentence_id), reader.meta(best.source).get("title", "")):
        heading = reader.sentences[up]
        if heading.id in shown or (is_title and kind not in _KINDS_A_TITLE_GIVES):
            return chosen
        text = heading.shown
        if any(not _ANOTHER_RELEASE.search(text[:a]) for a, _ in answer_spans(kind, text, question)):
            if len(heading.text.split()) > words_left:
                return chosen
            return [shown_beside(best, heading), *chosen]
    return chosen


def _headings_over(reader, row: int, title: str) -> Iterator[tuple[int, bool]]:
    """The rows of the headings sentence ``row`` stands under, nearest first,
    then the document's title if it is a sentence of it; each with whether it is the title."""
    up = reader.section_row(row)
    while up is not None:  # (a section's heading always comes before what stands in it)
        if reader.sentences[up].shown.strip() == title:
            break  # the title, however many ranks up, comes last
        yield up, False
        up = reader.section_row(up)
    first = row - reader.sentences[row].position  # (a document's sentences are consecutive rows)
    if title and first != row and reader.sentences[first].shown.strip() == title:
        yield first, True


def _lacks_asked_kind(ev: Evidence, request: AnswerRequest) -> bool:
    """The question asks for a kind of answer (a person, a date, ...) and ``ev`` holds none."""
    kind = request.query.answer_type
    return bool(kind) and not answer_spans(kind, _record(request.reader, ev).shown, request.query.question)


_OPENS_WITH_PRONOUN = re.compile(r"\W*(?:he|she|it|they|this|these|those|such)\b", re.I)


def _with_antecedent(chosen: list[Evidence], reader, comp, words_left: int, lacks_answer: bool = False) -> list[Evidence]:
    """The best sentence after the one before it, when it opens by referring back to it and is short or lacks the answer.

    "It was admitted as the 49th state on January 3, 1959." does not say what
    was; the sentence before does. Up to ``comp.antecedent_words`` words: a
    longer sentence mostly says enough itself, and answers stay short. Longer
    when the question asks for a kind the sentence does not hold ("Who made
    Ralph earl?" and "He appointed ... and made Ralph the Timid earl of
    Hereford."): the one it refers to is the answer. The heading it stands
    under only when it opens with the word pointing there ("They ..." under
    "Dogs").
    """
    best = chosen[0]
    if not opens_with_reference(best.text) or (len(best.text.split()) > comp.antecedent_words and not lacks_answer):
        return chosen
    row = reader.sentences.row_of(best.sentence_id)
    previous, _ = reader.neighbours(row)
    if previous is None or reader.lead_row(row) is not None or previous.kind != best.kind:  # (a lead is shown already)
        return chosen
    if reader.sentences[row].section == previous.position and not _OPENS_WITH_PRONOUN.match(best.text):
        # The heading it stands under says what it is about, and its words count for it already: it
        # is what "They" under "## Bicycles" refers to, not what "its" in "The service writes its log" does.
        return chosen
    joined = next((ev for ev in chosen if ev.sentence_id == previous.id), None)
    if joined is not None:  # in the answer already, after it: put it first
        return [joined, *(ev for ev in chosen if ev is not joined)]
    if len(previous.text.split()) > words_left:
        return chosen
    return [shown_beside(best, previous), *chosen]


def _with_what_leads_on(chosen: list[Evidence], reader, comp, words_left: int) -> list[Evidence]:
    """Each chosen sentence that introduces what follows it, followed by that.

    "Provides the platform-specific path delimiter:" says nothing until the
    list or quotation after it, nor does a sentence cut off by it ("If "make
    test" produces something like", a line of output, "check that you don't
    have old files ..."), and an FAQ's "How do I reset my password?"
    nothing until its answer, nor a heading until its section: up to
    ``comp.colon_followers`` (after a colon), ``comp.question_followers``
    (after a question, stopping at the next question or heading) or
    ``comp.heading_followers`` of the sentences that follow it in its article join
    it, as far as the answer's word budget allows, and never from the next
    section: "Or, to include the optional HTTP/2 support, use:", its command,
    and not "## Documentation" after them. An FAQ's "Q: ..." is a
    question even when it states ("Q: The default build is too big."), and
    what it says before its "A: ..." comes with it.
    """
    ids = {ev.sentence_id for ev in chosen}
    out: list[Evidence] = []
    for ev in chosen:
        shown = sentence_words(ev)
        row = reader.sentences.row_of(ev.sentence_id)
        # "Q: ..." may run on over sentences of its own ("How can I ...?") to its "A: ...",
        # and the one chosen may be one of those ("On a system with 256 MiB of RAM, xz ...").
        in_question = _FAQ_RUN_ON if _FAQ_QUESTION.match(shown) else _faq_question_left(reader, row)
        question_left = in_question or 0
        asks = shown.endswith("?") or in_question is not None
        introduces = shown.endswith(":") or bool(_CUT_BEFORE.search(shown))
        _, after = reader.neighbours(row)
        # A heading says nothing until its section does ("When you hit a limit"): its first sentence comes with it.
        heads = after is not None and after.section == reader.sentences[row].position
        introduced = next((k for k, o in enumerate(out) if after is not None and o.sentence_id == after.id), None)
        if (introduces or asks) and introduced is not None:
            # What it introduces or asks is in the answer before it ("Build the image:", then the command): it goes first.
            out.insert(introduced, ev)
            at = introduced + 1
        else:
            out.append(ev)
            at = len(out)  # where what follows it goes
        limit = comp.colon_followers if introduces else comp.question_followers if asks else comp.heading_followers if heads else 0
        # What it introduces lies in its own section (or under it, when it is the heading): never past the next heading.
        own = reader.sentences[row] if limit > 0 else None
        sections = {own.section, own.position} if own is not None else set()
        while limit > 0:
            _, nxt = reader.neighbours(row)
            if nxt is not None and at < len(out) and out[at].sentence_id == nxt.id:
                at, row, limit = at + 1, row + 1, limit - 1  # in the answer already, just after it: on past it
                continue
            if nxt is None or nxt.id in ids or nxt.kind != ev.kind or len(nxt.text.split()) > words_left:
                break
            if nxt.section not in sections or _opens_section(reader, row + 1):
                break
            nxt_shown = sentence_words(nxt)
            if asks and (_FAQ_QUESTION.match(nxt_shown) or is_heading(nxt.source, nxt.text, nxt.code)):
                break  # the next entry
            if question_left and not _FAQ_ANSWER.match(nxt_shown):
                question_left -= 1  # still the question: shown, not counted as its answer
            else:
                question_left = 0
                if asks and nxt_shown.endswith("?"):
                    break  # the next entry, not this one's answer
                limit -= 1
            out.insert(at, shown_beside(ev, nxt))
            at += 1
            ids.add(nxt.id)
            words_left -= len(nxt.text.split())
            row += 1
    return out


def _faq_question_left(reader, row: int) -> int | None:
    """How many more sentences the "Q: ..." question that the sentence at ``row``
    runs on from may take before its "A: ...", or None when it runs on from none."""
    s = reader.sentences[row]
    for back in range(1, _FAQ_RUN_ON + 1):
        if row - back < 0:
            return None
        before = reader.sentences[row - back]
        if before.source != s.source or before.kind != s.kind:
            return None
        shown = sentence_words(before)
        if _FAQ_ANSWER.match(shown) or is_heading(before.source, before.text, before.code):
            return None
        if _FAQ_QUESTION.match(shown):
            return _FAQ_RUN_ON - back
    return None


def _opens_section(reader, row: int) -> bool:
    """Whether the sentence at ``row`` is a heading: Markdown's "#", or the one after it stands in its section."""
    s = reader.sentences[row]
    if is_markdown(s.source) and s.text.startswith("#") and not s.code:
        return True
    _, after = reader.neighbours(row)
    return after is not None and after.section == s.position


def _record(reader, ev: Evidence):
    return reader.sentence(ev.sentence_id)


def _role_holders(reader, ev: Evidence, request: AnswerRequest) -> set[str]:
    """The people ``ev`` names in a sentence that holds every word of the role a "who" question asks about
    (none when it asks about no office: "Who talked to Rogozin?")."""
    query = request.query
    if query.answer_type != PERSON or ev.coverage < FULL_COVERAGE or not asks_role(query.asked or query.question):
        return set()
    s = _record(reader, ev)
    return {s.shown[a:b].split()[-1] for a, b in answer_spans(PERSON, s.shown, query.question)}


def _year(reader, ev: Evidence) -> str:
    return reader.meta(ev.source).get("date", "")[:4]


@register("extractive")
def _factory(settings: Settings) -> Answerer:
    return ExtractiveAnswerer()
