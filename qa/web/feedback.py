"""Thumbs up/down from the chat, appended to a local JSON-lines file.

A thumb is stored the moment it is clicked, so it is never lost to a closed
tab; a comment added afterwards is stored as a new line with the same
``id``. Readers take the last line of each ``id``.

The file holds only whole lines, even when a process is killed while
writing: each line goes out in one ``write`` on an ``O_APPEND`` descriptor
under an exclusive ``flock`` (so chat processes sharing the file never
interleave), and a torn last line, which only a kill mid-write leaves, is
cut off before the next line is appended and when the chat starts.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import uuid
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from qa.errors import QAError
from qa.types import Answer

Verdict = Literal["up", "down"]
_lock = threading.Lock()  # flock excludes other processes; this, other threads of this one
log = logging.getLogger(__name__)


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
        _append_line(path, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError as exc:
        raise QAError(
            f"Feedback could not be saved to {path} ({exc.strerror}).", "Set QA_FEEDBACK_FILE to a writable file."
        ) from None
    return entry


def repair(path: Path) -> None:
    """Cut off a torn last line left by a process killed while writing; a no-op otherwise."""
    path = Path(path)
    if not path.exists():
        return
    with _lock:
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _cut_torn_tail(fd, path)
        finally:
            os.close(fd)


def _append_line(path: Path, data: bytes) -> None:
    with _lock:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _cut_torn_tail(fd, path)
            view = memoryview(data)
            while view:  # a regular file takes it in one call unless the disk fills
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)  # releases the flock


def _cut_torn_tail(fd: int, path: Path) -> None:
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    # Find the last newline, reading backwards in blocks.
    end = size
    while end > 0:
        start = max(0, end - 65536)
        block = os.pread(fd, end - start, start)
        nl = block.rfind(b"\n")
        if nl >= 0:
            keep = start + nl + 1
            break
        end = start
    else:
        keep = 0
    os.ftruncate(fd, keep)
    log.warning("Dropped %d bytes of a torn last line in %s (a writer was killed mid-line).", size - keep, path)
