"""One writer at a time: an inter-process lock on the index folder.

Chroma's local store is safe across threads, not across processes, and a
build prunes old generations: two builds at once could write into one store
together or delete each other's unfinished generation. Every build therefore
holds an exclusive ``flock`` on ``INDEX_DIR/.build.lock`` (the holder's PID is
written into it, for the error message). Answering never takes it: readers
open the generation the manifest names and never wait for a build.

With a Chroma server shared by several machines the file lock covers only
this machine: run builds from one machine (see the README).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from typing import Iterator

from index.errors import IndexBusyError

LOCK_NAME = ".build.lock"
POLL_SECONDS = 0.2


@contextlib.contextmanager
def writer_lock(index_dir: Path, wait: float) -> Iterator[None]:
    """Hold the index's build lock, waiting up to ``wait`` seconds for another builder."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = path.read_text(encoding="utf-8", errors="replace").strip() or "another process"
                    raise IndexBusyError(
                        f"Another process (PID {holder}) is building the index in {index_dir}.",
                        "Wait for it to finish and try again, or raise QA_INDEX_LOCK_WAIT to wait longer.",
                    ) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
