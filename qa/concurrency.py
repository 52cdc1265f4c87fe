"""How questions asked at the same time share the engine.

Two stages, for the two kinds of work a question needs (see Engine._prepare):

- :class:`Batcher` runs the search (embedding, the dense ranking, BM25) for
  all questions waiting at that moment in one call. The model's cost is
  mostly per call, not per text, so a batch of ten costs a few singles.
- :class:`TurnLock` lets the pure-Python scoring run one question at a time,
  the oldest first, instead of twenty threads sharing the GIL in slices.

And :func:`limit_blas_threads`, for the processes that answer.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Calls ``run(items) -> results`` on items submitted from many threads, together.

    Group commit: a thread that finds no batch running runs every item
    waiting, its own among them; the others wait on their own item. When a
    batch ends, its callers are woken at once, and leadership passes to the
    oldest item still waiting, which runs the next batch with everything
    that arrived meanwhile. Alone, an item is a batch of one, with no delay.
    """

    def __init__(self, run: Callable[[list[T]], list[R]]) -> None:
        self._run = run
        self._mutex = threading.Lock()
        self._pending: list[_Slot[T, R]] = []
        self._busy = False

    def submit(self, item: T) -> R:
        slot: _Slot[T, R] = _Slot(item)
        with self._mutex:
            self._pending.append(slot)
            slot.leads = not self._busy
            self._busy = True
        while not slot.done:
            if slot.leads:
                self._run_batch()
            else:
                slot.woken.wait()  # done, or handed the lead
                slot.woken.clear()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _run_batch(self) -> None:
        with self._mutex:
            batch, self._pending = self._pending, []
        try:
            results = self._run([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} gave {len(results)} results")
            for s, result in zip(batch, results):
                s.result = result
        except BaseException as exc:  # every caller in the batch sees it
            for s in batch:
                s.error = exc
        with self._mutex:
            if self._pending:
                self._pending[0].leads = True
                self._pending[0].woken.set()
            else:
                self._busy = False
        for s in batch:
            s.done = True
            s.woken.set()


class _Slot(Generic[T, R]):
    __slots__ = ("item", "result", "error", "done", "leads", "woken")

    def __init__(self, item: T) -> None:
        self.item = item
        self.result: R | None = None
        self.error: BaseException | None = None
        self.done = False
        self.leads = False
        self.woken = threading.Event()


class TurnLock:
    """A lock taken in turns, the longest-waiting first.

    ``threading.Lock`` lets a newly arriving thread overtake sleeping
    waiters, so under load some questions wait far longer than others.
    Here the releasing thread hands the lock to the waiter that arrived
    earliest, by the time it gives (when its question arrived, not when it
    reached the lock): questions searched in one batch reach the lock
    together, and the one that waited longest for its batch goes first.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: list[tuple[float, int, threading.Event]] = []  # a heap
        self._held = False
        self._tickets = itertools.count()

    @contextmanager
    def turn(self, arrived: float) -> Iterator[None]:
        with self._mutex:
            mine = None
            if self._held:
                mine = threading.Event()
                heapq.heappush(self._waiting, (arrived, next(self._tickets), mine))
            self._held = True
        if mine is not None:
            mine.wait()  # set by the holder as it hands over
        try:
            yield
        finally:
            with self._mutex:
                if self._waiting:
                    heapq.heappop(self._waiting)[2].set()  # stays held, by the next in turn
                else:
                    self._held = False


def limit_blas_threads() -> None:
    """Give numpy's BLAS one thread, for a process whose work is answering questions.

    A question's matrix products are small (one vector against a few thousand
    sentences): BLAS threads woken for each cost milliseconds on a busy
    machine (1.5-4.5 ms of a 10 ms answer on the wiki set), and OpenBLAS's
    helper then spins on the other core, which a server's request threads
    need. The commands and servers call this for their own process; the
    Engine does not, so a program that embeds it keeps its BLAS as it set it.
    """
    import numpy  # noqa: F401  (the BLAS it loads is the one limited)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
