"""LLM clients, one factory per backend, chosen by the ``llm_backend`` setting.

Every backend is a llama-index :class:`~llama_index.core.llms.LLM`, so the
answerer only ever calls ``stream_chat``. A deployment adds its own backend
the way the built-ins register::

    @register_backend("mine")
    def _mine(settings: Settings) -> LLM: ...

Configuration mistakes (no model, no URL, a missing file or extra) raise
:class:`SettingsError` saying what to set; they are not hidden behind the
extractive fallback, which is for an LLM that is configured but failing.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable, Sequence

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.llms import LLM, CustomLLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

from qa.config import ENV_PREFIX, Settings
from qa.errors import SettingsError
from qa.registry import registrar

# Grounded answers should not vary from run to run.
TEMPERATURE = 0.0
OLLAMA_URL = "http://127.0.0.1:11434"
# Servers that need no key still want the header to be there.
NO_KEY = "not-needed"

BACKENDS: dict[str, Callable[[Settings], LLM]] = {}
register_backend = registrar(BACKENDS)


def make_llm(settings: Settings) -> LLM:
    """The client for ``settings.llm_backend``."""
    factory = BACKENDS.get(settings.llm_backend)
    if factory is None:
        raise SettingsError(
            f"Unknown LLM backend {settings.llm_backend!r}.",
            f"Set {ENV_PREFIX}LLM_BACKEND to one of: {', '.join(sorted(BACKENDS))}.",
        )
    return factory(settings)


def backend_label(settings: Settings) -> str:
    """Where answers come from, for messages ("the openai server at URL")."""
    if settings.llm_backend == "gguf":
        return f"the local model {Path(settings.llm_gguf_path).name}"
    url = settings.llm_base_url or (OLLAMA_URL if settings.llm_backend == "ollama" else "")
    return f"the {settings.llm_backend} server at {url}"


def _require(settings: Settings, **examples: str) -> list[str]:
    """The values of the named settings; SettingsError naming every one that is empty."""
    values = [str(getattr(settings, name) or "").strip() for name in examples]
    missing = [name for name, value in zip(examples, values) if not value]
    if missing:
        raise SettingsError(
            f"Answer mode 'llm' with backend {settings.llm_backend!r} needs the setting(s) {', '.join(missing)}.",
            "Set "
            + "; ".join(f"{ENV_PREFIX}{name.upper()} (e.g. {examples[name]})" for name in missing)
            + ", or pass --set NAME=VALUE.",
        )
    return values


@register_backend("openai")
def _openai(settings: Settings) -> LLM:
    """Any OpenAI-compatible server: vLLM, llama.cpp's server, LM Studio, OpenAI itself."""
    from llama_index.llms.openai_like import OpenAILike

    base_url, model = _require(
        settings, llm_base_url="http://127.0.0.1:8080/v1", llm_model="a name the server lists at /v1/models"
    )
    return OpenAILike(
        model=model,
        api_base=base_url,
        api_key=os.environ.get(settings.llm_api_key_env, "") or NO_KEY,
        is_chat_model=True,
        context_window=settings.llm_context_window,
        max_tokens=settings.llm_max_tokens,
        temperature=TEMPERATURE,
        timeout=settings.llm_timeout,
        # Retrying would multiply the wait; a failure falls back at once instead.
        max_retries=0,
    )


@register_backend("ollama")
def _ollama(settings: Settings) -> LLM:
    from llama_index.llms.ollama import Ollama

    return Ollama(
        model=_require(settings, llm_model="llama3.2")[0],
        base_url=settings.llm_base_url or OLLAMA_URL,
        request_timeout=settings.llm_timeout,
        # Given explicitly: left unset, the client asks the server before every call.
        context_window=settings.llm_context_window,
        temperature=TEMPERATURE,
        additional_kwargs={"num_predict": settings.llm_max_tokens},
    )


@register_backend("gguf")
def _gguf(settings: Settings) -> LLM:
    path = Path(_require(settings, llm_gguf_path="/models/qwen2.5-1.5b-instruct-q4_k_m.gguf")[0]).expanduser()
    if not path.is_file():
        raise SettingsError(
            f"The GGUF file {path} does not exist.", f"Point {ENV_PREFIX}LLM_GGUF_PATH at a .gguf model file."
        )
    try:
        import llama_cpp
    except ImportError:
        raise SettingsError(
            "The 'gguf' backend needs llama-cpp-python, which is not installed.",
            "Install it with: pip install 'cited-qa[gguf]'",
        ) from None
    model = llama_cpp.Llama(model_path=str(path), n_ctx=settings.llm_context_window, verbose=False)
    return LocalGGUF(model=model, max_tokens=settings.llm_max_tokens)


class LocalGGUF(CustomLLM):
    """A GGUF model run in-process by llama-cpp-python.

    Chat goes through ``Llama.create_chat_completion``, which formats the
    messages with the chat template stored in the GGUF file; llama-index's
    own LlamaCPP wrapper would format them with a generic template unless
    given one per model.
    """

    max_tokens: int = 256
    _llama: Any = PrivateAttr()
    # A llama.cpp context runs one generation at a time.
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, model: Any, max_tokens: int) -> None:
        super().__init__(max_tokens=max_tokens)
        self._llama = model

    @classmethod
    def class_name(cls) -> str:
        return "LocalGGUF"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self._llama.n_ctx(), num_output=self.max_tokens, is_chat_model=True)

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(r.delta or "" for r in self.stream_chat(messages, **kwargs))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        payload = [{"role": m.role.value, "content": m.content or ""} for m in messages]

        def gen() -> ChatResponseGen:
            text = ""
            with self._lock:
                chunks = self._llama.create_chat_completion(
                    messages=payload, stream=True, max_tokens=self.max_tokens, temperature=TEMPERATURE
                )
                for chunk in chunks:
                    delta = chunk["choices"][0]["delta"].get("content") or ""
                    text += delta
                    yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta)

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(
            text=self.chat([ChatMessage(role=MessageRole.USER, content=prompt)]).message.content or ""
        )

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            for r in self.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)]):
                yield CompletionResponse(text=r.message.content or "", delta=r.delta)

        return gen()
