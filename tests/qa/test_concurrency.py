"""Batched search and scoring in turns: each caller gets its own result, in a fair order."""

from __future__ import annotations

import threading

import pytest

from qa.concurrency import Batcher, TurnLock

from ..conftest import wait_until


def test_batcher_gives_each_caller_its_own_result_and_batches_the_waiting() -> None:
    batches: list[list[int]] = []
    gate = threading.Event()

    def run(items: list[int]) -> list[int]:
        batches.append(items)
        gate.wait(10)  # the first batch runs until the others are all waiting
        return [i * i for i in items]

    batcher: Batcher[int, int] = Batcher(run)
    results: dict[int, int] = {}
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, batcher.submit(i))) for i in range(8)]
    threads[0].start()
    wait_until(lambda: batches, "the first batch to start")
    for t in threads[1:]:
        t.start()
    wait_until(lambda: len(batcher._pending) >= 7, "seven callers waiting behind the first batch")
    gate.set()
    for t in threads:
        t.join(10)
        assert not t.is_alive(), "a caller is still waiting for its result"
    assert results == {i: i * i for i in range(8)}
    assert batches[0] == [0] and sorted(batches[1]) == list(range(1, 8))  # the seven waiting ran as one


def test_batcher_raises_a_failed_batch_in_every_caller_and_recovers() -> None:
    def run(items: list[str]) -> list[str]:
        if "bad" in items:
            raise ValueError("no")
        return [s.upper() for s in items]

    batcher: Batcher[str, str] = Batcher(run)
    with pytest.raises(ValueError):
        batcher.submit("bad")
    assert batcher.submit("good") == "GOOD"


def test_turn_lock_goes_to_the_earliest_arrival_not_the_first_at_the_lock() -> None:
    lock = TurnLock()
    order: list[str] = []
    release = threading.Event()

    def holder() -> None:
        with lock.turn(0.0):
            release.wait(10)

    def waiter(name: str, arrived: float) -> None:
        with lock.turn(arrived):
            order.append(name)

    first = threading.Thread(target=holder)
    first.start()
    wait_until(lambda: lock._held, "the first thread to hold the lock")
    # They reach the lock latest arrival first; they must get it earliest first.
    waiters = [threading.Thread(target=waiter, args=(name, arrived)) for name, arrived in [("c", 3.0), ("b", 2.0), ("a", 1.0)]]
    for i, t in enumerate(waiters, 1):
        t.start()
        wait_until(lambda i=i: len(lock._waiting) >= i, f"{i} waiter(s) at the lock")
    release.set()
    for t in [first, *waiters]:
        t.join(10)
        assert not t.is_alive(), "a thread is still waiting for its turn"
    assert order == ["a", "b", "c"]
    assert not lock._held  # free again once everyone had a turn
