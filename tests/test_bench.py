"""The benchmarks still run: each is a script nobody imports, so a change elsewhere can break it silently.

Small and on the repository's own data only; the figures themselves are the
benchmarks' business, not the tests'.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_scale_benchmark_builds_and_measures_a_small_corpus(tmp_path: Path) -> None:
    cmd = [
        sys.executable, str(ROOT / "bench" / "scale.py"),
        "--sizes", "300", "--rounds", "1", "--no-server", "--full-build-max", "0",
        "--repo-only", "--keep", str(tmp_path / "scale"),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split() for line in done.stdout.splitlines() if line.split()[2:3] == ["local"]]
    assert len(rows) == 1, done.stdout
    chunks, sentences = int(rows[0][0]), int(rows[0][1])
    assert 100 <= chunks <= 600 and sentences > chunks  # "about" the size asked: articles end at whole sentences
    p50_ms = float(rows[0][7])
    assert p50_ms > 0


def run_bench(*args: str, timeout: float = 600) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_engine_benchmark_compares_start_up_latency_and_builds_on_the_seeds() -> None:
    out = run_bench(
        str(ROOT / "bench" / "engine.py"), "--questions", str(ROOT / "tests" / "data" / "dev_questions.jsonl"),
        "--corpus", str(ROOT / "seeds"), "--rounds", "1", "--build-corpus", str(ROOT / "seeds"), "--build-rounds", "1",
    )  # fmt: skip
    first = re.search(r"qa ask ([\d.]+) s .*qa serve ([\d.]+) s", out)
    warm = re.search(r"warm query latency: p50 ([\d.]+) ms, p95 ([\d.]+) ms", out)
    build = re.search(r"qa index ([\d.]+) s.*textbook pipeline ([\d.]+) s.*ratio ([\d.]+)x", out)
    assert first and warm and build, out
    assert all(float(x) > 0 for x in (*first.groups(), *warm.groups(), *build.groups()))
    quality = re.search(r"this engine: +evidence_hit ([\d.]+) +answer_accuracy ([\d.]+)", out)
    assert quality and float(quality.group(2)) >= 0.8, out  # the seed questions it is known to answer


def test_the_load_benchmark_serves_concurrent_clients_without_errors() -> None:
    out = run_bench(
        str(ROOT / "bench" / "load.py"), "--clients", "2", "--per-client", "3", "--rounds", "1",
        "--questions", str(ROOT / "tests" / "data" / "dev_questions.jsonl"),
    )  # fmt: skip
    row = re.search(r"^ +1 +([\d.]+) +(\d+) +(\d+) +(\d+) ", out, re.M)
    assert row, out
    assert float(row.group(1)) > 0 and int(row.group(4)) == 0  # throughput measured, no errors
    assert re.search(r"^== 2 clients, median of 1 rounds: p95 \d+ ms at [\d.]+ req/s .*errors 0: OK$", out, re.M), out


def test_the_soak_benchmark_reindexes_under_load_and_reports_no_errors() -> None:
    out = run_bench(str(ROOT / "bench" / "soak.py"), "--minutes", "0.1", "--clients", "2", "--no-faults")
    assert re.search(r"requests \d+ +errors 0 ", out) and out.rstrip().endswith("OK"), out


def test_the_typing_benchmark_asks_each_question_six_ways_and_the_chat_messages(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "as_typed.py"), "--sets", "intranet", "--work", str(tmp_path), "--shared", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    line = next(l for l in out.stdout.splitlines() if l.startswith("intranet: "))
    counts = re.findall(r"(as written|one typo|lower case|opening|no question mark|closing) (\d+)/40, (\d+)/16", line)
    assert [c[0] for c in counts] == ["as written", "one typo", "lower case", "opening", "no question mark", "closing"], line
    assert re.search(r"^chat messages \((\d+) of 48 right\), by style: a \d/6; b \d/6; .*h \d/6$", out.stdout, re.M), out.stdout
