"""Load benchmark of POST /api/ask: concurrent clients against one server.

    python bench/load.py                      # starts `python ui.py` on a free port
    python bench/load.py --url http://127.0.0.1:7860 --clients 20 --per-client 25

Questions (and their history) come from the shared eval set. Every question
is asked once first, unmeasured, so that every measured phase sees the same
warm server; then one client asks ``--per-client`` questions in turn (the
single-client latency), then ``--clients`` clients each ask as many at once,
then one client again, for ``--rounds`` rounds. A round's baseline is the
quieter of the single-client phases around it. Exits non-zero unless there
were no errors and the median round's concurrent p95 is within
``--max-ratio`` times its baseline: one round on a shared two-core machine
swings by a tenth either way.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


class Client:
    """One keep-alive HTTP/1.1 connection, on the standard library's ``http.client``.

    The clients share the machine's cores with the server they measure, so
    they should take as little of them as they can: per request this costs
    about a third of the CPU httpx does.
    """

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.prefix = parts.path.rstrip("/")
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        headers = {} if data is None else {"Content-Type": "application/json"}
        try:
            self.conn.request(method, self.prefix + path, body=data, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # the next request reconnects
            raise

    def close(self) -> None:
        self.conn.close()


def ask_all(client: Client, bodies: list[dict[str, Any]], run: Run, lock: threading.Lock) -> None:
    for body in bodies:
        t = time.perf_counter()
        engine_ms = 0.0
        try:
            status, data = client.request("POST", "/api/ask", body)
            answer = json.loads(data) if status == 200 else {}
            problem = "" if "answer" in answer else f"HTTP {status}: {data[:200].decode(errors='replace')}"
            engine_ms = answer.get("timings_ms", {}).get("total", 0.0)
        except (OSError, http.client.HTTPException, ValueError) as exc:
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
        client = Client(url, timeout)
        try:
            client.request("GET", "/api/health")  # connect before the clock starts
        except (OSError, http.client.HTTPException):
            pass  # the questions will report it
        start.wait()
        try:
            ask_all(client, bodies, run, lock)
        finally:
            client.close()

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


def report(single: Run, concurrent: Run, clients: int, per_client: int, max_ratio: float) -> tuple[float, int]:
    """Print one round; returns its p95 ratio and error count."""
    single_p95 = percentile(single.latencies_ms, 95)
    conc_p95 = percentile(concurrent.latencies_ms, 95)
    ratio = conc_p95 / single_p95 if single_p95 else float("inf")
    errors = len(single.errors) + len(concurrent.errors)
    print(f"single client      : {len(single.latencies_ms)} requests, p50 {percentile(single.latencies_ms, 50):.0f} ms, "
          f"p95 {single_p95:.0f} ms, errors {len(single.errors)}")  # fmt: skip
    print(f"{clients} clients x {per_client:<4}: {concurrent.requests} requests in {concurrent.seconds:.1f} s, "
          f"throughput {concurrent.requests / concurrent.seconds:.1f} req/s")  # fmt: skip
    print(f"                     p50 {percentile(concurrent.latencies_ms, 50):.0f} ms, p95 {conc_p95:.0f} ms, "
          f"max {max(concurrent.latencies_ms, default=float('nan')):.0f} ms, errors {len(concurrent.errors)}")  # fmt: skip
    print(f"engine time p50    : {percentile(single.engine_ms, 50):.0f} ms alone, "
          f"{percentile(concurrent.engine_ms, 50):.0f} ms under load (the rest of a latency is HTTP and waiting)")  # fmt: skip
    print(f"p95 ratio          : {ratio:.1f}x single-client p95")
    for problem in (single.errors + concurrent.errors)[:5]:
        print(f"  error: {problem}")
    return ratio, errors


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Drive POST /api/ask with concurrent clients.")
    p.add_argument("--url", help="a running server; default: start `python ui.py` on a free port")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--per-client", type=int, default=25, help="questions each client asks")
    p.add_argument("--rounds", type=int, default=3, help="concurrent phases, each between two single-client ones")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL with question (and history)")
    p.add_argument("--timeout", type=float, default=120, help="seconds before one request counts as an error")
    p.add_argument("--ready-timeout", type=float, default=900, help="seconds to wait for the index to be ready")
    p.add_argument("--max-ratio", type=float, default=10)
    args = p.parse_args(argv)

    questions = load_questions(args.questions)
    server = Server(args.url.rstrip("/")) if args.url else start_server(args.ready_timeout)
    alone = [rotate(questions, 0, args.per_client)]
    plan = [rotate(questions, c * 7, args.per_client) for c in range(args.clients)]
    try:
        if args.url:
            wait_ready(server, args.ready_timeout)
        print(f"server {server.url}; {len(questions)} questions from {args.questions}")
        print(f"load average before: {_load()}")
        measure(server.url, [questions], args.timeout)  # warm-up, not measured
        singles = [measure(server.url, alone, args.timeout)]
        concurrents = []
        for _ in range(args.rounds):
            concurrents.append(measure(server.url, plan, args.timeout))
            singles.append(measure(server.url, alone, args.timeout))
        print(f"load average after : {_load()}")
    finally:
        stop_server(server)
    ratios, errors = [], 0
    for i, concurrent in enumerate(concurrents):
        # On a shared machine one single-client phase can land in a busy
        # moment; the quieter of the two around a round is its baseline
        # (which makes the ratio harder to meet).
        before, after = singles[i], singles[i + 1]
        quieter = min((before, after), key=lambda r: percentile(r.latencies_ms, 95))
        single = Run(quieter.latencies_ms, quieter.engine_ms, before.errors + after.errors, quieter.seconds)
        print(f"-- round {i + 1} of {len(concurrents)}")
        ratio, round_errors = report(single, concurrent, args.clients, args.per_client, args.max_ratio)
        ratios.append(ratio)
        errors += round_errors
    median = statistics.median(ratios)
    ok = errors == 0 and median <= args.max_ratio
    print(f"== p95 ratio, median of {len(ratios)} rounds: {median:.1f}x (rounds: {', '.join(f'{r:.1f}' for r in ratios)}); "
          f"errors {errors}; target <= {args.max_ratio:g}x and zero errors: {'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 0 if ok else 1


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


if __name__ == "__main__":
    sys.exit(main())
