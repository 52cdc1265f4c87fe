"""One writer at a time: a second build of the same index waits, then stops with a clear error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from index.build import _recently_retired
from index.errors import IndexBusyError
from index.lock import writer_lock


def qa_index(index_dir, corpus, wait: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QA_INDEX_DIR=str(index_dir), QA_CORPUS=str(corpus), QA_INDEX_LOCK_WAIT=wait)
    return subprocess.run([sys.executable, "-m", "qa.cli", "index"], capture_output=True, text=True, env=env, timeout=600)


def test_a_second_builder_stops_with_a_clear_message(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds, corpus)
    index_dir = tmp_path / "index"
    with writer_lock(index_dir, wait=0):
        out = qa_index(index_dir, corpus, wait="0.5")
    assert out.returncode == 2
    assert f"Another process (PID {os.getpid()}) is building the index" in out.stderr
    assert "QA_INDEX_LOCK_WAIT" in out.stderr
    # Once the lock is free, the same command builds.
    out = qa_index(index_dir, corpus, wait="0.5")
    assert out.returncode == 0, out.stderr


def test_a_waiting_builder_goes_ahead_when_the_first_finishes(tmp_path):
    index_dir = tmp_path / "index"
    order = []

    def second() -> None:
        with writer_lock(index_dir, wait=30):
            order.append("second")

    with writer_lock(index_dir, wait=0):
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        order.append("first done")
    t.join(timeout=30)
    assert order == ["first done", "second"]


def test_the_lock_is_held_only_while_building(tmp_path):
    index_dir = tmp_path / "index"
    with writer_lock(index_dir, wait=0):
        with pytest.raises(IndexBusyError):
            # Another open file description on the same file: refused like another process.
            with writer_lock(index_dir, wait=0):
                pass
    with writer_lock(index_dir, wait=0):
        pass


def test_generations_retired_moments_ago_are_not_pruned():
    now = time.time_ns() // 1000
    hour = 3600 * 1_000_000
    names = {f"g{now - 3 * hour}", f"g{now - 2 * hour}", f"g{now - 1000}", f"g{now}"}
    # g(now-2h) was retired a moment ago (by g(now-1000)); g(now-3h) two hours ago.
    assert _recently_retired(names) == {f"g{now - 2 * hour}", f"g{now - 1000}"}
