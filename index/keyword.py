"""The keyword (BM25) index over chunks, persisted beside the vectors.

Built and persisted with llama-index's ``BM25Retriever`` (bm25s underneath,
English stemming). Questions search the bm25s index directly: the
retriever's own ``retrieve`` turns every hit back into a node and runs
instrumentation hooks, which costs more than the search itself and is paid on
every question.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Sequence

logging.getLogger("bm25s").setLevel(logging.WARNING)

IDS_FILE = "chunk_ids.json"  # chunk ids in the order bm25s numbers its documents


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
    # bm25s draws progress bars unless told not to; its own option keeps them
    # off without touching the process's sys.stderr, which other threads share.
    retriever.persist(str(path), show_progress=False)
    (Path(path) / IDS_FILE).write_text(json.dumps([cid for cid, _ in chunks]), encoding="utf-8")


class KeywordIndex:
    """A persisted BM25 index, searched by chunk id."""

    def __init__(self, path: Path) -> None:
        from llama_index.retrievers.bm25 import BM25Retriever

        # bm25s draws a progress bar while it maps its corpus file, which would
        # clutter every start of the CLI; its option turns it off for this load only.
        self._retriever = BM25Retriever.from_persist_dir(str(path), show_progress=False)
        self._ids: list[str] = json.loads((Path(path) / IDS_FILE).read_text(encoding="utf-8"))

    def search(self, text: str, k: int) -> list[tuple[str, float]]:
        """The best ``k`` chunk ids for ``text`` with their BM25 scores (zero scores left out)."""
        return self.search_many([text], k)[0]

    def search_many(self, texts: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        """:meth:`search` for several texts in one pass."""
        import bm25s

        r = self._retriever
        k = min(k, len(self._ids))
        if k <= 0 or not texts:
            return [[] for _ in texts]
        tokens = bm25s.tokenize(list(texts), stemmer=r.stemmer, token_pattern=r.token_pattern, show_progress=False)
        ids, scores = r.bm25.retrieve(tokens, corpus=self._ids, k=k, show_progress=False)
        return [[(str(cid), float(score)) for cid, score in zip(row_ids, row_scores) if score > 0] for row_ids, row_scores in zip(ids, scores)]
