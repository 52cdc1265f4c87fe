"""Errors a user can cause, each with a message that says how to fix it.

::

    QAError                      base: message + hint, and an HTTP status for the API
    ├── CorpusError              corpus folder missing, empty, or with nothing indexable
    ├── IndexStoreError          index folder unwritable, Chroma server unreachable
    ├── IndexBusyError           another process is writing the same index
    ├── IndexMismatchError       index built with other settings (model, chunking)
    ├── SettingsError            unknown setting, or a value of the wrong type
    └── (qa.errors) QuestionError, IndexNotReadyError, LLMError, StaleIndexError

Surfaces (CLI, HTTP API, chat) turn these into a message, a status code or a
notice; the library never prints them itself.
"""

from __future__ import annotations


class QAError(Exception):
    """Base of every error a user can cause and fix."""

    status = 500

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class CorpusError(QAError):
    status = 400


class IndexStoreError(QAError):
    status = 500


class IndexBusyError(QAError):
    status = 409


class IndexMismatchError(QAError):
    status = 409


class SettingsError(QAError):
    status = 400
