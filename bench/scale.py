"""Scale benchmark: the index and the questions at about 1k, 10k and 100k chunks.

    python bench/scale.py [--sizes 1000 10000 100000] [--no-server] [--full-build-max 1000] [--repo-only]

Corpora are made by recombining real article text: the sentences of the seed
articles and of the wiki evaluation corpus (``../shared/eval/wiki/corpus``,
when present) are shuffled into synthetic articles of 20 to 60 sentences,
titled after the article their first sentence came from, until the corpus
has about the number of chunks asked for. Sentences therefore repeat
(each about ``chunks * 3.4 / distinct sentences`` times), as boilerplate and
quotes do in a real collection; chunks do not.

For the query-side figures the index is built by the project's own pipeline
(clean, split, chunk, Chroma, BM25) but **vectors are written directly**
instead of running the model on every synthetic text: each distinct source
sentence is embedded once by the real model, and a text's vector is the
normalised sum of the vectors of the sentences it is made of (a fragment
with no source sentence gets a fixed random vector). Questions are embedded
by the real model. The throughput of a full build (``qa index``, every text
embedded by the model, as a process of its own) is measured where it is
affordable (``--full-build-max`` chunks) and extrapolated linearly beyond.

For each size, against the local Chroma store and against a real ``chroma
run`` server, it prints: index size on disk, time to open the index in a
fresh process, process start to first answer, warm p50/p95 of a question,
the answering process's peak RSS and the Chroma server's RSS; then a
projection to 1M chunks from the measured curve, and what breaks first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from engine import pct, whole_process  # noqa: E402

from index.embedding import Embedder  # noqa: E402

SOURCES = [ROOT / "seeds", ROOT.parent / "shared" / "eval" / "wiki" / "corpus"]
QUESTION_FILES = [ROOT / "tests" / "data" / "dev_questions.jsonl", ROOT.parent / "shared" / "eval" / "questions.jsonl"]
# Set by --repo-only, and so inherited by the measuring processes: only the
# repository's own articles and questions (the test suite runs it so).
REPO_ONLY = "QA_SCALE_REPO_ONLY"


def inputs(paths: list[Path]) -> list[Path]:
    return paths[:1] if os.environ.get(REPO_ONLY) else paths
SENTENCES_PER_CHUNK = 3.4  # measured on these synthetic articles (4440 sentences, 1294 chunks)
CHROMA = Path(sys.executable).with_name("chroma")


# -- the corpus ------------------------------------------------------------------
def source_sentences() -> list[tuple[str, str]]:
    """(title, sentence) for every distinct article sentence of the source corpora."""
    from index import corpus as corpus_mod
    from index.chunking import split_document

    seen: dict[str, str] = {}
    for folder in inputs(SOURCES):
        if not folder.is_dir():
            continue
        for doc in corpus_mod.scan(folder, 10_000_000).documents:
            for s in split_document(doc):
                if s.kind == "article" and 20 <= len(s.text) <= 600 and "\n" not in s.text:
                    seen.setdefault(s.text, doc.meta.title or doc.source)
    return [(title, text) for text, title in seen.items()]


def make_corpus(folder: Path, sentences: list[tuple[str, str]], chunks: int, seed: int = 0) -> int:
    """Write synthetic articles with about ``chunks`` chunks in all; returns the number of files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    target = int(chunks * SENTENCES_PER_CHUNK)
    written, n = 0, 0
    while written < target:
        k = min(rng.randint(20, 60), target - written)
        picked = [sentences[rng.randrange(len(sentences))] for _ in range(max(k, 1))]
        title = f"{picked[0][0]} ({n})"
        paragraphs = [" ".join(s for _, s in picked[i : i + 5]) for i in range(0, len(picked), 5)]
        (folder / f"{n:07d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        written += len(picked)
        n += 1
    return n


class DirectVectors(Embedder):
    """Vectors composed from real embeddings of the source sentences (see the module docstring).

    A sentence inside a chunk gets its own vector (Embedder's fallback for
    ``sum_spans``), not one read in its chunk's context, and a chunk the
    sum of its sentences'.
    """

    name = "all-MiniLM-L6-v2"
    version = "direct vectors for benchmarking"

    def __init__(self, sentences: list[tuple[str, str]]) -> None:
        import numpy as np

        from index.embedding import get_embedder

        self.np = np
        texts = [t for _, t in sentences]
        model = get_embedder("all-MiniLM-L6-v2")
        self.lookup = dict(zip(texts, np.asarray(model.embed(texts), dtype=np.float32)))
        self.dim = model.dim

    def _random(self, text: str) -> Any:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        v = self.np.random.default_rng(seed).standard_normal(self.dim).astype(self.np.float32)
        return v / self.np.linalg.norm(v)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        from index.sentences import split_spans

        np = self.np
        out = []
        for text in texts:
            v = self.lookup.get(text)
            if v is None:
                parts = [text[a:b] for a, b in split_spans(text)] or [text]
                v = np.sum([self.lookup.get(p, self._random(p)) for p in parts], axis=0)
            out.append((v / max(float(np.linalg.norm(v)), 1e-12)).tolist())
        return out

    embed_queries = embed

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0]


# -- measuring -------------------------------------------------------------------
def measure(index_dir: Path, corpus: Path, chroma_url: str, rounds: int) -> dict:
    """Run in a fresh process: open the index, answer, report (one JSON line)."""
    from qa.config import Settings
    from qa.engine import Engine

    questions = [json.loads(x)["question"] for f in inputs(QUESTION_FILES) if f.exists() for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    engine = Engine(Settings.load({"corpus": corpus, "index_dir": index_dir, "chroma_url": chroma_url}, env={}))
    t = time.perf_counter()
    reader = engine.reader()
    open_s = time.perf_counter() - t
    engine.ask(questions[0])
    first_at = time.time()
    for q in questions:  # warm-up
        engine.ask(q)
    lat, stages = [], {"retrieve": [], "answer": []}
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            a = engine.ask(q)
            lat.append((time.perf_counter() - t) * 1000)
            for k in stages:
                stages[k].append(a.timings_ms.get(k, 0.0))
    return {
        "open_s": open_s,
        "first_at": first_at,
        "p50": pct(lat, 50),
        "p95": pct(lat, 95),
        "retrieve_p50": pct(stages["retrieve"], 50),
        "answer_p50": pct(stages["answer"], 50),
        "questions": len(lat),
        # VmHWM, not ru_maxrss: the latter counts the benchmark process this one was started from.
        "rss_mb": rss_mb(os.getpid())[1],
        "chunks": reader.chunk_count,
        "sentences": len(reader.sentences),
    }


def measure_in_process(index_dir: Path, corpus: Path, chroma_url: str, rounds: int) -> dict:
    t0 = time.time()
    cmd = [sys.executable, __file__, "--measure", str(index_dir), str(corpus), chroma_url, str(rounds)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["exit %d" % done.returncode])[-1][:200]}
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["first_s"] = out.pop("first_at") - t0
    return out


def disk_mb(*paths: Path) -> float:
    return sum(f.stat().st_size for p in paths if p.exists() for f in p.rglob("*") if f.is_file()) / 1e6


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("chroma run did not come up within 60 s")


def build(corpus: Path, index_dir: Path, embedder: Any, chroma_url: str = "") -> tuple[float, Any]:
    from index.build import build_index
    from qa.config import Settings

    settings = Settings.load({"corpus": corpus, "index_dir": index_dir, "chroma_url": chroma_url}, env={})
    t = time.perf_counter()
    report = build_index(corpus, index_dir, settings.index_spec(), chroma_url=chroma_url, collection=settings.collection, embedder=embedder, batch_size=256)
    return time.perf_counter() - t, report


def full_build(corpus: Path, index_dir: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of ``qa index`` embedding everything, as a process of its own."""
    return whole_process([sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus), "--index-dir", str(index_dir)], dict(os.environ))


# -- the report ------------------------------------------------------------------
HEADER = f"{'chunks':>8} {'sentences':>9} {'store':>6} {'build*':>8} {'disk MB':>8} {'open s':>7} {'first s':>7} {'p50 ms':>7} {'p95 ms':>7} {'retr p50':>8} {'ans p50':>7} {'RSS MB':>7} {'server MB':>9}"


def row(chunks: int, sentences: int, store: str, build_s: float, disk: float, m: dict, server: float | None) -> str:
    if "error" in m:
        return f"{chunks:>8} {sentences:>9} {store:>6} {build_s:>8.1f} {disk:>8.0f}  failed: {m['error']}"
    srv = f"{server:>9.0f}" if server is not None else f"{'-':>9}"
    return (
        f"{chunks:>8} {sentences:>9} {store:>6} {build_s:>8.1f} {disk:>8.0f} {m['open_s']:>7.2f} {m['first_s']:>7.2f} {m['p50']:>7.1f} {m['p95']:>7.1f}"
        f" {m['retrieve_p50']:>8.1f} {m['answer_p50']:>7.1f} {m['rss_mb']:>7.0f} {srv}"
    )


def project(points: list[tuple[float, float]], at: float) -> float | None:
    """Power-law fit through the last two measured points, evaluated at ``at``."""
    pts = [(x, y) for x, y in points if y > 0]
    if len(pts) < 2:
        return None
    (x1, y1), (x2, y2) = pts[-2], pts[-1]
    slope = math.log(y2 / y1) / math.log(x2 / x1)
    return y2 * (at / x2) ** slope


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="chunks per corpus (about)")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the questions for latency")
    ap.add_argument("--no-server", action="store_true", help="skip the chroma run server")
    ap.add_argument("--server-max", type=int, default=100000, help="largest size also measured against the chroma run server")
    ap.add_argument("--full-build-max", type=int, default=1000, help="largest size built with every text embedded by the model")
    ap.add_argument("--keep", type=Path, help="build under this folder and keep it (default: a temporary one)")
    ap.add_argument("--repo-only", action="store_true", help="only the repository's seed articles and its own questions (not ../shared)")
    ap.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.repo_only:
        os.environ[REPO_ONLY] = "1"
    if args.measure:
        index_dir, corpus, url, rounds = args.measure
        print(json.dumps(measure(Path(index_dir), Path(corpus), url, int(rounds))))
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="qa-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"Embedding the distinct source sentences once with the real model (work folder {work})...", flush=True)
    sentences = source_sentences()
    t = time.perf_counter()
    vectors = DirectVectors(sentences)
    print(f"{len(sentences)} distinct source sentences embedded in {time.perf_counter() - t:.1f} s", flush=True)
    print("build* = the index built by the pipeline with vectors written directly (no model); first s = process start to first answer")
    print(HEADER, flush=True)
    results: dict[str, list[tuple[int, dict, float, float | None]]] = {"local": [], "server": []}
    throughput = []
    try:
        for size in args.sizes:
            corpus = work / f"corpus-{size}"
            if not corpus.exists():
                make_corpus(corpus, sentences, size)
            for store in ("local", "server"):
                if store == "server" and (args.no_server or not CHROMA.exists() or size > args.server_max):
                    continue
                index_dir = work / f"index-{size}-{store}"
                shutil.rmtree(index_dir, ignore_errors=True)
                server, url = (None, "")
                if store == "server":
                    shutil.rmtree(work / f"chroma-{size}", ignore_errors=True)
                    server, url = start_chroma(work / f"chroma-{size}")
                try:
                    build_s, report = build(corpus, index_dir, vectors, url)
                    disk = disk_mb(index_dir, *([work / f"chroma-{size}"] if server else []))
                    m = measure_in_process(index_dir, corpus, url, args.rounds)
                    server_mb = rss_mb(server.pid)[0] if server else None
                finally:
                    if server:
                        server.terminate()
                        server.wait(timeout=60)
                print(row(report.chunks, report.sentences, store, build_s, disk, m, server_mb), flush=True)
                results[store].append((report.chunks, {**m, "disk": disk, "build_s": build_s, "sentences": report.sentences}, build_s, server_mb))
            if size <= args.full_build_max:
                full_dir = work / f"index-{size}-full"
                shutil.rmtree(full_dir, ignore_errors=True)
                seconds, peak = full_build(corpus, full_dir)
                from index.manifest import read_manifest

                manifest = read_manifest(full_dir)
                n_chunks, n_sent = manifest.chunks, manifest.sentences  # type: ignore[union-attr]
                throughput.append((n_chunks, seconds))
                print(
                    f"full build of {n_chunks} chunks ({n_sent} sentences, every text embedded by the model, qa index as a process):"
                    f" {seconds:.1f} s, {n_chunks / seconds:.0f} chunks/s, peak RSS {peak:.0f} MB",
                    flush=True,
                )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print("Projection to 1,000,000 chunks (power law through the two largest measured sizes):")
    for store, res in results.items():
        ok = [(c, m, s) for c, m, _, s in res if "error" not in m]
        if len(ok) < 2:
            continue
        parts = []
        for key, label, unit in (("disk", "disk", "MB"), ("open_s", "open", "s"), ("p95", "p95", "ms"), ("rss_mb", "answering process RSS", "MB")):
            value = project([(c, m[key]) for c, m, _ in ok], 1e6)
            if value is not None:
                parts.append(f"{label} {value:,.0f} {unit}" if value >= 10 else f"{label} {value:.2f} {unit}")
        if store == "server":
            value = project([(c, s) for c, _, s in ok if s], 1e6)
            if value is not None:
                parts.append(f"server RSS {value:,.0f} MB")
        print(f"  {store:>6}: " + ", ".join(parts))
    if throughput:
        chunks, seconds = throughput[-1]
        print(f"  full build at the measured {chunks / seconds:.0f} chunks/s: {1e6 / (chunks / seconds) / 3600:.1f} h for 1M chunks (linear: every text is embedded once)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
