"""Thumbs up/down from the chat, appended to a local JSON-lines file.

A thumb is stored the moment it is clicked, so it is never lost to a closed
tab; a comment added afterwards is stored as a new line with the same
``id``. Readers take the last line of each ``id``.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from qa.errors import QAError
from qa.types import Answer

Verdict = Literal["up", "down"]
_lock = threading.Lock()  # whole lines from concurrent sessions, never interleaved


def new_id() -> str:
    return uuid.uuid4().hex


class FeedbackError(QAError):
    """A comment too long to store."""

    status = 400


def record(
    path: Path,
    answer: Answer,
    verdict: Verdict,
    comment: str = "",
    feedback_id: str | None = None,
    max_comment_chars: int = 2000,
) -> dict[str, Any]:
    """Append one feedback line and return it; a comment over ``max_comment_chars`` is refused, not cut."""
    comment = comment.strip()
    if len(comment) > max_comment_chars:
        raise FeedbackError(
            f"The comment has {len(comment)} characters; at most {max_comment_chars} are kept.",
            "Shorten it and send it again.",
        )
    entry = {
        "id": feedback_id or new_id(),
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "question": answer.question,
        "answer": answer.answer,
        "abstained": answer.abstained,
        "citations": [asdict(c) for c in answer.citations],
        "verdict": verdict,
        "comment": comment,
    }
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise QAError(
            f"Feedback could not be saved to {path} ({exc.strerror}).", "Set QA_FEEDBACK_FILE to a writable file."
        ) from None
    return entry
