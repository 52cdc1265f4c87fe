"""Follow-up questions: bring in what the earlier turns were about.

Without an LLM to rewrite the question, a follow-up ("Why did he visit?")
is answered by searching with the question plus the most recent earlier
turn, when the question leans on it (a pronoun, "that", or too few words of
its own). The question's own terms still decide coverage; the earlier turn's
terms only add a small bonus, so they steer without taking over.
"""

from __future__ import annotations

from typing import Sequence

from qa.lexical import terms, words

ANAPHORA = frozenset(
    "he him his she her hers they them their theirs it its this that these those there such".split()
)
MAX_TURNS = 2


def needs_context(question: str) -> bool:
    ws = words(question)
    return any(w in ANAPHORA for w in ws) or len(terms(question)) < 2 or ws[:1] in (["and"], ["also"], ["what"]) and len(ws) <= 4


def search_text(question: str, history: Sequence[str]) -> tuple[str, list[str]]:
    """The text to retrieve with, and the context terms taken from history."""
    recent = [h for h in history if h and h.strip()][-MAX_TURNS:]
    if not recent or not needs_context(question):
        return question, []
    context_terms = [t for h in recent for t in terms(h)]
    own = set(terms(question))
    return " ".join(recent + [question]), [t for t in dict.fromkeys(context_terms) if t not in own]
