"""The one settings object: every default and its help text in one place.

Each setting can be given, from weakest to strongest, as its default here, as
an environment variable ``QA_<NAME>`` (upper case), or as an explicit override
(a CLI flag, a test). Unknown names are refused with the list of known ones.
The README's settings table is generated from :func:`describe`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from index.errors import SettingsError
from index.manifest import IndexSpec

ENV_PREFIX = "QA_"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    # Corpus and index -----------------------------------------------------
    corpus: Path = _setting(Path("seeds"), "Folder of articles (.txt, .md, .rst, .html) to index, with an optional metadata.json sidecar.")
    index_dir: Path = _setting(Path(".qa-index"), "Folder for the local index (Chroma store, keyword index, manifest).")
    chroma_url: str = _setting("", "URL of a Chroma server (e.g. http://127.0.0.1:8000); empty: a local store in index_dir.")
    collection: str = _setting("qa", "Name prefix of the Chroma collections.")
    embedding_model: str = _setting("all-MiniLM-L6-v2", "Sentence-embedding model: the bundled all-MiniLM-L6-v2, or a local BERT-family sentence-transformers folder (run on ONNX Runtime).")
    embed_batch_size: int = _setting(32, "Texts embedded per batch while indexing.")
    chunk_tokens: int = _setting(160, "Largest chunk, in tiktoken tokens; chunks never split a sentence.")
    chunk_overlap: int = _setting(1, "Sentences repeated at the start of the next chunk.")
    tokenizer: str = _setting("cl100k_base", "tiktoken encoding used to count chunk tokens.")
    max_file_mb: float = _setting(10.0, "Files larger than this are skipped with a reason.")
    index_lock_wait: float = _setting(30.0, "Seconds a build waits for another process's build of the same index folder before giving up.")
    # Retrieval --------------------------------------------------------------
    dense_top_k: int = _setting(12, "Chunks taken from the dense (embedding) ranking per question.")
    keyword_top_k: int = _setting(12, "Chunks taken from the BM25 index per question.")
    rrf_k: int = _setting(60, "Reciprocal-rank-fusion constant: larger flattens the rank weights.")
    passages: int = _setting(6, "Fused chunks whose sentences compete as evidence.")
    sentence_scan_max: int = _setting(
        50_000,
        "Up to this many indexed sentences, the chunks and sentences nearest a question are found by scoring every vector (exact;"
        " the build writes the chunk vectors beside the sentences for it); above, the chunks by Chroma's HNSW index (approximate,"
        " but its cost does not grow with the corpus) and the sentences among those chunks'.",
    )
    # Answers ------------------------------------------------------------------
    mode: str = _setting("extractive", "Answer mode: 'extractive' (offline, every word quoted) or 'llm'.")
    answer_sentences: int = _setting(3, "Most sentences in an extractive answer.")
    answer_words: int = _setting(90, "Soft word budget of an extractive answer; the best sentence is always kept.")
    min_support: float = _setting(
        -1.0, "Abstain when the probability that the articles answer the question is below this (0-1); -1: the threshold the scorer was trained with."
    )
    unsure_below: float = _setting(
        0.5,
        "An answer whose probability that the articles answer the question is below this comes with a caution to check its quotes"
        " (0-1; 0: never). At 0.5 the scorer finds the question likelier unanswered than answered, though above min_support.",
    )
    scorer: str = _setting("", "File of answer-scoring weights written by scripts/train_scorer.py; empty: the shipped qa/scorer.json.")
    include_comments: bool = _setting(True, "Let reader comments serve as evidence (always labelled as comments).")
    max_question_chars: int = _setting(2000, "Longest question accepted.")
    # LLM (mode 'llm') ---------------------------------------------------------
    llm_backend: str = _setting("openai", "LLM backend: 'openai' (any OpenAI-compatible server), 'ollama' or 'gguf'.")
    llm_base_url: str = _setting("", "Base URL of the OpenAI-compatible server (e.g. http://127.0.0.1:8080/v1) or of Ollama.")
    llm_model: str = _setting("", "Model name on the LLM server.")
    llm_api_key_env: str = _setting("OPENAI_API_KEY", "Environment variable holding the LLM server's API key (may be unset).")
    llm_gguf_path: str = _setting("", "Path to a local GGUF file (backend 'gguf', needs the 'gguf' extra).")
    llm_timeout: float = _setting(30.0, "Seconds before an LLM call is abandoned and the extractive answer is returned.")
    llm_max_tokens: int = _setting(256, "Most tokens an LLM answer may have.")
    llm_context_window: int = _setting(4096, "Context window asked of Ollama and of a local GGUF model (tokens).")
    llm_support_threshold: float = _setting(
        0.7, "How well a cited sentence must support a generated sentence to keep it (0-1; see qa/verify.py)."
    )
    # Server -------------------------------------------------------------------
    host: str = _setting("127.0.0.1", "Address the chat and API server listens on.")
    port: int = _setting(7860, "Port of the chat and API server.")
    workers: int = _setting(
        1, "Processes serving the API and the widget. 1: one process serves everything on port; more: the chat keeps one process on port and this many serve the API and the widget on api_port."
    )
    api_port: int = _setting(0, "Port of the API and widget processes when workers > 1; 0: port + 1.")
    allowed_origins: str = _setting("", "Comma-separated origins allowed to frame /widget and the chat (CSP frame-ancestors); empty: this server only.")
    api_token: str = _setting("", "If set, every route requires it: Authorization: Bearer TOKEN, or the cookie set by the chat's form or by /widget?token=TOKEN.")
    max_request_kb: int = _setting(256, "Largest HTTP request body any route accepts (KiB); a larger one gets 413.")
    max_comment_chars: int = _setting(2000, "Longest comment the chat's feedback box accepts (characters).")
    feedback_file: Path = _setting(Path("var/feedback.jsonl"), "Where thumbs up/down from the chat are appended, one JSON object a line.")

    # -------------------------------------------------------------------------
    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> "Settings":
        """Defaults, then ``QA_*`` environment variables, then ``overrides``.

        ``None`` values in ``overrides`` mean "not given" so CLI flags can be
        passed straight through.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _coerce(f, raw)
        for name, value in (overrides or {}).items():
            if value is None:
                continue
            values[name] = value
        return cls().replace(**values)

    def replace(self, **changes: Any) -> "Settings":
        known = {f.name: f for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise SettingsError(
                f"Unknown setting(s): {', '.join(unknown)}.",
                f"Known settings: {', '.join(known)}.",
            )
        coerced = {k: _coerce(known[k], v) if isinstance(v, str) and known[k].type != "str" else v for k, v in changes.items()}
        return dataclasses.replace(self, **coerced)

    def environment(self) -> dict[str, str]:
        """These settings as ``QA_*`` environment variables, for a child process's :meth:`load`."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[ENV_PREFIX + f.name.upper()] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return out

    def index_spec(self) -> IndexSpec:
        """The part of the settings that shapes the index (kept in its manifest)."""
        return IndexSpec(
            embedding_model=self.embedding_model,
            chunk_tokens=self.chunk_tokens,
            chunk_overlap=self.chunk_overlap,
            tokenizer=self.tokenizer,
        )


def _coerce(f: dataclasses.Field, raw: Any) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            value = str(raw).strip().lower()
            if value in {"1", "true", "yes", "on"}:
                return True
            if value in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise SettingsError(
            f"Setting {f.name} expects {kind}, got {raw!r}.",
            f"Set {ENV_PREFIX}{f.name.upper()} or the flag to a valid {kind}.",
        ) from None


def describe() -> list[dict[str, str]]:
    """Every setting with its environment variable, default and help text."""
    rows = []
    for f in dataclasses.fields(Settings):
        rows.append(
            {
                "name": f.name,
                "env": ENV_PREFIX + f.name.upper(),
                "default": str(f.default),
                "help": f.metadata["help"],
            }
        )
    return rows
