"""Load benchmark of POST /api/ask: concurrent clients against one server.

    python bench/load.py                      # starts `python ui.py` on a free port
    python bench/load.py --url http://127.0.0.1:7860 --clients 20 --per-client 25
    python bench/load.py --workers 1,2,3      # `python ui.py --workers N` for each N in turn, same questions
    python bench/load.py --workers 1,2 --chroma-server   # ... against a `chroma run` server it starts

Questions (and their history) come from the shared eval set. Every question
is asked once first, unmeasured, so that every measured phase sees the same
warm server; then one client asks ``--per-client`` questions in turn (the
single-client latency), then ``--clients`` clients each ask as many at once,
then one client again, for ``--rounds`` rounds. Each round also prints its
concurrent p95 against the single-client p95 around it. The verdict is the
median round's concurrent p95 and throughput against ``--target-p95`` ms at
``--target-rps`` requests a second (one round on a shared two-core machine
swings by a tenth either way; the host's pace, by up to twice from hour to
hour). Exits non-zero on any error; a target not met is reported, not an
error, so that the benchmark can run anywhere.

With ``--workers``, each deployment is started, measured and stopped in
turn (with 1, the single process; with more, the API processes are
measured, the chat running beside them), and a table at the end compares
them: median over rounds of p50, p95 and throughput, errors, the load
average while it ran, and the memory of all its processes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Iterator
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
    by_process: Counter[str] = field(default_factory=Counter)  # answers per X-Worker-PID (several API processes)
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
        self.process = ""  # the X-Worker-PID of the last response, if any

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        headers = {} if data is None else {"Content-Type": "application/json"}
        try:
            self.conn.request(method, self.prefix + path, body=data, headers=headers)
            response = self.conn.getresponse()
            self.process = response.getheader("x-worker-pid", "")
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
                run.by_process[client.process] += 1


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


def start_server(ready_timeout: float, workers: int = 1, env: dict[str, str] | None = None) -> Server:
    """`python ui.py --workers N` on free ports, with this environment's QA_* settings (and ``env``).

    Returns the server whose /api/ask is measured: the one process, or with
    several workers, their API port (the chat listens on the other).
    """
    port, api_port = free_port(), free_port()
    log = Path(tempfile.mkstemp(prefix=f"qa-bench-server-{workers}w-", suffix=".log")[1])
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1", **(env or {})}
    command = [sys.executable, str(ROOT / "ui.py"), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--api-port", str(api_port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{api_port if workers > 1 else port}", process, log)
    wait_ready(server, ready_timeout)
    return server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()


def process_tree(pids: list[int]) -> list[int]:
    """These processes and all their descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], list(pids)
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def tree_rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes and their descendants, in MB."""
    total_kb = 0
    for p in process_tree(pids):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


def tree_cpu_s(pids: list[int]) -> float:
    """CPU seconds (user and system) these processes and their descendants have used so far."""
    ticks = 0
    for p in process_tree(pids):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def chroma_server() -> Iterator[tuple[str, int]]:
    """A `chroma run` server on a free port over a temporary folder; yields its URL and process id."""
    from scale import start_chroma  # the same server the scale benchmark measures

    data = Path(tempfile.mkdtemp(prefix="qa-bench-chroma-"))
    process, url = start_chroma(data)
    try:
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)


def report(single: Run, concurrent: Run, clients: int, per_client: int) -> int:
    """Print one round; returns its error count."""
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
    if len(concurrent.by_process) > 1:
        shares = " / ".join(str(n) for _, n in concurrent.by_process.most_common())
        print(f"answers by process : {shares} (each client keeps its connection, and so its process)")
    print(f"p95 ratio          : {ratio:.1f}x single-client p95")
    for problem in (single.errors + concurrent.errors)[:5]:
        print(f"  error: {problem}")
    return errors


@dataclass
class Measured:
    """One deployment's phases: the single-client ones and the concurrent rounds between them."""

    singles: list[Run]
    concurrents: list[Run]
    load_before: str
    load_after: str
    rss_mb: float = float("nan")
    server_cpu_ms: float = float("nan")  # CPU the server's processes spent per concurrent request
    client_cpu_ms: float = float("nan")  # ... and this benchmark's clients


def run_phases(url: str, questions: list[dict[str, Any]], args: argparse.Namespace, server: list[int] | None = None) -> Measured:
    """Warm up, then single-client and concurrent phases in turn; ``server``: the processes whose CPU to count."""
    alone = [rotate(questions, 0, args.per_client)]
    plan = [rotate(questions, c * 7, args.per_client) for c in range(args.clients)]
    load_before = _load()
    measure(url, [questions], args.timeout)  # warm-up, not measured
    singles = [measure(url, alone, args.timeout)]
    concurrents = []
    server_cpu = client_cpu = 0.0
    for _ in range(args.rounds):
        server_before, client_before = tree_cpu_s(server or []), own_cpu_s()
        concurrents.append(measure(url, plan, args.timeout))
        server_cpu += tree_cpu_s(server or []) - server_before
        client_cpu += own_cpu_s() - client_before
        singles.append(measure(url, alone, args.timeout))
    m = Measured(singles, concurrents, load_before, _load())
    requests = sum(r.requests for r in concurrents)
    if server:
        m.rss_mb = tree_rss_mb(server)
        m.server_cpu_ms = server_cpu / requests * 1000
    m.client_cpu_ms = client_cpu / requests * 1000
    return m


def report_rounds(m: Measured, args: argparse.Namespace) -> int:
    """Print every round; returns the error count."""
    errors = 0
    for i, concurrent in enumerate(m.concurrents):
        # On a shared machine one single-client phase can land in a busy
        # moment; the quieter of the two around a round is its baseline.
        before, after = m.singles[i], m.singles[i + 1]
        quieter = min((before, after), key=lambda r: percentile(r.latencies_ms, 95))
        single = Run(quieter.latencies_ms, quieter.engine_ms, before.errors + after.errors, quieter.seconds)
        print(f"-- round {i + 1} of {len(m.concurrents)}")
        errors += report(single, concurrent, args.clients, args.per_client)
    return errors


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Drive POST /api/ask with concurrent clients.")
    p.add_argument("--url", help="a running server; default: start `python ui.py` on a free port")
    p.add_argument("--workers", default="1", help="comma-separated API process counts to start and compare in turn (e.g. 1,2,3)")
    p.add_argument("--chroma-server", action="store_true", help="start a `chroma run` server and index into it (default: the local store)")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--per-client", type=int, default=25, help="questions each client asks")
    p.add_argument("--rounds", type=int, default=3, help="concurrent phases, each between two single-client ones")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL with question (and history)")
    p.add_argument("--timeout", type=float, default=120, help="seconds before one request counts as an error")
    p.add_argument("--ready-timeout", type=float, default=900, help="seconds to wait for the index to be ready")
    p.add_argument("--target-p95", type=float, default=150, help="ms: the concurrent p95 to stay within (default 150)")
    p.add_argument("--target-rps", type=float, default=200, help="requests a second to reach meanwhile (default 200)")
    args = p.parse_args(argv)
    try:
        counts = [int(n) for n in args.workers.split(",")]
    except ValueError:
        p.error(f"--workers takes process counts separated by commas, like 1,2,3 (got {args.workers!r})")
    if args.url and (counts != [1] or args.chroma_server):
        p.error("--url measures a server that is already running: --workers and --chroma-server start their own")

    questions = load_questions(args.questions)
    if args.url:
        server = Server(args.url.rstrip("/"))
        wait_ready(server, args.ready_timeout)
        print(f"server {server.url}; {len(questions)} questions from {args.questions}")
        results = {1: run_phases(server.url, questions, args)}
    else:
        with contextlib.ExitStack() as stack:
            env, shared = {}, []
            if args.chroma_server:
                chroma_url, chroma_pid = stack.enter_context(chroma_server())
                env["QA_CHROMA_URL"] = chroma_url
                env["QA_INDEX_DIR"] = stack.enter_context(tempfile.TemporaryDirectory(prefix="qa-bench-index-"))
                shared.append(chroma_pid)  # its CPU and memory count as the deployment's
            results = {}
            for n in counts:
                server = start_server(args.ready_timeout, n, env)
                print(f"server {server.url} ({n} API process{'es' if n > 1 else ''}); {len(questions)} questions from {args.questions}", flush=True)
                try:
                    assert server.process is not None
                    results[n] = run_phases(server.url, questions, args, [server.process.pid, *shared])
                finally:
                    stop_server(server)
    failed = False
    for n, m in results.items():
        if len(results) > 1:
            print(f"== {n} API process{'es' if n > 1 else ''}")
        print(f"load average before: {m.load_before}; after: {m.load_after}")
        errors = report_rounds(m, args)
        failed |= errors > 0
        p95 = statistics.median(percentile(r.latencies_ms, 95) for r in m.concurrents)
        rps = statistics.median(r.requests / r.seconds for r in m.concurrents)
        met = p95 <= args.target_p95 and rps >= args.target_rps
        print(f"== {args.clients} clients, median of {len(m.concurrents)} rounds: p95 {p95:.0f} ms at {rps:.1f} req/s "
              f"(target p95 <= {args.target_p95:g} ms at >= {args.target_rps:g} req/s: {'met' if met else 'not met'}); "
              f"errors {errors}: {'FAIL' if errors else 'OK'}")  # fmt: skip
    if not args.url:
        print_comparison(results, args.clients, "a chroma run server" if args.chroma_server else "the local store")
    return 1 if failed else 0


def print_comparison(results: dict[int, Measured], clients: int, store: str) -> None:
    """One line per deployment: medians over its rounds, so that the counts compare at a glance."""
    print(f"\n{clients} clients, index in {store}; req/s, p50 and p95: median of the rounds; "
          "CPU: ms per answer under load, the server's processes and the clients; "
          "cores used: the server's CPU over the concurrent phases' time; RSS: all the server's processes")  # fmt: skip
    print("workers   req/s   p50 ms   p95 ms   errors   server CPU   cores used   client CPU   RSS MB   load avg before/after")
    for n, m in results.items():
        throughput = statistics.median(r.requests / r.seconds for r in m.concurrents)
        p50 = statistics.median(percentile(r.latencies_ms, 50) for r in m.concurrents)
        p95 = statistics.median(percentile(r.latencies_ms, 95) for r in m.concurrents)
        errors = sum(len(r.errors) for r in m.concurrents + m.singles)
        loads = f"{m.load_before.split()[0]} / {m.load_after.split()[0]}"
        cores = m.server_cpu_ms / 1000 * sum(r.requests for r in m.concurrents) / sum(r.seconds for r in m.concurrents)
        print(f"{n:>7} {throughput:>7.1f} {p50:>8.0f} {p95:>8.0f} {errors:>8} {m.server_cpu_ms:>9.1f} ms "
              f"{cores:>12.2f} {m.client_cpu_ms:>9.1f} ms {m.rss_mb:>8.0f}   {loads}")  # fmt: skip


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


if __name__ == "__main__":
    sys.exit(main())
