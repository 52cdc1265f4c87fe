"""The engine: shared by many threads, and kept up to date while it answers."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qa.config import Settings
from qa.engine import Engine

from ..conftest import SEEDS


def test_concurrent_questions_get_the_answers_they_get_alone(engine: Engine, dev_questions: list[dict]) -> None:
    asked = [(q["question"], q.get("history", [])) for q in dev_questions[:16]]
    alone = [engine.ask(question, history).to_dict() for question, history in asked]
    with ThreadPoolExecutor(len(asked)) as pool:
        together = [a.to_dict() for a in pool.map(lambda qh: engine.ask(*qh), asked)]
    for a, b in zip(alone, together):
        assert b["question"] == a["question"]
        assert b["answer"] == a["answer"]
        assert b["citations"] == a["citations"]


MASCOT_QUESTION = "What is the name of the knitted bear the crew keeps as a mascot?"
MASCOT_SENTENCE = "The crew keeps a knitted bear named Orbita as its mascot."


@pytest.fixture
def one_article(settings: Settings, tmp_path: Path) -> tuple[Engine, Path]:
    """An engine over a one-article corpus of its own, indexed, and that article's path."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    article = corpus / "002_026fb524575c518d.txt"
    shutil.copy(SEEDS / article.name, article)
    engine = Engine(settings.replace(corpus=corpus, index_dir=tmp_path / "index"))
    engine.build()
    assert engine.ask(MASCOT_QUESTION).abstained
    return engine, article


def add_mascot(article: Path) -> None:
    article.write_text(article.read_text(encoding="utf-8") + f"\n\n{MASCOT_SENTENCE}\n", encoding="utf-8")


def assert_mascot_answered(engine: Engine) -> None:
    answer = engine.ask(MASCOT_QUESTION)
    assert not answer.abstained and "Orbita" in answer.answer
    assert answer.citations[0].quote == MASCOT_SENTENCE


def test_an_answer_says_how_sure_it_is(engine: Engine, settings: Settings) -> None:
    sure = engine.ask("When did Russia join the space station program?")
    assert sure.answerable is not None and sure.answerable >= 0.8 and not sure.caution
    greeting = engine.ask("Hello!")
    assert greeting.conversation and greeting.answerable is None and not greeting.caution
    abstained = engine.ask("What is the recipe for borscht?")
    assert abstained.abstained and abstained.answerable < 0.5 and not abstained.caution  # it says it found nothing already
    # A record of the article itself (its date) rests on no weighed sentence: nothing to be unsure of.
    dated = engine.ask("When was the Behind the Black article published?")
    assert "2025" in dated.answer and dated.answerable is None and not dated.caution
    # Two questions in one message: as sure as the less sure part it answers (one it
    # abstains on says so in the answer); as the least sure, when it answers neither.
    both = engine.ask("When did Russia join the space station program, and who is the president of France?")
    assert "I could not find" in both.answer and not both.caution
    assert both.answerable == pytest.approx(sure.answerable, abs=1e-6)
    neither = engine.ask("Who is the president of France, and what is the recipe for borscht?")
    assert neither.abstained and neither.answerable == pytest.approx(
        min(engine.ask(q).answerable for q in ("Who is the president of France?", "What is the recipe for borscht?")), abs=1e-6
    )
    # The caution follows the setting: 0 never, 1 on every answer.
    never, always = (Engine(settings.replace(unsure_below=v)) for v in (0.0, 1.0))
    assert not never.ask("What car does Elon Musk drive?").caution
    assert always.ask("When did Russia join the space station program?").caution


def test_background_build_takes_in_an_edited_article_and_answers_meanwhile(one_article: tuple[Engine, Path]) -> None:
    """What `qa serve` does at start: with an index already there, questions never wait for the re-index."""
    engine, article = one_article
    add_mascot(article)
    build = engine.start_background_build()
    try:
        assert not engine.building  # the index in use stays open for questions
        assert not engine.ask("When did Russia join the space station program?").abstained
        assert build.is_alive(), "the re-index ended before the question; the test proved nothing"
    finally:
        build.join(timeout=300)
    assert engine.build_error is None
    assert_mascot_answered(engine)


def test_an_index_rebuilt_elsewhere_is_used_from_the_next_question(one_article: tuple[Engine, Path]) -> None:
    """`qa index` in another process while a server runs: the server switches to the new generation."""
    serving, article = one_article
    add_mascot(article)
    Engine(serving.settings).build()  # as `qa index` would, with its own engine
    assert_mascot_answered(serving)


def blas_threads() -> set[int]:
    from threadpoolctl import threadpool_info

    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_the_commands_keep_blas_to_one_thread_and_the_engine_leaves_it_alone(engine: Engine, settings: Settings, capsys) -> None:
    # A woken OpenBLAS thread spins on the other core: twice a question's CPU on the wiki index.
    from threadpoolctl import threadpool_limits

    from qa import cli

    with threadpool_limits(limits=2, user_api="blas"):
        Engine(settings)
        assert blas_threads() == {2}  # a program that embeds the engine keeps its own setting
        args = ["ask", "When did Russia join the space station program?", "--corpus", str(SEEDS), "--index-dir", str(settings.index_dir)]
        assert cli.main(args) == 0 and "1993" in capsys.readouterr().out
        assert blas_threads() == {1}
