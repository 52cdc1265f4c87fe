"""Load benchmark of POST /api/ask: concurrent clients against one server.

    python bench/load.py                      # starts `python ui.py` on a free port
    python bench/load.py --url http://127.0.0.1:7860 --clients 20 --per-client 25

Questions (and their history) come from the shared eval set. Every question
is asked once first, unmeasured, so that both measured phases see the same
warm server; then one client asks ``--per-client`` questions in turn (the
single-client latency), then ``--clients`` clients each ask as many at once.
The single-client phase runs before and after the concurrent one, and the
quieter of the two is the baseline. Exits non-zero unless there were no
errors and the concurrent p95 is within ``--max-ratio`` times that baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "questions.jsonl"


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    engine_ms: list[float] = field(default_factory=list)  # the answer's own timings_ms.total
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + len(self.errors)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def load_questions(path: Path) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"question": i["question"], "history": i.get("history", [])} for i in items]


def ask_all(client: httpx.Client, bodies: list[dict[str, Any]], run: Run, lock: threading.Lock) -> None:
    for body in bodies:
        t = time.perf_counter()
        engine_ms = 0.0
        try:
            r = client.post("/api/ask", json=body)
            ok = r.status_code == 200 and "answer" in r.json()
            problem = "" if ok else f"HTTP {r.status_code}: {r.text[:200]}"
            engine_ms = r.json().get("timings_ms", {}).get("total", 0.0) if ok else 0.0
        except (httpx.HTTPError, ValueError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        elapsed = (time.perf_counter() - t) * 1000
        with lock:
            if problem:
                run.errors.append(problem)
            else:
                run.latencies_ms.append(elapsed)
                run.engine_ms.append(engine_ms)


def measure(url: str, plan: list[list[dict[str, Any]]], timeout: float) -> Run:
    """Each inner list is one client's questions, asked in turn; all clients start together."""
    run, lock = Run(), threading.Lock()
    start = threading.Barrier(len(plan) + 1)

    def client_thread(bodies: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=url, timeout=timeout) as client:
            client.get("/api/health")  # connect before the clock starts
            start.wait()
            ask_all(client, bodies, run, lock)

    threads = [threading.Thread(target=client_thread, args=(bodies,), daemon=True) for bodies in plan]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - t0
    return run


def rotate(questions: list[dict[str, Any]], offset: int, n: int) -> list[dict[str, Any]]:
    return [questions[(offset + i) % len(questions)] for i in range(n)]


@dataclass
class Server:
    url: str
    process: subprocess.Popen | None = None
    log: Path | None = None


def start_server(ready_timeout: float) -> Server:
    """`python ui.py` on a free port, with this environment's QA_* settings."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = Path(tempfile.mkstemp(prefix="qa-bench-server-", suffix=".log")[1])
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "ui.py"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    wait_ready(server, ready_timeout)
    return server


def wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise SystemExit(f"the server exited (code {server.process.returncode}); see {server.log}")
        try:
            status = httpx.get(f"{server.url}/api/health", timeout=5).json().get("status")
            if status == "ready":
                return
            if status == "error":
                raise SystemExit(
                    f"the server could not build its index; see {server.log or server.url + '/api/health'}"
                )
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit(f"the server was not ready within {timeout:.0f} s")


def stop_server(server: Server) -> None:
    if server.process is None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()


def report(single: Run, concurrent: Run, clients: int, per_client: int, max_ratio: float) -> bool:
    single_p95 = percentile(single.latencies_ms, 95)
    conc_p95 = percentile(concurrent.latencies_ms, 95)
    ratio = conc_p95 / single_p95 if single_p95 else float("inf")
    errors = len(single.errors) + len(concurrent.errors)
    ok = errors == 0 and ratio <= max_ratio
    print(f"single client      : {len(single.latencies_ms)} requests, p50 {percentile(single.latencies_ms, 50):.0f} ms, "
          f"p95 {single_p95:.0f} ms, errors {len(single.errors)}")  # fmt: skip
    print(f"{clients} clients x {per_client:<4}: {concurrent.requests} requests in {concurrent.seconds:.1f} s, "
          f"throughput {concurrent.requests / concurrent.seconds:.1f} req/s")  # fmt: skip
    print(f"                     p50 {percentile(concurrent.latencies_ms, 50):.0f} ms, p95 {conc_p95:.0f} ms, "
          f"max {max(concurrent.latencies_ms, default=float('nan')):.0f} ms, errors {len(concurrent.errors)}")  # fmt: skip
    print(f"engine time p50    : {percentile(single.engine_ms, 50):.0f} ms alone, "
          f"{percentile(concurrent.engine_ms, 50):.0f} ms under load (the rest of a latency is HTTP and waiting)")  # fmt: skip
    print(f"p95 ratio          : {ratio:.1f}x single-client p95 (target <= {max_ratio:g}x, zero errors): "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    for problem in (single.errors + concurrent.errors)[:5]:
        print(f"  error: {problem}")
    return ok


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Drive POST /api/ask with concurrent clients.")
    p.add_argument("--url", help="a running server; default: start `python ui.py` on a free port")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--per-client", type=int, default=25, help="questions each client asks")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL with question (and history)")
    p.add_argument("--timeout", type=float, default=120, help="seconds before one request counts as an error")
    p.add_argument("--ready-timeout", type=float, default=900, help="seconds to wait for the index to be ready")
    p.add_argument("--max-ratio", type=float, default=10)
    args = p.parse_args(argv)

    questions = load_questions(args.questions)
    server = Server(args.url.rstrip("/")) if args.url else start_server(args.ready_timeout)
    try:
        if args.url:
            wait_ready(server, args.ready_timeout)
        print(f"server {server.url}; {len(questions)} questions from {args.questions}")
        print(f"load average before: {_load()}")
        measure(server.url, [questions], args.timeout)  # warm-up, not measured
        alone = [rotate(questions, 0, args.per_client)]
        before = measure(server.url, alone, args.timeout)
        plan = [rotate(questions, c * 7, args.per_client) for c in range(args.clients)]
        concurrent = measure(server.url, plan, args.timeout)
        after = measure(server.url, alone, args.timeout)
        print(f"load average after : {_load()}")
    finally:
        stop_server(server)
    # On a shared machine one single-client phase can land in a busy moment;
    # the quieter one is the baseline (which makes the ratio harder to meet).
    quieter = min((before, after), key=lambda r: percentile(r.latencies_ms, 95))
    single = Run(quieter.latencies_ms, quieter.engine_ms, before.errors + after.errors, quieter.seconds)
    return 0 if report(single, concurrent, args.clients, args.per_client, args.max_ratio) else 1


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


if __name__ == "__main__":
    sys.exit(main())
