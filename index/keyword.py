"""The keyword (BM25) index over chunks, persisted beside the vectors."""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path
from typing import Any, Sequence


logging.getLogger("bm25s").setLevel(logging.WARNING)


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def build_keyword_index(chunks: Sequence[tuple[str, str]], path: Path, top_k: int = 12) -> None:
    """Write a BM25 index of ``(chunk_id, text)`` pairs to ``path``."""
    from llama_index.core.schema import TextNode
    from llama_index.retrievers.bm25 import BM25Retriever

    nodes = [TextNode(id_=cid, text=text) for cid, text in chunks]
    retriever = BM25Retriever.from_defaults(
        nodes=nodes, similarity_top_k=min(top_k, len(nodes)), stemmer=_stemmer(), language="english"
    )
    retriever.persist(str(path))


def load_keyword_index(path: Path) -> Any:
    """The persisted BM25 retriever (llama-index ``BM25Retriever``)."""
    from llama_index.retrievers.bm25 import BM25Retriever

    # bm25s draws a progress bar while it maps its corpus file, which would
    # clutter every start of the CLI.
    with contextlib.redirect_stderr(io.StringIO()):
        return BM25Retriever.from_persist_dir(str(path))
