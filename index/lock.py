"""Inter-process locks on an index folder: one writer, readers never wait.

* ``writer_lock`` -- an exclusive ``flock`` on ``<index_dir>/.build.lock``
  (holding the holder's PID, for the message), held for the whole of a build
  (``qa index``, ``qa serve``'s re-index at start). A second writer waits up
  to ``index_lock_wait`` seconds, then stops with :class:`IndexBusyError`.
  The kernel drops the lock when its holder dies, so a SIGKILLed indexer
  never leaves a stale lock behind.
* ``pin_generation`` -- a *shared* ``flock`` on
  ``generations/<gen>/.readers`` taken by every reader that opened the
  generation and held while it reads. Shared locks never wait on each other,
  and builds never take them, so readers never block.
* ``claim_for_removal`` -- pruning asks for that file exclusively without waiting; if
  any reader (in any process on this machine) still holds the generation, the
  prune leaves it for a later build to remove.

``flock`` works between processes of one machine only. With a Chroma server
the rule is one writer per collection across machines: run ``qa index`` (or
``qa serve``'s re-index) from one machine; readers elsewhere keep working but
are not seen by pruning, which still keeps the newest two generations.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from typing import IO, Iterator

from index.errors import IndexBusyError

LOCK_NAME = ".build.lock"
READERS_NAME = ".readers"


@contextlib.contextmanager
def writer_lock(index_dir: Path, wait: float = 30.0, poll: float = 0.2) -> Iterator[None]:
    """Hold the index folder's writer lock, waiting at most ``wait`` seconds for another writer."""
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
                    holder = path.read_text(encoding="utf-8", errors="replace").strip() or "unknown"
                    raise IndexBusyError(
                        f"Another process (PID {holder}) is building the index in {index_dir}.",
                        "Wait for it to finish and try again, or raise QA_INDEX_LOCK_WAIT to wait longer.",
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())  # who holds it, for the message above
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def pin_generation(index_dir: Path, generation: str) -> IO[bytes] | None:
    """Mark ``generation`` as being read; keep the returned handle open while reading.

    Returns ``None`` when the generation folder is missing (nothing to protect).
    """
    gen_dir = Path(index_dir) / "generations" / generation
    if not gen_dir.is_dir():
        return None
    handle = open(gen_dir / READERS_NAME, "ab")
    fcntl.flock(handle.fileno(), fcntl.LOCK_SH)  # shared: never waits (no writer takes it but prune, non-blocking)
    return handle


@contextlib.contextmanager
def claim_for_removal(index_dir: Path, generation: str) -> Iterator[bool]:
    """Yield True, holding ``generation`` exclusively, if no reader has it pinned.

    The lock is held while the caller removes the generation, so a reader
    cannot pin it between the check and the removal.
    """
    path = Path(index_dir) / "generations" / generation / READERS_NAME
    if not path.parent.is_dir():
        yield True
        return
    with open(path, "ab") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
