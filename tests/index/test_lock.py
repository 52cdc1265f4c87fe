"""One writer per index folder, across real processes; readers are never blocked."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.errors import IndexBusyError
from index.lock import writer_lock
from index.manifest import read_manifest
from index.store import CHUNKS, ChromaStore
from qa.retrieve import IndexReader

ROOT = Path(__file__).resolve().parents[2]
# Builders here wait for each other as long as the test allows.
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT), "QA_INDEX_LOCK_WAIT": "300"}
DEADLINE = 300  # seconds any child process may take before the test fails


def qa_index(corpus: Path, index_dir: Path) -> subprocess.Popen:
    """``qa index`` in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus), "--index-dir", str(index_dir)],
        env=ENV, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def edit(corpus: Path, line: str) -> None:
    p = corpus / "002_026fb524575c518d.txt"
    p.write_text(p.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def generations_on_disk(index_dir: Path) -> set[str]:
    return {d.name for d in (index_dir / "generations").iterdir() if d.is_dir()}


def test_a_second_writer_in_another_process_waits_then_stops(small_corpus, build):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom index.lock import writer_lock\n"
         "with writer_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(120)", str(build.index_dir)],
        env=ENV, cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(IndexBusyError, match="is building the index") as err:
            build(small_corpus, lock_wait=1.0)
        assert time.monotonic() - t0 >= 1.0  # it waited before giving up
        assert "QA_INDEX_LOCK_WAIT" in err.value.hint
        assert read_manifest(build.index_dir) is None  # and wrote nothing
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(DEADLINE)
    # A writer killed outright leaves no stale lock: the kernel dropped it.
    assert build(small_corpus, lock_wait=5.0).indexed


def test_two_concurrent_builders_both_finish_and_leave_one_sound_index(small_corpus, tmp_path):
    index_dir = tmp_path / "index"
    procs = [qa_index(small_corpus, index_dir) for _ in range(2)]
    outs = [p.communicate(timeout=DEADLINE) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    manifest = read_manifest(index_dir)
    store = ChromaStore(index_dir, "", "qa")
    assert manifest.generation in store.generations()
    assert generations_on_disk(index_dir) == store.generations()  # no half-written leftovers
    reader = IndexReader(index_dir, manifest, store)
    sources = {m["source"] for m in store.collection(manifest.generation, CHUNKS).get(include=["metadatas"])["metadatas"]}
    assert sources == set(manifest.files) == {"002_026fb524575c518d.txt", "004_a65aae2e38a59293.txt"}
    assert reader.keyword.search("the", 3) or reader.sentences


def test_a_reader_keeps_answering_during_builds_and_its_generation_is_not_pruned(small_corpus, build):
    build(small_corpus)
    first = read_manifest(build.index_dir)
    reader = IndexReader(build.index_dir, first, ChromaStore(build.index_dir, "", "qa"))
    word = reader.sentences[0].text.split()[0]
    expected = reader.keyword.search(word, 3)
    assert expected

    answered = 0
    for n in range(2):  # two new generations: the first would normally be pruned by the second
        edit(small_corpus, f"An added closing line number {n} about lunar gardens.")
        proc = qa_index(small_corpus, build.index_dir)
        deadline = time.monotonic() + DEADLINE
        while proc.poll() is None:
            assert time.monotonic() < deadline, "qa index did not finish"
            assert reader.keyword.search(word, 3) == expected
            assert reader.store.collection(first.generation, CHUNKS).count() > 0
            answered += 1
        assert proc.returncode == 0, proc.stderr.read()
    assert answered > 0
    assert read_manifest(build.index_dir).generation != first.generation
    assert first.generation in ChromaStore(build.index_dir, "", "qa").generations()
    assert first.generation in generations_on_disk(build.index_dir)
    assert reader.store.collection(first.generation, CHUNKS).count() > 0

    # Once the reader is gone, the next build prunes the old generation.
    del reader
    gc.collect()
    edit(small_corpus, "One more line, so that there is something to index.")
    build(small_corpus)
    assert first.generation not in ChromaStore(build.index_dir, "", "qa").generations()
    assert first.generation not in generations_on_disk(build.index_dir)


def qa_index_waiting(index_dir, corpus, wait: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QA_INDEX_DIR=str(index_dir), QA_CORPUS=str(corpus), QA_INDEX_LOCK_WAIT=wait)
    return subprocess.run([sys.executable, "-m", "qa.cli", "index"], capture_output=True, text=True, env=env, timeout=600)


def test_a_second_builder_stops_with_a_clear_message(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds, corpus)
    index_dir = tmp_path / "index"
    with writer_lock(index_dir, wait=0):
        out = qa_index_waiting(index_dir, corpus, wait="0.5")
    assert out.returncode == 2
    assert f"Another process (PID {os.getpid()}) is building the index" in out.stderr
    assert "QA_INDEX_LOCK_WAIT" in out.stderr
    # Once the lock is free, the same command builds.
    out = qa_index_waiting(index_dir, corpus, wait="0.5")
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
