"""The benchmarks still run: each is a script nobody imports, so a change elsewhere can break it silently.

Small and on the repository's own data only; the figures themselves are the
benchmarks' business, not the tests'.
"""

from __future__ import annotations

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
