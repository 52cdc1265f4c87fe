"""LLM backends and the llm answerer's helpers, without a model server."""

from __future__ import annotations

import httpx
import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.errors import SettingsError
from qa.llm import explain, standalone_question
from qa.llm_backends import BACKENDS, make_llm
from qa.prompts import MAX_SOURCES, SENTENCES_PER_SOURCE, answer_messages, select_sources

from ..conftest import free_port


def settings_with(**values) -> Settings:
    return Settings.load(values, env={})


@pytest.mark.parametrize(
    ("values", "needs"),
    [
        ({"llm_backend": "openai", "llm_model": "m"}, "QA_LLM_BASE_URL"),
        ({"llm_backend": "openai", "llm_base_url": "http://127.0.0.1:1/v1"}, "QA_LLM_MODEL"),
        ({"llm_backend": "ollama"}, "QA_LLM_MODEL"),
        ({"llm_backend": "gguf"}, "QA_LLM_GGUF_PATH"),
        ({"llm_backend": "gguf", "llm_gguf_path": "/nonexistent/model.gguf"}, "QA_LLM_GGUF_PATH"),
        ({"llm_backend": "nope"}, "openai"),
    ],
)
def test_a_backend_missing_its_settings_says_what_to_set(values, needs):
    with pytest.raises(SettingsError) as err:
        make_llm(settings_with(**values))
    assert needs in f"{err.value.message} {err.value.hint}"


def test_the_built_in_backends_are_registered():
    assert {"openai", "ollama", "gguf"} <= set(BACKENDS)


def test_the_api_key_comes_from_the_named_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MY_LLM_KEY", "sk-test")
    llm = make_llm(settings_with(llm_base_url="http://127.0.0.1:1/v1", llm_model="m", llm_api_key_env="MY_LLM_KEY"))
    assert llm.api_key == "sk-test" and llm.max_retries == 0 and llm.timeout == 30.0
    monkeypatch.delenv("MY_LLM_KEY")
    llm = make_llm(settings_with(llm_base_url="http://127.0.0.1:1/v1", llm_model="m", llm_api_key_env="MY_LLM_KEY"))
    assert llm.api_key  # servers without keys still get the header


def test_an_unreachable_ollama_falls_back_to_the_extractive_answer(engine: Engine, settings: Settings):
    local = Engine(
        settings.replace(
            llm_backend="ollama", llm_model="llama3.2", llm_base_url=f"http://127.0.0.1:{free_port()}", llm_timeout=5.0
        )
    )
    answer = local.ask("When did Russia join the space station program?", mode="llm")
    assert answer.mode == "extractive" and "could not be reached" in answer.fallback
    assert "1993" in answer.answer


def test_transport_failures_are_explained():
    request = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions")
    assert explain(httpx.ConnectError("refused", request=request)) == ("could not be reached", True)
    assert explain(httpx.ReadTimeout("slow", request=request)) == ("did not answer in time", True)
    broken = httpx.RemoteProtocolError("peer closed connection", request=request)
    assert explain(broken)[0] == "closed the connection before the answer was complete"
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as inner:
            raise RuntimeError("Connection error.") from inner
    except RuntimeError as wrapped:
        assert explain(wrapped) == ("could not be reached", True)
    assert explain(ValueError("bad JSON")) == ("failed (ValueError: bad JSON)", False)


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("Why did Dmitry Bakanov visit the United States?", "Why did Dmitry Bakanov visit the United States?"),
        ('Rewritten question: "Why did Bakanov visit the US?"\nMore text', "Why did Bakanov visit the US?"),
        ("Dmitry Bakanov is the head of Roscosmos.", None),  # dropped the question's own words
        ("Why did Dmitry Bakanov go to Moscow?", None),  # changed them
        ("Dmitry Bakanov visited the United States.", None),  # an answer, not a question
        ("", None),
    ],
)
def test_a_condensed_question_must_keep_the_question(completion, expected):
    assert standalone_question(completion, "Why did he visit the United States?") == expected


def test_the_prompt_shows_a_few_strong_passages_best_first(engine: Engine):
    request, _ = engine._prepare("When did Russia join the space station program?", [], "extractive")
    sources = select_sources(request.evidence, request.reader)
    assert 1 <= len(sources) <= MAX_SOURCES
    assert [s.n for s in sources] == list(range(1, len(sources) + 1))
    shown = [e.sentence_id for s in sources for e in s.sentences]
    assert len(shown) == len(set(shown)) and all(len(s.sentences) <= SENTENCES_PER_SOURCE for s in sources)
    assert request.evidence.ranked[0].sentence_id in {e.sentence_id for e in sources[0].sentences}
    best = [max(e.score for e in s.sentences) for s in sources]
    assert best == sorted(best, reverse=True)
    [system, user] = answer_messages(request.question, sources, request.reader.meta)
    assert "[1]" in system.content and user.content.endswith(f"Question: {request.question}")
    assert "(SpacePolicyOnline.com, 2021-06-14)" in user.content
