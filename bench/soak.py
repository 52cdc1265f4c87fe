"""Soak and fault benchmark: `qa serve` under load while the index changes and the LLM is down.

    python bench/soak.py                 # 10 minutes of load, then the kill scenarios
    python bench/soak.py --minutes 2     # a shorter run
    python bench/soak.py --no-faults     # the load phase only

Load phase: ``--clients`` clients ask questions from tests/data (one in four in
LLM mode, with the LLM URL pointing at a closed local port, so each of those
must fall back to an extractive answer) against a real `qa serve` on
127.0.0.1, while `qa index` re-indexes an edited copy of the corpus twice.
Prints requests, errors (target 0), p95 latency and the server's RSS at the
start and the end (target: growth within 10%).

Fault phase: SIGKILL of the server in the middle of requests, of `qa index`
at several points, and of a process appending feedback; after each, a
restarted server must answer from the index, `qa index` must complete (no
stale lock), and the feedback file must hold only whole JSON lines.
Exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Client, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "dev_questions.jsonl"
EDIT_FILE = "002_026fb524575c518d.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Workspace:
    """A corpus copy, an index folder and a feedback file, private to this run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.corpus = root / "corpus"
        shutil.copytree(ROOT / "seeds", self.corpus)
        self.index_dir = root / "index"
        self.feedback = root / "feedback.jsonl"
        self.env = {
            **os.environ,
            "GRADIO_ANALYTICS_ENABLED": "False",
            "ANONYMIZED_TELEMETRY": "False",
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
            "QA_FEEDBACK_FILE": str(self.feedback),
            # Nothing listens there: the LLM endpoint is down for the whole run.
            "QA_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
            "QA_LLM_MODEL": "any-model",
        }

    def qa(self, *args: str, **kw: Any) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "qa.cli", *args, "--corpus", str(self.corpus), "--index-dir", str(self.index_dir)]
        return subprocess.Popen(cmd, cwd=ROOT, env=self.env, **kw)

    def index(self, timeout: float = 900) -> int:
        return self.qa("index", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).wait(timeout)

    def edit(self, n: int) -> None:
        p = self.corpus / EDIT_FILE
        p.write_text(p.read_text(encoding="utf-8") + f"\nA soak edit number {n} adds this closing line.\n", encoding="utf-8")


class Server:
    def __init__(self, ws: Workspace) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ws.root / f"server-{self.port}.log"
        with self.log.open("wb") as out:
            self.proc = ws.qa("serve", "--host", "127.0.0.1", "--port", str(self.port), stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited ({self.proc.returncode}); see {self.log}")
            try:
                status, data = Client(self.url, 5).request("GET", "/api/health")
                if status == 200 and json.loads(data).get("status") == "ready":
                    return
            except (OSError, ValueError):
                pass
            time.sleep(1)
        raise SystemExit(f"the server was not ready within {timeout:.0f} s; see {self.log}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)


def ask(client: Client, body: dict[str, Any]) -> str:
    """Ask once; return the problem, or "" for a good answer."""
    try:
        status, data = client.request("POST", "/api/ask", body)
        answer = json.loads(data) if status == 200 else {}
    except (OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    if "answer" not in answer:
        return f"HTTP {status}: {data[:200].decode(errors='replace')}"
    if body.get("mode") == "llm" and not answer.get("fallback"):
        return "an LLM-mode answer without a fallback while the LLM is down"
    return ""


def load_phase(ws: Workspace, server: Server, questions: list[dict[str, Any]], clients: int, seconds: float) -> dict[str, Any]:
    bodies = [{"question": q["question"], "mode": "llm" if i % 4 == 3 else "extractive"} for i, q in enumerate(questions)]
    for body in bodies:  # warm the server before the first RSS reading
        ask(Client(server.url, 120), body)
    rss_start = rss_mb(server.proc.pid)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client_loop(k: int) -> None:
        client = Client(server.url, 120)
        i = k
        while time.monotonic() < stop_at:
            t = time.perf_counter()
            problem = ask(client, bodies[i % len(bodies)])
            with lock:
                (errors.append(problem) if problem else latencies.append((time.perf_counter() - t) * 1000))
            i += clients
        client.close()

    index_codes: list[int] = []

    def reindex() -> None:
        for n, at in enumerate((0.2, 0.55)):
            time.sleep(max(0.0, stop_at - seconds * (1 - at) - time.monotonic()))
            ws.edit(n)
            index_codes.append(ws.index())

    threads = [threading.Thread(target=client_loop, args=(k,), daemon=True) for k in range(clients)]
    indexer = threading.Thread(target=reindex, daemon=True)
    for t in [*threads, indexer]:
        t.start()
    for t in [*threads, indexer]:
        t.join()
    return {
        "requests": len(latencies) + len(errors),
        "errors": errors,
        "p95_ms": percentile(latencies, 95) if latencies else 0.0,
        "rss_start": rss_start,
        "rss_end": rss_mb(server.proc.pid),
        "index_codes": index_codes,
    }


def whole_lines(path: Path) -> tuple[int, int]:
    """(whole JSON lines, broken lines) in a feedback file."""
    good = bad = 0
    if path.exists():
        for line in path.read_bytes().split(b"\n"):
            if not line:
                continue
            try:
                json.loads(line)
                good += 1
            except ValueError:
                bad += 1
    return good, bad


FEEDBACK_WRITER = """
import sys
from pathlib import Path
from qa.types import Answer
from qa.web.feedback import record
answer = Answer(question="q" * 300, answer="a" * 200_000, abstained=False)
print("ready", flush=True)
while True:  # until killed: lines of ~200 KB, so a kill lands mid-line now and then
    record(Path(sys.argv[1]), answer, "up", comment="c" * 2000)
"""


def fault_phase(ws: Workspace, questions: list[dict[str, Any]]) -> list[str]:
    """Kill things; return the failures."""
    failures: list[str] = []
    body = {"question": questions[0]["question"]}

    # 1. The server, in the middle of requests, three times.
    for n in range(3):
        server = Server(ws)
        server.wait_ready()
        inflight = [threading.Thread(target=ask, args=(Client(server.url, 60), body), daemon=True) for _ in range(5)]
        for t in inflight:
            t.start()
        time.sleep(0.05 + 0.1 * n)
        server.stop(signal.SIGKILL)
    # 2. The indexer at several points of a rebuild (the model loading, embedding, storing).
    for delay in (1, 4, 8, 15):
        ws.edit(100 + delay)
        proc = ws.qa("index", "--rebuild", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # 3. A process appending feedback.
    torn = 0
    for delay in (0.05, 0.2, 0.4, 0.7):
        # Two writers at once, as two chat processes sharing the file would be.
        procs = [
            subprocess.Popen([sys.executable, "-c", FEEDBACK_WRITER, str(ws.feedback)], cwd=ROOT, env=ws.env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        for proc in procs:
            proc.stdout.readline()  # "ready": imports done
        time.sleep(delay)
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        torn += not ws.feedback.read_bytes().endswith(b"\n")
    print(f"feedback writers killed 4 times: {torn} left a torn last line (the next start cuts it off)")

    server = Server(ws)
    server.wait_ready()
    problem = ask(Client(server.url, 120), body)
    if problem:
        failures.append(f"after the kills the restarted server does not answer: {problem}")
    server.stop()
    if ws.index() != 0:
        failures.append("after the kills `qa index` does not complete")
    good, bad = whole_lines(ws.feedback)
    print(f"feedback file after kills: {good} whole lines, {bad} broken")
    if bad:
        failures.append(f"the feedback file holds {bad} broken line(s)")
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="length of the load phase (default 10)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--no-faults", action="store_true", help="skip the kill scenarios")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, index)")
    args = ap.parse_args(argv)

    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    root = Path(tempfile.mkdtemp(prefix="qa-soak-"))
    ws = Workspace(root)
    failures: list[str] = []
    try:
        if ws.index() != 0:
            raise SystemExit("the first `qa index` failed")
        server = Server(ws)
        server.wait_ready()
        try:
            r = load_phase(ws, server, questions, args.clients, args.minutes * 60)
        finally:
            server.stop()
        growth = (r["rss_end"] - r["rss_start"]) / r["rss_start"] * 100 if r["rss_start"] else 0.0
        print(f"load: {args.clients} clients for {args.minutes:g} min, LLM endpoint down, 2 re-indexes (exit codes {r['index_codes']})")
        print(f"requests {r['requests']}  errors {len(r['errors'])} (target 0)  p95 {r['p95_ms']:.0f} ms")
        print(f"server RSS start {r['rss_start']:.0f} MB  end {r['rss_end']:.0f} MB  growth {growth:+.1f}% (target <= 10%)")
        for e in sorted(set(r["errors"]))[:5]:
            print(f"  error: {e}")
        if r["errors"]:
            failures.append(f"{len(r['errors'])} errors")
        if growth > 10:
            failures.append(f"RSS grew {growth:.1f}%")
        if r["index_codes"] != [0, 0]:
            failures.append(f"re-indexing exited with {r['index_codes']}")
        if not args.no_faults:
            failures += fault_phase(ws, questions)
    finally:
        if args.keep:
            print(f"work folder: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    for f in failures:
        print(f"FAIL: {f}")
    print("OK" if not failures else f"{len(failures)} target(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
