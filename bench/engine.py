"""Engine benchmark: start-up, query latency, indexing, and a textbook baseline.

    python bench/engine.py [--questions FILE] [--corpus DIR] [--rounds N] [--build-corpus DIR] [--build-rounds N]

Prints, in one run on this machine:

* process start to first answer, index present: a fresh ``qa ask`` process,
  and a fresh ``qa serve`` answering its first HTTP request;
* warm query latency p50 / p95 over the question set, asked from one
  thread and from several in turn (as a server's request threads do);
* index build time (empty index folder) and re-index time of the unchanged corpus;
* the build of ``--build-corpus`` (the wiki corpus) by ``qa index`` and by the
  textbook pipeline, each timed as a whole process (start, imports, model
  load, build) with its peak RSS, taken in turn ``--build-rounds`` times
  (the median of each);
* the textbook LlamaIndex pipeline on the same questions (``VectorStoreIndex``
  over Chroma, default splitter, dense top-k, same embedding model): its
  evidence_hit and retrieval latency, beside ours.

Targets (not asserted): first answer <= 2 s; warm p50 <= 10 ms, p95 <= 25 ms;
re-index <= 1 s; whole-process build <= 1.2x the textbook pipeline's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa.concurrency import limit_blas_threads
from qa.config import Settings  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.metrics import norm, score  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def evidence_phrases(q: dict) -> list[str]:
    ev = q.get("evidence") or []
    return ev if isinstance(ev, list) else [ev]


def textbook_build(corpus: Path, path: Path) -> Any:
    """The LlamaIndex quick-start pipeline's index of ``corpus`` in a Chroma store at ``path``."""
    import chromadb
    from llama_index.core import Settings as LISettings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.embedding import get_embedder, llama_index_embedding

    LISettings.embed_model = llama_index_embedding(get_embedder("all-MiniLM-L6-v2"))  # the same MiniLM
    LISettings.llm = None
    client = chromadb.PersistentClient(path=str(path))
    collection = client.get_or_create_collection("baseline")
    docs = SimpleDirectoryReader(str(corpus), required_exts=[".txt", ".md"]).load_data()
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    return VectorStoreIndex.from_documents(docs, storage_context=storage)


def textbook_baseline(corpus: Path, questions: list[dict], top_k: int) -> dict:
    """The LlamaIndex quick-start pipeline over the same files and model."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        index = textbook_build(corpus, Path(tmp))
        build_s = time.perf_counter() - t0
        retriever = index.as_retriever(similarity_top_k=top_k)
        hits, lat = 0, []
        answerable = [q for q in questions if q.get("answerable", True)]
        for q in answerable:
            t = time.perf_counter()
            nodes = retriever.retrieve(q["question"])
            lat.append((time.perf_counter() - t) * 1000)
            text = " | ".join(norm(n.node.get_content()) for n in nodes)
            hits += any(norm(e) in text for e in evidence_phrases(q))
    return {"evidence_hit": round(hits / max(len(answerable), 1), 3), "p50": pct(lat, 50), "p95": pct(lat, 95), "build_s": build_s}


def whole_process(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a command run to its end as a process of its own.

    The peak is read from /proc while it runs: the rusage of a child counts
    the memory of this process it was forked from.
    """
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0.0
        while proc.poll() is None:
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
                peak = max(peak, int(status.split("VmHWM:")[1].split()[0]) / 1024)
            except (OSError, IndexError, ValueError):
                pass  # exiting
            time.sleep(0.05)
        seconds = time.perf_counter() - t
        if proc.returncode:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-2000:]}")
    return seconds, peak


def serve_first_answer(env: dict[str, str], question: str) -> float:
    """Seconds from starting ``qa serve`` to its first answer over HTTP."""
    port = free_port()
    body = json.dumps({"question": question}).encode()
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit("qa serve exited before answering")
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/ask", data=body, headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=30) as resp:
                    if resp.status == 200 and json.load(resp).get("answer"):
                        return time.perf_counter() - t
            except OSError:
                time.sleep(0.02)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "questions.jsonl")
    ap.add_argument("--corpus", type=Path, default=ROOT / "seeds")
    ap.add_argument("--rounds", type=int, default=5, help="passes over the question set for latency")
    ap.add_argument("--baseline-top-k", type=int, default=2, help="the quick-start default is 2")
    ap.add_argument("--build-corpus", type=Path, default=ROOT.parent / "shared" / "eval" / "wiki" / "corpus", help="corpus whose whole-process builds are compared")
    ap.add_argument("--build-rounds", type=int, default=3, help="whole-process builds of each pipeline, taken in turn")
    ap.add_argument("--textbook-build", nargs=2, type=Path, metavar=("CORPUS", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.textbook_build:  # the textbook pipeline's build, as a process of its own
        textbook_build(*args.textbook_build)
        return 0
    questions = [json.loads(x) for x in args.questions.read_text(encoding="utf-8").splitlines() if x.strip()]

    limit_blas_threads()  # as the qa commands and servers do for their process
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load({"corpus": args.corpus, "index_dir": Path(tmp) / "index"}, env={})
        engine = Engine(settings)
        engine.embedder  # model load is start-up, not indexing
        t = time.perf_counter()
        engine.build()
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        report = engine.build()
        reindex_s = time.perf_counter() - t
        assert report.embedded == 0

        env = dict(os.environ, QA_INDEX_DIR=str(settings.index_dir), QA_CORPUS=str(args.corpus))
        first_s = [whole_process([sys.executable, "-m", "qa.cli", "ask", questions[0]["question"]], env)[0] for _ in range(3)]
        serve_s = [serve_first_answer(env, questions[0]["question"]) for _ in range(3)]

        answers = [engine.ask(q["question"], q.get("history", [])).to_dict() for q in questions]  # warm-up
        lat = []
        for _ in range(args.rounds):
            for q in questions:
                t = time.perf_counter()
                engine.ask(q["question"], q.get("history", []))
                lat.append((time.perf_counter() - t) * 1000)
        # A server asks from whichever of its request threads is free; what
        # the model does per calling thread must not cost anything there.
        threads = [ThreadPoolExecutor(max_workers=1) for _ in range(8)]
        lat_threads = []
        for i, q in enumerate(questions * args.rounds):
            t = time.perf_counter()
            threads[i % len(threads)].submit(engine.ask, q["question"], q.get("history", [])).result()
            lat_threads.append((time.perf_counter() - t) * 1000)
        for pool in threads:
            pool.shutdown()
        quality = score(questions, answers, args.corpus)

    base = textbook_baseline(args.corpus, questions, args.baseline_top_k)
    # Whole-process builds, ours and the textbook's in turn, so that a busy
    # spell of a shared machine slows both: the ratio is of the medians.
    builds: dict[str, list[tuple[float, float]]] = {"ours": [], "textbook": []}
    for _ in range(args.build_rounds):
        with tempfile.TemporaryDirectory() as tmp:
            for name, cmd in (
                ("ours", [sys.executable, "-m", "qa.cli", "index", "--corpus", str(args.build_corpus), "--index-dir", f"{tmp}/ours"]),
                ("textbook", [sys.executable, __file__, "--textbook-build", str(args.build_corpus), f"{tmp}/textbook"]),
            ):
                builds[name].append(whole_process(cmd, dict(os.environ)))
    print(f"corpus: {args.corpus}  questions: {len(questions)}  rounds: {args.rounds}")
    print(
        f"process start to first answer: qa ask {min(first_s):.2f} s (of {', '.join(f'{x:.2f}' for x in first_s)}); "
        f"qa serve {min(serve_s):.2f} s (of {', '.join(f'{x:.2f}' for x in serve_s)}) (target 2 s)"
    )
    print(f"warm query latency: p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms (target 10 / 25 ms)")
    print(f"  asked from 8 threads in turn (as a server does): p50 {pct(lat_threads, 50):.1f} ms, p95 {pct(lat_threads, 95):.1f} ms")
    print(f"index build: {build_s:.2f} s; re-index unchanged corpus: {reindex_s * 1000:.0f} ms (target 1000 ms)")
    ours_s, base_s = (statistics.median(s for s, _ in builds[k]) for k in ("ours", "textbook"))
    ours_mb, base_mb = (max(mb for _, mb in builds[k]) for k in ("ours", "textbook"))
    print(
        f"whole-process build of {args.build_corpus.name}/ ({args.build_corpus.parent.name}), median of {args.build_rounds}:"
        f" qa index {ours_s:.2f} s, peak {ours_mb:.0f} MB; textbook pipeline {base_s:.2f} s, peak {base_mb:.0f} MB;"
        f" ratio {ours_s / base_s:.2f}x (target 1.2x)"
    )
    print(f"  rounds: qa index {', '.join(f'{s:.2f}' for s, _ in builds['ours'])}; textbook {', '.join(f'{s:.2f}' for s, _ in builds['textbook'])}")
    print(f"this engine:       evidence_hit {quality['evidence_hit']:.3f}  answer_accuracy {quality['answer_accuracy']:.3f}  p50 {pct(lat, 50):.1f} ms  p95 {pct(lat, 95):.1f} ms")
    print(
        f"textbook pipeline: evidence_hit {base['evidence_hit']:.3f}  (retrieval only, top-{args.baseline_top_k})"
        f"  p50 {base['p50']:.1f} ms  p95 {base['p95']:.1f} ms  build {base['build_s']:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
