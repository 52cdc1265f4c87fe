"""What kind of answer a question asks for, and whether a sentence has one.

Classic factoid question analysis: "who" wants a person, "when" a date,
"how much" a number, "what does it cost" an amount of money, "how tall" a
length (and "how heavy" a mass, "how fast" a speed, "how cold" a
temperature), "what share" a percentage, "how often" a frequency, "why" a
reason, "where"/"which country" a place or other named thing. A sentence
that covers the question's words *and* holds something of the asked-for
kind that the question does not already contain is far more likely to be
the answer than one that merely restates the question ("the heads of
Roscosmos and NASA met" for "who heads Roscosmos?"). These are signals the
answer model weighs (qa.features), not verdicts.
"""

from __future__ import annotations

import functools
import re

from index.sentences import split_spans

PERSON, AUTHOR, DATE, MONEY, NUMBER, PHONE, VERSION, REASON, ENTITY = "person", "author", "date", "money", "number", "phone", "version", "reason", "entity"
# A measure, by what it measures: answered by a quantity in a unit of its own.
LENGTH, MASS, SPEED, TEMPERATURE = "length", "mass", "speed", "temperature"
FREQUENCY, PERCENT = "frequency", "percent"

# Offices: who holds one changes over time (see asks_role).
_OFFICES = (
    r"administrator|chief|head|leader|president|director|minister|general|ambassador|envoy|ceo|secretary|commander|"
    r"spokes(?:man|woman|person)"
)
_PERSON_NOUNS = rf"{_OFFICES}|author|writer|person|official|cosmonaut|astronaut|reporter|journalist|successor|predecessor"
# The words a question opens with: a question word, or the auxiliary of a
# yes-or-no question ("Did ...?", "May I ...?"). One vocabulary for reading
# questions, follow-ups and messages that ask several things.
WH_WORD = r"(?:who|whom|whose|what|which|when|where|why|how)"
AUXILIARY = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might)"
ASKING_WORD = rf"(?:{WH_WORD}|{AUXILIARY})"
# What is paid, and the verbs of paying: a question about either asks for money.
_CHARGES = r"price|cost|fee|fare|rent|ticket|fine|deposit|salary|wage|subscription|toll"
_SPENDING = r"cost|costs|costing|pay|pays|paid|spend|spends|spent|charge|charges|charged|earn|earns|earned|sell|sells|sold|worth"
# Whose it is, said where "the" would be: "What is Sean Duffy's salary?", "What is its price?"
_WHOSE = r"(?:(?:his|her|its|their|my|our|your)\s+|(?:[\w-]+\s+){0,2}[\w-]+['’]s?\s+)"
# What a measure question asks with ("how tall", "the height of"), by what it measures.
_MEASURED = (
    (LENGTH, "tall|high|wide|deep|thick", "height|length|width|depth|altitude|elevation"),
    (MASS, "heavy", "weight|mass"),
    (SPEED, "fast", "speed|velocity"),
    (TEMPERATURE, "hot|cold|warm", "temperature"),
)


# "What is the ...", "What was its ...", "What's Elon Musk's ...": what the question asks for follows.
_WHAT_IS_THE = rf"\bwhat(?:['’]s|\s+(?:is|was|are|were))\s+(?:the\s+|an?\s+|{_WHOSE})"
# "the default maximum line width", "the approximate temperature": still a width, a temperature.
_QUALIFIED = (
    r"(?:(?:default|maximum|minimum|max|min|total|average|typical|current|approximate|largest|smallest|highest|lowest|"
    r"overall|estimated|top)\s+)*"
)


def _measured(adjectives: str, nouns: str) -> re.Pattern[str]:
    # The noun only as what is asked ("What is Elon Musk's height?", "the weight of a bushel"),
    # not "What is the speed limit ...?" nor "What raises the steam temperature above ...?".
    return re.compile(rf"\bhow (?:{adjectives})\b|{_WHAT_IS_THE}{_QUALIFIED}(?:{nouns})\b(?=\s*(?:of\b|[?.]|$))", re.I)


_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bwho\s+(?:wrote|authored|penned|is the author)\b|\b(?:author|writer) of\b|\bwritten by\b", re.I), AUTHOR),
    (re.compile(r"^\s*(?:and\s+)?(?:who|whom|whose)\b", re.I), PERSON),
    # "Which acting NASA administrator ...", not "What is the general term ..." or "What did Ambassador Cromer order?".
    (re.compile(rf"\b(?:which|what)\s+(?:(?!{AUXILIARY}\b)\w+\s+){{0,2}}(?:{_PERSON_NOUNS})s?\b", re.I), PERSON),
    (re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?when\b|\b(?:what|which)\s+(?:years?|dates?|months?|days?|decades?|centur(?:y|ies)|era|period|time)\b|\b(?:since when|how long|until when)\b", re.I), DATE),
    # "How much does a season ticket cost?" is answered by an amount of money, never by "500 people";
    # "How much did the price of oil increase?" may be a share.
    (
        re.compile(
            rf"\bhow much\s+(?:money\b|(?={AUXILIARY}\b.*\b(?:{_SPENDING})\b)|(?:is|was|are|were)\s+(?:the|an?)\s+(?:[\w-]+\s+){{0,3}}?(?:{_CHARGES})s?\b)|"
            rf"\bwhat\s+(?:do|does|did|will|would|could|might|should)\s+(?:[\w&'’-]+\s+){{1,10}}?(?:cost|charge)\b|"
            rf"\bwhat(?:['’]s|\s+{AUXILIARY})\s+(?:the\s+|{_WHOSE})(?:[\w-]+\s+){{0,3}}?(?:{_CHARGES})s?\b(?!\s+(?:increase|rise|fall|cut|index)\b)",
            re.I,
        ),
        MONEY,
    ),
    # "What share of calls ...?" is answered by "88%" or "one-fifth", never by "in 2024".
    (re.compile(r"\b(?:what|which)\s+(?:percentage|percent|proportion|share|fraction|portion)\b|\bhow many percent\b", re.I), PERCENT),
    (re.compile(r"\b(?:how (?:much|many|far|big|large|old)|what (?:price|amount|number))\b", re.I), NUMBER),
    # "How tall is ...?", "What is the tower's height?": answered by "96 metres", never by "two decades" or "20 tonnes".
    *((_measured(adjectives, nouns), kind) for kind, adjectives, nouns in _MEASURED),
    # "How often does the Council meet?" is answered by "each six months", "twice a year", "weekly".
    (re.compile(r"\bhow (?:often|frequently)\b|\bat what intervals?\b", re.I), FREQUENCY),
    # "What is the Service Desk's phone number?" is answered by "call ext. 4400", never by "Helen Marsh".
    (re.compile(rf"\b(?:phone|telephone|mobile|fax|extension|contact)\s+numbers?\b|\bwhat(?:['’]s|\s+is)\s+(?:the\s+|{_WHOSE})extension\b|\bwhich\s+extension\b", re.I), PHONE),
    # "What is the maximum number of arguments ...?", "What is the default line width?", "What was its total income?": a number.
    (re.compile(rf"{_WHAT_IS_THE}{_QUALIFIED}(?:[\w-]+\s+){{0,2}}?(?:number|count|size|level|limit|width|total)\b", re.I), NUMBER),
    # "Which version fixes that?", "What is the oldest Rust version it runs on?": a release's number.
    (re.compile(r"\b(?:which|what)\s+(?:[\w.-]+\s+){0,4}?(?:versions?|releases?(?!\s+(?:the|a|an|its|his|her|their|some|any|all)\b))\b(?!\s+(?:of|name|number|pattern|control|notes?|date)\b)", re.I), VERSION),
    (re.compile(r"\b(?:why|what (?:reason|caused|made)|for what reason)\b", re.I), REASON),
    (re.compile(r"^\s*(?:and\s+)?where\b|\b(?:in what place|which (?:\w+\s+)?(?:city|country|countries|place|newspaper|company|agency|program|organi[sz]ation|outlet))\b", re.I), ENTITY),
]

_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty|hundred|dozen|several|a few"
_ORDINALS = (
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first"
)
# A month as a date: with the day and year beside it, one span ("1 May 1191",
# "June 21, 2021", "June 2021"), never a day cut from a year ("June 20|21").
# "May" and "March" only capitalised (not "you may", "the march on Rome"), an
# abbreviation only beside a number ("Jan van Riebeeck" is a name).
_YEAR = r"(?:1\d{3}|20\d\d)"
_MONTH = r"(?:(?-i:May|March)|january|february|april|june|july|august|september|october|november|december)"
_MONTH_ABBR = r"(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
# A year is four digits from 1000 (a decade with "s": "the 1960s", "the 880s"),
# or three after a word that dates and before no plural ("in 911 as a fiefdom",
# not "by 300 votes"); a century is an ordinal ("the eighteenth century").
_DATE = re.compile(
    rf"\b{_YEAR}(?:['’]?s)?\b|\b(?:in|by|since|until|till|from|after|before|around|circa|c\.|ad|ce)\s+\d{{3}}\b(?!\s*(?:%|[,.]\d|(?!was\b|has\b|his\b|thus\b)[a-z]{{2,}}s\b))|\b\d{{3}}\s+(?:ad|bc|bce|ce)\b|\b[1-9]\d0['’]?s\b|"
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)|{_ORDINALS})[\s-]+centur(?:y|ies)\b|"
    rf"\b(?:\d{{1,2}}\s+)?{_MONTH}\b(?:\s+\d{{1,2}}\b(?!:))?(?:,?\s+{_YEAR}\b)?|"
    rf"\b\d{{1,2}}\s+{_MONTH_ABBR}\b(?:\s+{_YEAR}\b)?|\b{_MONTH_ABBR}\b\.?\s+(?:\d{{1,2}}\b(?!:)(?:,?\s+{_YEAR}\b)?|{_YEAR}\b)|"
    rf"\b(?:\d+|{_NUMBER_WORDS})[\s-]+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b|\b(?:yesterday|today|tomorrow|ago|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    # A time of day: "at 09:00", "by 5 p.m.", "noon".
    r"\b(?:[01]?\d|2[0-3]):[0-5]\d\b|\b(?:1[0-2]|0?[1-9])(?:[:.][0-5]\d)?\s*[ap]\.?m\b\.?|\b(?:noon|midday|midnight)\b",
    re.I,
)
# An amount of money: "£9.80", "$5 million", "6 million Lira", "twenty dollars", "free of charge".
_MONEY = re.compile(
    rf"[$€£¥₹]\s?\d|\b(?:US\$|USD|EUR|GBP)\s?\d|"
    rf"\b(?:\d[\d,.]*|{_NUMBER_WORDS})\s*(?:k|m|bn|million|billion|thousand|trillion)?\s*(?:dollars?|euros?|pounds?|pence|cents?|francs?|lira|lire|rubles?|roubles?|yen|yuan|rupees?|USD|EUR|GBP)\b|"
    r"\b\d+p\b(?!\.)|\b(?:free of charge|no charge|at no (?:extra )?cost|pays? nothing|for free)\b",
    re.I,
)
_NUMBER = re.compile(rf"[$€£]\s?\d|\b\d[\d,.]*\s*(?:%|percent|million|billion|thousand|kilowatts?)?|\b(?:{_NUMBER_WORDS})\b", re.I)
# A quantity in a unit of what is measured: "408 km", "96 metres", "1,900 tonnes", "17,500 mph", "1500 °C".
_UNITS = {
    LENGTH: r"(?:milli|centi|kilo)?met(?:er|re)s?|km|cm|mm|miles?|feet|foot|ft|inch(?:es)?|yards?|storeys|floors",
    MASS: r"(?:kilo|milli)?grams?|kg|mg|tons?|tonnes?|pounds?|lbs?|ounces?|oz",
    SPEED: r"mph|km/h|kph|(?:met(?:er|re)s?|miles?|kilomet(?:er|re)s?|km)\s+(?:per|an|a)\s+(?:second|hour)|m/s|knots?",
    TEMPERATURE: r"°\s?[CF]?|degrees?(?:\s+(?:celsius|fahrenheit|kelvin|c|f)\b)?|kelvin",
}
# "100m" and "5t" only written close: "in 2021 in Moscow" is no length in inches.
_CLOSE_UNITS = {LENGTH: "m", MASS: "g|t"}


def _measure(kind: str) -> re.Pattern[str]:
    units = _UNITS[kind]
    close = rf"|\b\d[\d,.]*(?:{_CLOSE_UNITS[kind]})\b" if kind in _CLOSE_UNITS else ""
    return re.compile(rf"\b\d[\d,.]*\s*-?\s*(?:{units})(?![\w/])|\b(?:{_NUMBER_WORDS})[\s-]+(?:{units})(?![\w/]){close}", re.I)


_FRACTIONS = r"half|(?:a|one|two)[\s-]thirds?|(?:a|one|three)[\s-]quarters?|(?:one|two|three|four)[\s-]fifths?|(?:one|a)[\s-](?:sixth|tenth)"
_PERCENT = re.compile(
    rf"\b\d[\d,.]*\s*(?:(?:-|–|to)\s*\d[\d,.]*\s*)?(?:%|percent\b|per\s+cent\b|percentage\s+points?\b)|\b(?:{_FRACTIONS})\b|"
    rf"\b(?:\d+|{_NUMBER_WORDS})\s+(?:in|out\s+of)\s+(?:every\s+)?(?:\d+|{_NUMBER_WORDS})\b",
    re.I,
)
_PERIOD = r"(?:second|minute|hour|day|night|week|fortnight|month|quarter|year|decade|term|season)s?"
_FREQUENCY = re.compile(
    rf"\b(?:every|each)\s+(?:(?:\d+|{_NUMBER_WORDS}|other|few)\s+)?{_PERIOD}\b|"
    rf"\b(?:once|twice|thrice|(?:\d+|{_NUMBER_WORDS})\s+times)\s+(?:a|an|per|each|every)\s+{_PERIOD}\b|"
    r"\b(?:hourly|daily|nightly|weekly|fortnightly|monthly|quarterly|annually|yearly|biannually|biennially)\b",
    re.I,
)
# A telephone number or extension: four digits or more, maybe grouped ("ext. 4400", "0808 157 0192", "+44 20 7946 0958").
_PHONE = re.compile(r"(?<![\w.,])\+?\(?\d(?:[ ()-]{0,2}\d){3,}\b")
_VERSION = re.compile(r"(?<![\w.£$€])v?\d+(?:\.\d+)+[a-z]?(?![\w.]\d)", re.I)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|in order to|so that|thanks to|reasons?|made it|led to|caus\w*|amid|citing)\b|"
    r"\bfor (?:his|her|its|their) (?:role|part|involvement|actions?|support)\b|"
    r"\bto (?!the\b|a\b|an\b|be\b|his\b|her\b|its\b|their\b)[a-z]{3,} (?:the|a|an|his|her|its|their)\b",
    re.I,
)
_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿĀ-ž"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}]?[{_LOWER}]+)?"
# Between a name's words: "Robert of Jumièges", "Guy de Lusignan", "Edward the Confessor".
_PARTICLE = r"(?:(?:of|de|del|della|da|di|du|des|le|la|van|von|der|den|bin|ibn|al|the)\s+)?"
# Middle initials too: "William E. Simon", "George H. W. Bush".
_INITIALS = rf"(?:\s+[{_UPPER}]\.)*"
_FULL_NAME = rf"{_NAME_WORD}(?:{_INITIALS}\s+{_PARTICLE}{_NAME_WORD})+(?:\s+[IVX]{{1,4}}\b)?|{_NAME_WORD}\s+[IVX]{{1,4}}\b"
_NAME = re.compile(
    rf"\b(?:{_FULL_NAME})|\bby\s+(?:{_FULL_NAME}|{_NAME_WORD})|"
    rf"\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|President|Minister|Administrator)\.?\s+{_NAME_WORD}"
)
_FULL_NAME_ONLY = re.compile(rf"\b(?:{_FULL_NAME})")
# The word a question (or a sentence of it, matched where that sentence starts) opens with.
_OPENING_WORD = re.compile(rf"\s*(?:and\s+)?{ASKING_WORD}\b", re.I)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w.-]*[A-Za-z]")
# A byline: "by Jane Doe", "Op/Ed by Chris Devonshire-Ellis".
_BYLINE = re.compile(r"\bby\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+")


# Chat shorthand, written out: "whats" and "wat" ask "what", "cant" and "dont"
# negate, "phone no" is a number (and negates nothing). Typed without the
# apostrophe or the letters, the question word goes unread and so does the
# negation. Not "wont" or "id": as often words of their own.
_SHORTHAND = {
    "wat": "what", "wats": "what's", "whats": "what's", "whos": "who's", "wheres": "where's", "hows": "how's",
    "whens": "when's", "whys": "why's", "cant": "can't", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't",
    "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "werent": "weren't", "havent": "haven't",
    "hasnt": "hasn't", "hadnt": "hadn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't", "couldnt": "couldn't",
    "im": "I'm", "ive": "I've", "pls": "please", "plz": "please",
}
_SHORT_WORD = re.compile(r"\b(?:" + "|".join(_SHORTHAND) + r")\b(?!['’])", re.I)
_NAME_NEXT = re.compile(r"\s+[A-Z]")
_UNMARKED_END = re.compile(r"[\w\"'”’)\]]\s*$")
_NUMBER_NO = re.compile(r"\b(phone|telephone|tel|mobile|fax|account|reference|ref|order|invoice|ticket|case|contract|policy|room|seat|flight)\s+no\b(?!\s+(?:longer|more|one|need)\b)\.?", re.I)


def written_out(question: str) -> str:
    """``question`` with chat shorthand written out: "wats the service desk phone
    no" reads "what's the service desk phone number?"."""
    text = _NUMBER_NO.sub(lambda m: f"{m.group(1)} number", question)

    def word(m: re.Match[str]) -> str:
        typed = m.group(0)
        if typed[0].isupper() and (m.start() > 0 or _NAME_NEXT.match(text, m.end())):  # "Wat Tyler", "added to Wat's engine": names
            return typed
        full = _SHORTHAND[typed.lower()]
        return full[0].upper() + full[1:] if typed[0].isupper() else full

    text = _SHORT_WORD.sub(word, text)
    # "when did the mesh fail": read, and embedded, as the question it is. Typed without its
    # mark, a question is embedded a little apart from itself, and that moved answers both ways.
    last = question_spans(text)[-1:] if text.strip() else []
    if last and _OPENING_WORD.match(text, last[0][0]) and _UNMARKED_END.search(text):
        text = text.rstrip() + "?"
    return text


# "back then", "back in 2021": "back" says when, not what; as a word to
# match it finds "the supply was back at 13:22" and "traced it back to 1975".
# After a verb of going, "back" is where to ("When did he come back in 2019?").
_BACK_IN_TIME = re.compile(rf"\bback\s+(?=then\b|in\s+(?:{_MONTH}\s+|{_MONTH_ABBR}\.?\s+)?{_YEAR}\b)", re.I)
_GOING = re.compile(r"\b(?:come|comes|came|coming|go|goes|went|gone|going|get|gets|got|getting|move|moves|moved|moving|bring|brings|brought|fly|flew|flown|send|sent|turn|turned|look|looked)\s+$", re.I)


def without_back_in_time(question: str) -> str:
    """``question`` without the "back" of "back then" or "back in 2021"."""
    return _BACK_IN_TIME.sub(lambda m: m.group(0) if _GOING.search(question, 0, m.start()) else "", question)


@functools.lru_cache(maxsize=256)
def asking_sentence(question: str) -> str:
    """The sentence of ``question`` that asks: its last that asks (that holds a
    question mark or opens with a question word), or else its last; from a "so" that leads
    to the question ("zlib can't open .Z files, so what are my options?").
    What comes before sets the scene ("My download was interrupted yesterday.
    What does -c do?"): its names and negations are not what is asked about."""
    spans = question_spans(question)
    # The last sentence that asks, not a "Many thanks" after it.
    asking = [(a, b) for a, b in spans if "?" in question[a:b] or _OPENING_WORD.match(question, a)]
    a, b = (asking or spans)[-1] if spans else (0, len(question))
    last = question[a:b]
    m = _SO_ASKING.search(last)
    return last[m.end() :] if m else last


def question_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a message: as an article's
    (index.sentences.split_spans), and typed in lower case, a sentence that
    opens with a question word or an auxiliary after a stop ("... saturday
    morning. is the desk open? who approves swaps?"), which the article
    splitter, opening a sentence only at a capital, runs into the one before."""
    out = []
    for a, b in split_spans(text):
        for m in _LOWER_CASE_OPENING.finditer(text, a, b):
            out.append((a, m.start() + 1))
            a = m.end()
        out.append((a, b))
    return out


# A stop after a word of two letters or more (not "a.m." or "U.S."), then a
# question word or an auxiliary in lower case.
_LOWER_CASE_OPENING = re.compile(rf"(?<=[a-z]{{2}})[.!?]\s+(?=(?:and\s+)?{ASKING_WORD}\b)")


# "..., so what ...?": the clause before "so" says what the asker knows.
_SO_ASKING = re.compile(
    rf"^[^?]+?[,;]\s*so\s+(?={ASKING_WORD}\b)",
    re.I,
)


def year_span(year: int, plural: bool) -> tuple[int, int]:
    """The years ``year`` stands for, inclusive: itself, or written with an "s" a
    decade ("the 1960s") or, for a round hundred, a century ("the 1000s")."""
    return (year, year + (99 if year % 100 == 0 else 9)) if plural else (year, year)


# A clause that sets a condition before the question asks: "When the download
# is interrupted, which option resumes it?" asks "which", not "when".
_LEADING_CLAUSE = re.compile(
    r"^\s*(?:when|whenever|if|unless|while|after|before|once|though|although)\s+[^?,]+,\s*"
    rf"(?=(?:[\w'’-]+\s+){{0,4}}?{WH_WORD}\b)",
    re.I,
)


def answer_type(question: str) -> str:
    """The kind of answer ``question`` asks for, or "" when it is open: what its
    asking sentence asks, after any condition it opens with."""
    asked = _LEADING_CLAUSE.sub("", asking_sentence(question), count=1)
    for pattern, kind in _RULES:
        if pattern.search(asked):
            return kind
    if "?" not in asked and not _ASKS_ANYWHERE.search(asked):
        # Keywords alone, ending in what they want: "depot safety induction day and time", "vpn token replacement cost".
        for pattern, kind in _KEYWORDS_FOR:
            if pattern.search(asked):
                return kind
    return ""


_ASKS_ANYWHERE = re.compile(rf"\b{ASKING_WORD}\b", re.I)
# Not "rate" for a number, nor "cost" for any number: "vpn token replacement cost", which no
# page states, was then answered with any sentence holding one.
_KEYWORDS_FOR = (
    (re.compile(r"\b(?:dates?|times?|days?|deadline|hours)\W*$", re.I), DATE),
    (re.compile(rf"\b(?:{_CHARGES})s?\W*$", re.I), MONEY),
)


# An office, by name or by what its holder does.
_OFFICE_NAMES = rf"{_OFFICES}|governor|mayor|chair(?:man|woman|person)?|chancellor|premier|king|queen|pope"
_ROLE = re.compile(
    rf"\b(?:{_OFFICE_NAMES})s?\b|"
    r"\b(?:heads|headed|leads|led|runs|ran|chairs|chaired|directs|directed)\b",
    re.I,
)
# A name that ends in an office is the office's ("Deputy Prime Minister",
# "Acting Administrator", "Director General"), not a person's.
_TITLE = re.compile(rf"\b(?:{_OFFICE_NAMES})s?\W*$", re.I)


def asks_role(question: str) -> bool:
    """Whether ``question`` asks about an office ("Who heads Roscosmos?", "the NASA
    administrator"), not about what someone did ("Who did Rogozin meet?")."""
    return bool(_ROLE.search(_LEADING_CLAUSE.sub("", asking_sentence(question), count=1)))


def persons_named(question: str) -> list[str]:
    """The people ``question``'s asking sentence names in full ("Sergey Krikalev",
    "Robert of Jumièges"), in order: a lone surname is too often a place or a
    thing to be read as a person, and a name after "the" or a preposition of
    place is a place's or a thing's ("the United States", "in New
    Mexico")."""
    asked = asking_sentence(question)
    opening = _OPENING_WORD.match(asked)
    asked = asked[opening.end() :] if opening else asked  # "Did Bill Nelson ...": "Did" is no name
    return [m.group(0) for m in _FULL_NAME_ONLY.finditer(asked) if not _THE_BEFORE.search(asked, 0, m.start())]


_THE_BEFORE = re.compile(r"\b(?:the|in|at|to|from|near|into|across|around|outside|inside)\s+$", re.I)


def names_given(question: str) -> frozenset[str]:
    """The capitalised words ``question`` writes after its first, lower-cased: the names it gives."""
    return frozenset(w.lower() for w in _CAPITALISED.findall(question))


def is_title(name: str) -> bool:
    """Whether a capitalised ``name`` is an office's title, not a person's name."""
    return bool(_TITLE.search(name))


def bare_name(span_text: str) -> str:
    """The name a person's span holds: a byline's "by" is part of the span (it
    marks the name as a person's, "Maintained by Helen Marsh"), not of the name."""
    return _BY.sub("", span_text)


_BY = re.compile(r"^by\s+", re.I)


def answer_spans(kind: str, sentence: str, question: str) -> list[tuple[int, int]]:
    """Where ``sentence`` holds something of ``kind`` that the question does not."""
    if kind not in _PATTERNS:
        return []
    found = _matches(kind, sentence)
    if kind in _ALWAYS_NOVEL:
        return [span for span, _, _ in found]
    asked, acronyms = _question_words(question)
    # "International Space Station" is no news to a question about the "ISS".
    return [span for span, initials, words in found if initials not in acronyms and not words <= asked]


_PATTERNS = {
    PERSON: _NAME, AUTHOR: _BYLINE, DATE: _DATE, MONEY: _MONEY, NUMBER: _NUMBER, PERCENT: _PERCENT, FREQUENCY: _FREQUENCY,
    PHONE: _PHONE, VERSION: _VERSION, REASON: _REASON, ENTITY: _CAPITALISED,
    **{kind: _measure(kind) for kind in _UNITS},
}
_ALWAYS_NOVEL = frozenset({AUTHOR, REASON})  # a byline or a stated reason is news whatever the question says
_WORD = re.compile(r"\w+")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


@functools.lru_cache(maxsize=8192)
def _matches(kind: str, sentence: str) -> tuple[tuple[tuple[int, int], str | None, frozenset[str]], ...]:
    """Each match of ``kind``'s pattern in ``sentence``: its span, the initials of its capitalised words (of two words or more), its words lower-cased.

    What does not depend on the question, made once: the same sentences are
    candidates for question after question, and this was half the cost of
    reading them.
    """
    out = []
    for m in _PATTERNS[kind].finditer(sentence):
        words = _WORD.findall(m.group(0))
        initials = "".join(w[0] for w in words if w[0].isupper()) if len(words) > 1 else None
        out.append((m.span(), initials, frozenset(w.lower() for w in words)))
    return tuple(out)


@functools.lru_cache(maxsize=32)
def _question_words(question: str) -> tuple[frozenset[str], frozenset[str]]:
    """The question's words, lower-cased, and its acronyms: read once for all its candidate sentences."""
    return frozenset(_WORD.findall(question.lower())), frozenset(_ACRONYM.findall(question))


def has_answer(kind: str, sentence: str, question: str) -> bool:
    """Whether ``sentence`` holds something of ``kind`` the question does not."""
    return bool(answer_spans(kind, sentence, question))


Token = tuple[int, int, frozenset[str]]  # start, end, content terms


def tokens(sentence: str) -> tuple[Token, ...]:
    """The sentence's words with their offsets and terms (see near_question_words)."""
    return tuple((m.start(), m.end(), _token_terms(m.group(0))) for m in _TOKEN.finditer(sentence))


_TOKEN = re.compile(r"[\w'’.-]+")


@functools.lru_cache(maxsize=65536)
def _token_terms(token: str) -> frozenset[str]:
    # A question's new candidates hold some sixty words, most of them seen
    # in earlier sentences: stemming each again was a tenth of a question's time.
    from qa.lexical import terms

    return frozenset(terms(token))


def near_question_words(
    spans: list[tuple[int, int]], tokens: tuple[Token, ...], question_terms: set[str], window: int = 4, most: int = 2
) -> bool:
    """Whether an answer span stands within ``window`` words of the question's words.

    "Dmitry Bakanov, the head of Roscosmos" answers "who heads Roscosmos?";
    a name ten words away from "head" more likely answers something else. With
    two or more question words, two different ones must be near ("the head of
    Roscosmos" does not answer "who is the head of NASA?"), or ``most`` if fewer;
    a synonym counts.
    """
    need = min(most, len(question_terms))
    return need > 0 and any(n >= need for n in question_words_near(spans, tokens, question_terms, window))


def question_words_near(spans: list[tuple[int, int]], tokens: tuple[Token, ...], question_terms: set[str], window: int = 4) -> list[int]:
    """For each span, how many different question words (a synonym counts) stand within ``window`` words of it."""
    from qa.lexical import SYNONYMS

    # Each question term and synonym, to the first question term (in sorted
    # order: a set's order changes from process to process) it stands for.
    canonical: dict[str, str] = {}
    for t in sorted(question_terms):
        canonical.setdefault(t, t)
        for synonym in SYNONYMS.get(t, ()):
            canonical.setdefault(synonym, t)

    hits = [(i, canonical[term]) for i, (_, _, ts) in enumerate(tokens) for term in ts if term in canonical]
    if not hits:
        return [0] * len(spans)
    counts = []
    for a, b in spans:
        inside = [i for i, (s, e, _) in enumerate(tokens) if s < b and e > a]
        near = {c for h, c in hits if min(abs(inside[0] - h), abs(inside[-1] - h)) <= window} if inside else set()
        counts.append(len(near))
    return counts
