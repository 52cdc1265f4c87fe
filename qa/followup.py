"""Follow-up questions: bring in what the earlier turns were about.

Without an LLM to rewrite the question, a follow-up ("Why did he visit?")
is answered by searching with the question plus the most recent earlier
turn, when the question leans on it (a pronoun, "that", or too few words of
its own). A personal pronoun is replaced by the person it points at
(:func:`resolve`): the one the earlier turn asked about ("Who is Sergey
Krikalev?"), or else the one the engine's answer to it named ("Who was the
NASA Administrator?" then "What did he tell Rogozin?"); and "it" by the
thing the earlier turn asked what it is ("What is uvicorn?" then "Which
protocols does it support?", :func:`resolve_thing`), or else the thing the
answer to a "which" question named ("Which room has a hearing loop?" then
"How many people does it seat?"); and a closing "there" by the place the
answer to a "where" question named ("Where is loan equipment kept?" then
"What are the opening hours there?", :func:`resolve_place`); "that room" or
"that profile" by the place or thing such an answer named
(:func:`resolve_demonstrative`). An elliptical follow-up that says again
something the earlier turn said ("And on nightly?" after "How do I install
rustfmt on the stable toolchain?") is that question restated
(:func:`restate`) and answered as a question of its own. The earlier turn's
words steer the search and the similarity it ranks by; coverage reads the
question's own, and the earlier turn's too when the question asks that turn
again (:func:`asks_again`: "Why not?", "What about the Russian side?"). (A
ranking signal for how much of the earlier turn a sentence holds was tried:
fitted on the few follow-ups there are labels for, it came out negative and
cost "And what was its high?" its answer.)
"""

from __future__ import annotations

import re
from typing import Sequence

from qa.lexical import STOPWORDS, terms, words
from qa.question import ASKING_WORD, AUXILIARY, ENTITY, PERSON, Token, answer_spans, asking_sentence, bare_name, is_title, names_given, near_question_words, question_words_near

# Words that point back at an earlier turn. "that" only where it cannot be
# a relative pronoun or a conjunction ("the file that configures ...", "said
# that ..."): last or before the last word, or after an auxiliary or a
# preposition ("Do I need a login for that?", "Who signs that form?", "When
# did that happen?", "in that year"); "there" only last ("Who lives
# there?", not "Is there a limit?").
ANAPHORA = frozenset("he him his she her hers they them their theirs it its this these those such".split())
_POINTING_THAT = re.compile(
    r"\b(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|about|after|before|since|for|from|"
    r"with|without|of|in|on|at|by|to|like|than|under|over|during)\s+that\b|\b(?:that|there)\s*[?.!]*\s*$|\bthat\s+[a-z]+\s*[?.!]*\s*$",
    re.I,
)
# A time the earlier turn set: "What was his job back then?", "Who else was
# there at the time?", "... by then?". The turn's words say which time.
_POINTING_TIME = re.compile(
    r"\b(?:back|by|since|until|till)\s+then\b|\bat\s+(?:the|that)\s+(?:time|point|stage|moment)\b(?!\s+of\b)|\bthen\s*[?.!]*\s*$",
    re.I,
)
MAX_TURNS = 2


def needs_context(question: str) -> bool:
    """Whether the question leans on the earlier turns: it points back at them
    ("Why did he ...?", "this flag", "... for that?", "... back then?"), has no words of its own ("Why?"), or
    goes on from them ("And Russia?", "What about Soyuz?"). A question that
    names what it asks about ("What is rustdoc?") stands alone, whatever was
    asked before."""
    ws = words(question)
    return (
        any(w in ANAPHORA for w in ws)
        or bool(_POINTING_THAT.search(question))
        or bool(_POINTING_TIME.search(question))
        or not terms(question)
        or ws[:1] in (["and"], ["also"])
        or ws[:2] in (["what", "about"], ["how", "about"])
    )


def search_text(question: str, history: Sequence[str]) -> tuple[str, list[str]]:
    """The text to retrieve with, and the context terms taken from history."""
    recent = [h for h in history if h and h.strip()][-MAX_TURNS:]
    if not recent or not needs_context(question):
        return question, []
    context_terms = [t for h in recent for t in terms(h)]
    own = set(terms(question))
    return " ".join(recent + [question]), [t for t in dict.fromkeys(context_terms) if t not in own]


# "What about the Russian side?", "And in 1998?": the earlier question asked
# again of something else. Not a question of its own that opens with "and"
# ("And what did he say?").
_ASKED_AGAIN = re.compile(
    rf"^\s*(?:(?:and|but|so)\s+)?(?:what|how)\s+about\b|^\s*and\s+(?!{ASKING_WORD}\b)[^?]*\??\s*$",
    re.I,
)


# "And on nightly?", "What about in 2025?": what the earlier question said with
# the preposition, said again of something else.
_PREPOSITIONS = (
    "in|on|for|at|from|during|by|with|without|under|over|before|after|since|until|to|into|between|within|across|inside|outside|near"
)
_PREPOSITION_WORDS = frozenset(_PREPOSITIONS.split("|"))
_OPENING = re.compile(r"^\s*(?:(?:and|but|so)\s+)?(?:(?:what|how)\s+about|and)\s+", re.I)
_PHRASE = re.compile(rf"\b({_PREPOSITIONS})\s+(?:(?!\b(?:{_PREPOSITIONS})\b)[^,;?])+", re.I)
# A year, with its month if it has one: "June 2021" is replaced as a whole.
_YEAR = re.compile(r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?(?:1\d{3}|20\d{2})\b", re.I)
# A people's or a language's name ("Russians", "Chinese", "British"): asked of one, then of another.
_NATIONALITY = re.compile(r"\b[A-Z][a-z]+(?:ians?|ans?|ese|ish)\b")


def restate(question: str, earlier: str) -> str:
    """The earlier question asked again of what ``question`` names instead, or "".

    "And on nightly?" after "How do I install rustfmt on the stable
    toolchain?" asks "How do I install rustfmt on nightly?"; "And in 2025?"
    after "Who was the NASA Administrator in June 2021?" asks it of 2025;
    "What about Nelson?" after "What did Rogozin say about sanctions?" asks
    what Nelson said; "And Americans?" after "How many Russians were
    aboard?" asks how many Americans; "And pyenv shell?" after "Where does
    pyenv local store the version?" asks it of pyenv shell. What it replaces
    is what the earlier question says the same way: with the same
    preposition (the phrase with a year, if the follow-up gives one), a
    year, a people's name, the one name the earlier question gives, or the
    one phrase of as many words that opens with the same word. When none is, "" (the follow-up is
    answered with the earlier turn as context, as any other).
    """
    if not _ASKED_AGAIN.match(question) or not earlier.strip():
        return ""
    new = _OPENING.sub("", question, count=1).strip().rstrip("?.! ").strip()
    asked = asking_sentence(earlier).strip()
    body, end = asked.rstrip("?.! "), asked[len(asked.rstrip("?.! ")) :] or "?"
    said_anew = words(new)
    if not said_anew or not body:
        return ""  # "And -?"
    if said_anew[0] in _PREPOSITION_WORDS:
        same = [m for m in _PHRASE.finditer(body) if m.group(1).lower() == said_anew[0]]
        if _YEAR.search(new):
            same = [m for m in same if _YEAR.search(m.group(0))] or same
        old = same[-1] if same else None
        if old is None:
            return ""
        stop = old.start() + len(old.group(0).rstrip())
        return body[: old.start()] + new + body[stop:] + end
    for kind in (_YEAR, _NATIONALITY):
        said, given = kind.findall(body), kind.fullmatch(new)
        if given and len(said) == 1:
            return kind.sub(new, body, count=1) + end
    said = _names_after_first(body)
    if len(said) == 1 and _CAPITALISED_RUN.fullmatch(_THE.sub("", new, count=1)):
        start, stop = said[0]
        return body[:start] + new + body[stop:] + end
    # A phrase that opens as one of the earlier question's ("pyenv shell" after "Where
    # does pyenv local store the version?", "version 12" after "... version 11 ..."):
    # the earlier question asked of it instead.
    given = new.split()
    if len(given) > 1 and given[0].lower() not in STOPWORDS:
        tokens = list(re.finditer(r"\S+", body))
        runs = [
            (tokens[k].start(), tokens[k + len(given) - 1].end())
            for k in range(len(tokens) - len(given) + 1)
            if tokens[k].group(0).lower() == given[0].lower() and [t.group(0) for t in tokens[k : k + len(given)]] != given
        ]
        if len(runs) == 1:
            return body[: runs[0][0]] + new + body[runs[0][1] :] + end
    return ""


_THE = re.compile(r"^the\s+", re.I)


def _names_after_first(text: str) -> list[tuple[int, int]]:
    """The spans of the capitalised names ``text`` gives after its first word."""
    return [m.span() for m in _CAPITALISED_RUN.finditer(text) if m.start() > 0]


def asks_again(question: str) -> bool:
    """Whether ``question`` is the earlier turn asked again, of something else or
    without words of its own ("Why?", "When was that?", "What about Soyuz?").
    Then what the earlier turn asked about is what this one asks about too."""
    return not terms(question) or bool(_ASKED_AGAIN.match(question))


# "that guy", "this official": a person, as "he" or "she" is.
_PERSON_NOUNS = "guy|man|woman|person|official|chief|head|leader|boss|manager|spokesman|spokeswoman|spokesperson"
_PERSONAL = re.compile(rf"\b(he|she|him|her|his|hers)\b|\b(?:that|this|the\s+same)\s+(?:{_PERSON_NOUNS})\b(?:['’]s\b)?", re.I)


def resolve(question: str, person: str) -> str:
    """``question`` with its personal pronouns replaced by ``person`` ("his" by
    "Person's", and "her" before a noun: "What is her extension?")."""
    if not person:
        return question

    def swap(m: re.Match[str]) -> str:
        if m.group(1) is None:  # "that guy", "that guy's"
            return f"{person}'s" if m.group(0).endswith(("'s", "’s")) else person
        word = m.group(1).lower()
        if word == "her":
            after = _NEXT_WORD.match(question, m.end())
            return f"{person}'s" if after and after.group(1).lower() not in STOPWORDS else person
        return f"{person}'s" if word in ("his", "hers") else person

    return _PERSONAL.sub(swap, question)


_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")


# "What is uvicorn?", "What does pyenv rehash do?", "How does the VPN work?":
# asks what the thing it names is or does; a follow-up's "it" is that thing
# ("Which protocols does it support?"). Not an "it" that stands for what
# follows it ("Is it possible to ...", "does it take to ...").
_WHAT_IS = re.compile(
    r"^\s*(?i:(?:and\s+)?what(?:['’]s|\s+(?:is|are|was|were)))\s+(?:(?i:an?|the)\s+)?([^?]+?)\s*\??\s*$|"
    r"^\s*(?i:(?:and\s+)?what\s+(?:does|do))\s+(?:(?i:an?|the)\s+)?([^?]+?)\s+(?i:do|mean|stand\s+for)\s*\??\s*$|"
    r"^\s*(?i:(?:and\s+)?how\s+(?:does|do))\s+(?:(?i:an?|the)\s+)?([^?]+?)\s+(?i:work)\s*\??\s*$"
)
_THING = re.compile(r"\b(it|its)\b(?!(?:\s+[\w'-]+){0,2}\s+(?:to|that)\b)", re.I)
THING_WORDS = 4  # longer than this, "What is ...?" asks about more than one thing


# Words that show "What is X ...?" asks what X does, not what it is ("What is
# zlib used for?", "What is NASA doing?"): then no thing is named. A word in
# "-ing" after a lower-case one names a thing ("packet switching", "load
# balancing") unless it is one of the verbs such questions ask with.
_NOT_A_THING = re.compile(r"\b(?:[a-z]+(?:ing|ed)|for|about|of|in|on|with|to|from|like|by)$")
_GERUND = re.compile(r"[a-z]+ing$")
_PROGRESSIVE = frozenset("doing going happening saying planning trying making getting using building working".split())


def thing_asked(question: str) -> str:
    """What a "What is X?" question asks about (X), or ""."""
    m = _WHAT_IS.match(question)
    if not m:
        return ""
    thing = next(g for g in m.groups() if g)
    ws = thing.split()
    if len(ws) > THING_WORDS or thing.lower() in ANAPHORA:
        return ""
    for k, w in enumerate(ws):
        noun = _GERUND.fullmatch(w) and k > 0 and ws[k - 1].islower() and w not in _PROGRESSIVE
        if _NOT_A_THING.search(w) and not noun:
            return ""
    return thing


def resolve_thing(question: str, thing: str) -> str:
    """``question`` with its "it" replaced by ``thing`` ("its" by "thing's")."""
    if not thing:
        return question
    return _THING.sub(lambda m: f"{thing}'s" if m.group(1).lower() == "its" else thing, question)


# "Who is Sergey Krikalev?": asks about the person it names, not for another.
_WHO_IS = re.compile(r"^\s*(?i:(?:and\s+)?who\s+(?:is|was|are|were))\s+[A-Z][^?]*\??\s*$")


def asks_who_is(question: str) -> bool:
    return bool(_WHO_IS.match(question))


def names_another(span_text: str, question: str) -> bool:
    """Whether a name found in an answer is not one the ``question`` already
    gives, in full or by its last word: asked "Who was acting NASA
    Administrator when Bakanov visited?", "Dmitry Bakanov" is who visited, not
    the answer ("Administrator Sean Duffy" is, though the question writes
    "Administrator" too)."""
    last = words(span_text)[-1:]
    return not (last and last[0] in names_given(question))


def person_named(sentence: str, tokens: tuple[Token, ...], question: str, question_terms: Sequence[str]) -> str:
    """The person an answer's ``sentence`` names for a "who" ``question``: the
    name beside the question's words that the question does not give, or "".
    A person named in full comes before one a byline's "by" marks alone
    ("led by People & Culture, and includes a short talk from Priya
    Natarajan"); an office's title is no one's name ("when he was Deputy Prime
    Minister"). With neither, the name the sentence opens with, as its subject:
    "Rogozin himself is under U.S. sanctions ..." for "Which Roscosmos chief
    ended up under US sanctions?"."""
    named = {sp: sentence[sp[0] : sp[1]] for sp in answer_spans(PERSON, sentence, question)}
    spans = [sp for sp, name in named.items() if names_another(name, question) and not is_title(name)]
    spans = [sp for sp in spans if len(bare_name(named[sp]).split()) > 1] or spans
    if not spans:
        opening = _OPENING_NAME.match(sentence)
        name = opening.group(1) if opening else ""
        if name and not name.isupper() and name.lower() not in STOPWORDS and name.lower() not in names_given(question):
            return name
        return ""
    start, end = nearest(spans, tokens, question_terms) or spans[0]
    return bare_name(sentence[start:end])


def refers_to_person(question: str) -> bool:
    return bool(_PERSONAL.search(question))


def refers_to_thing(question: str) -> bool:
    return bool(_THING.search(question))


# "Which room has a hearing loop?", "What system do drivers use?": asks which
# thing, and its answer names it (a follow-up's "it" is then that thing).
_WHICH_THING = re.compile(rf"^\s*(?:and\s+)?(?:which|what)\s+(?!{ASKING_WORD}\b)[a-z]+\b", re.I)


def asks_which_thing(question: str) -> bool:
    return bool(_WHICH_THING.match(question))


# "What lunar base did Russia and China agree to build?": the kind of thing asked for, up to the verb.
_KIND_ASKED = re.compile(rf"^\s*(?:and\s+)?(?:which|what)\s+((?:[a-z][\w-]*\s+){{0,2}}?[a-z][\w-]*)\s+{AUXILIARY}\b", re.I)


def kind_asked(question: str) -> str:
    """The thing a "which" question asks for, as "the <noun>" ("the lunar base"), or "".

    What a follow-up's "it" stands for when the answer names no thing: "Is it
    seen as competing with Artemis?" asks of the lunar base."""
    m = _KIND_ASKED.match(question)
    if not m or any(w in STOPWORDS for w in words(m.group(1))):
        return ""
    if _PLURAL.search(m.group(1)):
        # "What hours is the Service Desk open?": an "it" after it is no "hours", but what the question names.
        subject = _NAMED_SUBJECT.match(question, m.end())
        return subject.group(1) if subject else ""
    return f"the {m.group(1)}"


_PLURAL = re.compile(r"[a-z]{2}(?<![siu])s$|ies$", re.I)  # "hours", "entries"; not "class", "analysis", "bus"
_NAMED_SUBJECT = re.compile(r"\s+((?:the\s+)?[A-Z][\w&'’-]*(?:\s+(?:of\s+)?[A-Z][\w&'’-]*)*)")


# "that room", "this profile", "the same function": a thing or place an earlier
# turn asked for. Its noun says which: a place's for a "where" question ("Where
# does the board meet?" then "What kit does that room have?"), the noun the
# question asked with for a "which" one ("Which VPN profile ...?" then "What
# is the timeout on that profile?").
_DEMONSTRATIVE = re.compile(r"\b(?:that|this|the\s+same)\s+([a-z][a-z-]+)\b", re.I)
PLACE_NOUNS = frozenset(
    "room place building office site venue location city town country depot floor folder directory station".split()
)


PLACE, THING = "place", "thing"


def demonstrative(question: str, earlier: str) -> tuple[re.Match[str], str] | None:
    """The first "that <noun>" of ``question`` that may point at what the
    ``earlier`` turn asked for, and what that is: a ``PLACE`` after "where",
    a ``THING`` after "which <noun>" asked with the same noun; else None.
    Known before the earlier turn is answered, so it is answered only then."""
    m = next((m for m in _DEMONSTRATIVE.finditer(question) if m.group(1).lower() not in STOPWORDS), None)
    if m is None:
        return None
    if asks_where(earlier):
        return m, PLACE
    if asks_which_thing(earlier) and m.group(1).lower() in words(asking_sentence(earlier)):
        return m, THING
    return None


def resolve_demonstrative(question: str, pointed: tuple[re.Match[str], str], name: str) -> str:
    """``question`` with the "that <noun>" :func:`demonstrative` found replaced
    by the place or thing the earlier turn's answer ``name``-d: a place by its
    name when the name ends in the noun ("that desk": Service Desk) or the
    noun is a place's ("that room": the room at Harbour House)."""
    m, kind = pointed
    noun = m.group(1).lower()
    if kind == PLACE and name and not name.lower().endswith(" " + noun):
        name = f"the {noun} at {name}" if noun in PLACE_NOUNS else ""
    return question[: m.start()] + name + question[m.end() :] if name else question


# A follow-up's closing "there" ("What are the opening hours there?"), after a
# "where" question: the place the answer to it named.
_THERE = re.compile(r"\bthere(?=\s*[?.!]*\s*$)", re.I)
_WHERE = re.compile(r"^\s*(?:and\s+)?where\b", re.I)


def refers_to_place(question: str) -> bool:
    return bool(_THERE.search(question))


def asks_where(question: str) -> bool:
    return bool(_WHERE.match(question))


def resolve_place(question: str, place: str) -> str:
    """``question`` with its closing "there" replaced by "at ``place``" (by
    ``place`` after a preposition: "fit in there")."""
    if not place:
        return question
    return _THERE.sub(lambda m: place if _AFTER_PREPOSITION.search(question, 0, m.start()) else f"at {place}", question)


_AFTER_PREPOSITION = re.compile(rf"\b(?:{_PREPOSITIONS})\s+$", re.I)


_OPENING_NAME = re.compile(r"\W*([A-Z][\w.-]*[A-Za-z])")


def thing_named(sentence: str, tokens: tuple[Token, ...], question: str, question_terms: Sequence[str]) -> str:
    """The first name in an answer's ``sentence`` that the ``question`` does not
    hold, beside the question's words: "Terminus" in "Terminus has a hearing
    loop; ask Reception ..." for "Which room has a hearing loop?", or ""."""
    spans = answer_spans(ENTITY, sentence, question)
    # One that opens the sentence names a thing too, unless it is a common word ("The", "It").
    opening = _OPENING_NAME.match(sentence)
    if opening and opening.group(1).lower() not in STOPWORDS and opening.group(1).lower() not in question.lower():
        spans = [opening.span(1), *spans]
    best = nearest(spans, tokens, question_terms)
    return _whole_name(sentence, best) if best else ""


def nearest(spans: list[tuple[int, int]], tokens: tuple[Token, ...], question_terms: Sequence[str]) -> tuple[int, int] | None:
    """The span with the most of the question's words around it (the first of
    equals), if it is near them (:func:`qa.question.near_question_words`).
    "Oleg Platonov" answers "Which cosmonaut launched during Bakanov's
    visit?" in "... visit to the United States to attend the launch of
    Russian cosmonaut Oleg Platonov aboard ...": the United States stands
    near "visit", Platonov near "launch" and "cosmonaut"."""
    terms_ = set(question_terms)
    need = min(2, len(terms_))
    counts = question_words_near(spans, tokens, terms_)
    if not spans or need == 0 or max(counts) < need:
        return None
    return spans[counts.index(max(counts))]


# What stands before a place's name: "kept by the Service Desk", "arrive at Harbour House".
_AT_PLACE = re.compile(r"\b(?:at|in|on|by|from|to|near|inside|outside|behind|beside|opposite)\s+(?:the\s+)?$", re.I)


def place_named(sentence: str, tokens: tuple[Token, ...], question: str, question_terms: Sequence[str], noun: str = "") -> str:
    """The first place an answer's ``sentence`` names after a preposition, beside
    one of the ``question``'s words: "Service Desk" in "Loan equipment is kept by
    the Service Desk on Floor 2" for "Where is loan equipment kept?", or "".
    Given a place's ``noun`` ("that room"), the place the sentence names with
    it comes first, near the question's words or not: "Signal Box room" in
    "The board meets every Thursday at 14:00 in the Signal Box room at Harbour
    House". Far from the question's words, a name a place's noun follows is
    one too ("Terminus room" in "... runs from 09:30 to 11:00 in the Terminus
    room on the 3rd floor")."""
    places = [span for span in answer_spans(ENTITY, sentence, question) if _AT_PLACE.search(sentence, 0, span[0])]
    if noun:
        named = _named_with(sentence, places, re.escape(noun))
        if named:
            return named
    near = [span for span in places if near_question_words([span], tokens, set(question_terms), most=1)]
    if near:
        return _whole_name(sentence, near[0])
    # Far from the question's words, a name a place's noun follows is still a place: "in the Terminus room".
    return _named_with(sentence, places, "|".join(sorted(PLACE_NOUNS)))


def _named_with(sentence: str, spans: list[tuple[int, int]], nouns: str) -> str:
    """The first whole name of ``spans`` that one of ``nouns`` follows, with its noun: "Signal Box room"."""
    for span in spans:
        start, end = _whole_name_span(sentence, span)
        m = re.match(rf"\s+({nouns})\b", sentence[end:], re.I)
        if m:
            return f"{sentence[start:end]} {m.group(1).lower()}"
    return ""


def _whole_name(sentence: str, span: tuple[int, int]) -> str:
    """The whole name a word of it stands in: "International Scientific Lunar Station", not "International"."""
    start, end = _whole_name_span(sentence, span)
    return sentence[start:end]


def _whole_name_span(sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    start = span[0]
    whole = next((m for m in _CAPITALISED_RUN.finditer(sentence) if m.start() <= start < m.end()), None)
    if whole is None:
        return span
    # "The IAF's Global Space Exploration": a sentence's first word is no part of the name.
    name = list(re.finditer(r"\S+", whole.group(0)))
    while len(name) > 1 and name[0].group(0).lower() in STOPWORDS:
        name = name[1:]
    return whole.start() + name[0].start(), whole.start() + name[-1].end()


_CAPITALISED_RUN = re.compile(r"[A-Z][\w.'’-]*(?:\s+(?:of\s+|the\s+|and\s+)?[A-Z][\w.'’-]*)*")
