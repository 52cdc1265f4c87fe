"""Example questions a corpus ships for its chat: ``examples.json`` beside the articles.

Each example names the fact its answer must hold, so a test can check that
every question the chat offers is answered, and answered with that fact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

EXAMPLES_FILE = "examples.json"


@dataclass(frozen=True)
class Example:
    question: str
    expect: str  # a phrase the answer must contain


def load_examples(corpus: Path) -> list[Example]:
    """The corpus's examples; none when it has no (readable) examples file."""
    path = Path(corpus) / EXAMPLES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [Example(str(e["question"]), str(e.get("expect", ""))) for e in raw if isinstance(e, dict) and e.get("question")]
    except (OSError, ValueError, TypeError):
        return []
