"""Errors of the question-answering layer (see index.errors for the tree)."""

from __future__ import annotations

from index.errors import CorpusError, IndexMismatchError, IndexStoreError, QAError, SettingsError


class QuestionError(QAError):
    """The question itself is unusable: empty, or too long."""

    status = 400


class IndexNotReadyError(QAError):
    """The index is still being built (the server answers 503 meanwhile)."""

    status = 503


class LLMError(QAError):
    """The LLM could not be reached or gave an unusable completion."""

    status = 502


class StaleIndexError(QAError):
    """An indexed article was edited, grew or was deleted after indexing: re-index (409)."""

    status = 409


__all__ = [
    "CorpusError",
    "IndexMismatchError",
    "IndexNotReadyError",
    "IndexStoreError",
    "LLMError",
    "QAError",
    "QuestionError",
    "SettingsError",
    "StaleIndexError",
]
