"""The same question gets the same answer, to the last bit of every signal, in every process.

Python orders sets of strings differently in each process (hash randomisation):
anything summed or chosen in a set's order would make a fresh server answer
differently from the last one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qa.config import Settings
from qa.engine import Engine

from ..conftest import SEEDS

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "tests" / "data" / "dev_questions.jsonl"
PROBE = """
import json, sys
from pathlib import Path
from qa.config import Settings
from qa.engine import Engine

corpus, index_dir, questions = sys.argv[1:4]
engine = Engine(Settings.load({"corpus": corpus, "index_dir": index_dir}, env={}))
out = []
for line in Path(questions).read_text(encoding="utf-8").splitlines():
    if line.strip():
        q = json.loads(line)
        request = engine.prepare(q["question"], q.get("history", []))
        answer = engine.answerer("extractive").answer(request)
        out.append([request.evidence.candidates.features.tolist(), request.evidence.answerable, answer.to_dict()["answer"]])
print(json.dumps(out))
"""


def test_two_processes_give_every_question_the_same_signals_and_answer(engine: Engine, settings: Settings) -> None:
    engine.ensure_index()
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(SEEDS), str(settings.index_dir), str(DEV)], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(json.loads(done.stdout))
    assert len(runs[0]) > 20
    for n, (a, b) in enumerate(zip(*runs)):
        assert a == b, f"question {n} of {DEV.name} differs between two processes"
