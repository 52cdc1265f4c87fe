"""Where vectors live: a Chroma store, local (a folder) or a server (a URL).

Each build writes its own *generation* of collections and the manifest names
the generation that is current. Readers only follow the manifest, so a build
that fails half-way leaves the previous generation untouched and usable.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index.errors import IndexStoreError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

CHUNKS = "chunks"
SENTENCES = "sentences"
_GEN = re.compile(r"^(?P<prefix>.+)_(?P<gen>g\d+)_(chunks|sentences)$")


class ChromaStore:
    """The Chroma client for one index, and its collections per generation."""

    def __init__(self, index_dir: Path, chroma_url: str = "", prefix: str = "qa") -> None:
        self.index_dir = Path(index_dir)
        self.chroma_url = chroma_url
        self.prefix = prefix
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.chroma_url:
            url = urlparse(self.chroma_url)
            if url.scheme not in {"http", "https"} or not url.hostname:
                raise IndexStoreError(
                    f"Chroma URL {self.chroma_url!r} is not an http(s) URL.",
                    "Use the form http://HOST:PORT, e.g. http://127.0.0.1:8000.",
                )
            try:
                client = chromadb.HttpClient(
                    host=url.hostname,
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
                client.heartbeat()
            except Exception as exc:
                raise IndexStoreError(
                    f"Cannot reach the Chroma server at {self.chroma_url} ({type(exc).__name__}).",
                    "Start it (chroma run --path DIR --port 8000) or unset QA_CHROMA_URL to use a local store.",
                ) from None
            return client
        path = self.index_dir / "chroma"
        try:
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:
            raise IndexStoreError(
                f"Cannot open the Chroma store in {path} ({exc}).",
                "Check that the index folder is writable, or pass --index-dir DIR.",
            ) from None

    def name(self, generation: str, kind: str) -> str:
        return f"{self.prefix}_{generation}_{kind}"

    def collection(self, generation: str, kind: str, create: bool = False) -> Any:
        name = self.name(generation, kind)
        try:
            if create:
                return self.client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"})
            return self.client.get_collection(name)
        except IndexStoreError:
            raise
        except Exception as exc:
            raise IndexStoreError(
                f"Chroma collection {name} cannot be opened ({exc}).",
                "Rebuild the index with: qa index --rebuild",
            ) from None

    def generations(self) -> set[str]:
        found = set()
        for c in self.client.list_collections():
            name = c if isinstance(c, str) else c.name
            m = _GEN.match(name)
            if m and m.group("prefix") == self.prefix:
                found.add(m.group("gen"))
        return found

    def drop(self, generation: str) -> None:
        for kind in (CHUNKS, SENTENCES):
            try:
                self.client.delete_collection(self.name(generation, kind))
            except Exception:
                pass  # already gone


def read_all(collection: Any, include: list[str], where: dict | None = None, page: int = 10_000) -> dict[str, list]:
    """Every record of a collection, paged.

    A page is one SQL statement with a variable per record, and SQLite
    allows 32,766; the fewer the pages, the faster (33k sentences with their
    vectors: 7.6 s in pages of 2,000, 5.4 s in pages of 10,000).
    """
    out: dict[str, list] = {"ids": [], **{k: [] for k in include}}
    offset = 0
    while True:
        got = collection.get(include=include, where=where, limit=page, offset=offset)
        ids = got["ids"]
        out["ids"].extend(ids)
        for k in include:
            values = got.get(k)
            out[k].extend(list(values) if values is not None else [None] * len(ids))
        if len(ids) < page:
            return out
        offset += page
