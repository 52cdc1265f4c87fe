"""The keyword (BM25) index over chunks, persisted beside the vectors.

bm25s with English stemming and stop words, in the layout llama-index's
``BM25Retriever`` persists (indexes written by it read the same). It is
used directly: importing llama-index costs a second and a half of every
start, and its retriever turns every hit back into a node and runs
instrumentation hooks, which costs more than the search itself. Only the
index's arrays are loaded, not the chunk texts: answers read those from the
vector store.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Sequence

logging.getLogger("bm25s").setLevel(logging.WARNING)

IDS_FILE = "chunk_ids.json"  # chunk ids in the order bm25s numbers its documents
TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def build_keyword_index(chunks: Sequence[tuple[str, str]], path: Path) -> None:
    """Write a BM25 index of ``(chunk_id, text)`` pairs to ``path``."""
    import bm25s

    tokens = bm25s.tokenize(
        [text for _, text in chunks], stopwords="english", stemmer=_stemmer(), token_pattern=TOKEN_PATTERN, show_progress=False
    )
    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)
    bm25.save(str(path), show_progress=False)
    (Path(path) / IDS_FILE).write_text(json.dumps([cid for cid, _ in chunks]), encoding="utf-8")


class KeywordIndex:
    """A persisted BM25 index, searched by chunk id."""

    def __init__(self, path: Path) -> None:
        import bm25s

        # Its own option keeps bm25s quiet; swapping sys.stderr would silence
        # every other thread of a server too.
        self._bm25 = bm25s.BM25.load(str(path), load_corpus=False, show_progress=False)
        self._stemmer = _stemmer()
        self._ids: list[str] = json.loads((Path(path) / IDS_FILE).read_text(encoding="utf-8"))

    def search(self, text: str, k: int) -> list[tuple[str, float]]:
        """The best ``k`` chunk ids for ``text`` with their BM25 scores (zero scores left out)."""
        return self.search_many([text], k)[0]

    def search_many(self, texts: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        """:meth:`search` for several texts in one pass."""
        import bm25s

        k = min(k, len(self._ids))
        if k <= 0 or not texts:
            return [[] for _ in texts]
        tokens = bm25s.tokenize(list(texts), stemmer=self._stemmer, token_pattern=TOKEN_PATTERN, show_progress=False)
        ids, scores = self._bm25.retrieve(tokens, corpus=self._ids, k=k, show_progress=False)
        return [[(str(cid), float(score)) for cid, score in zip(row_ids, row_scores) if score > 0] for row_ids, row_scores in zip(ids, scores)]
