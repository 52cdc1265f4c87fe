"""The qa command, run as a user runs it, against the session index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qa.cli import BROKEN_PIPE

from ..conftest import DATA, DEV_QUESTIONS, INTRANET


def qa(settings, *args: str, stdin: str | None = None, corpus: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(QA_INDEX_DIR=str(settings.index_dir), QA_CORPUS=str(corpus or settings.corpus))
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args], input=stdin, capture_output=True, text=True, env=env, timeout=600
    )


def test_ask_prints_answer_then_numbered_sources(engine, settings):
    out = qa(settings, "ask", "When did Russia join the space station program?")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "1993 [1]" in text
    assert "Sources:" in text and "[1] Putin Wants Continued Space Cooperation With U.S. (SpacePolicyOnline.com, 2021-06-14)" in text
    assert "“Russia joined the U.S.-European-Japanese-Canadian space station program in 1993.”" in text


def test_ask_says_when_it_is_unsure(engine, settings):
    sure = qa(settings, "ask", "When did Russia join the space station program?")
    assert sure.returncode == 0, sure.stderr
    assert "may not say this" not in sure.stdout
    # Every answer below unsure_below comes with the caution, before its sources.
    unsure = qa(settings, "ask", "When did Russia join the space station program?", "--set", "unsure_below=1")
    assert unsure.returncode == 0, unsure.stderr
    assert "].\n(The articles may not say this: check what the quoted sentences say.)\n\nSources:" in unsure.stdout


def test_ask_json_and_history(engine, settings):
    out = qa(settings, "ask", "Why did he visit the United States?", "--history", "Who is the head of Roscosmos in 2025?", "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["question"] == "Why did he visit the United States?"
    assert answer["citations"] and not answer["abstained"]


def test_batch_answers_in_order_one_object_a_line(engine, settings):
    lines = [
        {"question": "When did Russia join the space station program?"},
        {"question": ""},
        {"question": "Why did he visit the United States?", "history": ["Who is the head of Roscosmos in 2025?"]},
    ]
    out = qa(settings, "batch", "-", stdin="\n".join(json.dumps(x) for x in lines))
    assert out.returncode == 0, out.stderr
    answers = [json.loads(x) for x in out.stdout.splitlines()]
    assert [a["question"] for a in answers] == [x["question"] for x in lines]
    assert "1993" in answers[0]["answer"]
    assert "empty" in answers[1]["error"]


def test_output_read_only_in_part_ends_quietly(engine, settings):
    # "qa batch questions.jsonl | head -1": the reader closes the pipe after one line.
    env = dict(os.environ, QA_INDEX_DIR=str(settings.index_dir), QA_CORPUS=str(settings.corpus))
    lines = "\n".join(json.dumps({"question": "When did Russia join the space station program?"}) for _ in range(200))
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "batch", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    proc.stdin.write(lines.encode())
    proc.stdin.close()
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=600) == BROKEN_PIPE
    assert "1993" in json.loads(first)["answer"]
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_eval_prints_the_metrics_of_its_question_set(engine, settings):
    out = qa(settings, "eval", str(DEV_QUESTIONS), "--json")
    assert out.returncode == 0, out.stderr
    metrics = json.loads(out.stdout)
    assert metrics["citation_validity"] == 1.0
    assert 0.0 < metrics["answer_accuracy"] <= 1.0


def test_eval_prints_the_reference_scorers_line(engine, settings, tmp_path):
    """`qa eval` scores as the evaluation's own score.py does (a copy in tests/data), to the last digit."""
    evald = qa(settings, "eval", str(DEV_QUESTIONS))
    assert evald.returncode == 0, evald.stderr
    batch = qa(settings, "batch", str(DEV_QUESTIONS))
    answers = tmp_path / "answers.jsonl"
    answers.write_text(batch.stdout, encoding="utf-8")
    ref = subprocess.run(
        [sys.executable, str(DATA / "reference_score.py"), str(DEV_QUESTIONS), str(answers), str(settings.corpus)],
        capture_output=True,
        text=True,
    )
    assert ref.returncode == 0, ref.stderr
    assert evald.stdout.splitlines()[-1] == ref.stdout.splitlines()[-1]


def test_eval_curve_finds_the_threshold_that_abstains_as_it_says(intranet_engine):
    """A deployment reads on its own questions how abstaining trades, and the
    threshold it is offered abstains, when set, exactly as the report said."""
    questions = str(INTRANET / "questions.jsonl")
    out = qa(intranet_engine.settings, "eval", questions, "--curve", "--false-abstain", "0.1", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    report = result["abstention"]
    curve = report["curve"]
    assert [c["threshold"] for c in curve] == sorted(c["threshold"] for c in curve)
    for key in ("abstain_accuracy", "false_abstain"):
        shares = [c[key] for c in curve]
        assert shares == sorted(shares) and shares[-1] > shares[0], key
    chosen = report["chosen"]
    assert 0 < chosen["false_abstain"] <= 0.1 and chosen["threshold"] != report["threshold_in_use"]
    assert report["cross_validated"]["false_abstain"] is not None
    assert 0.5 < report["auc"] <= 1.0  # P(answerable) separates the two kinds better than chance
    # Every answer given is counted once, with a caution or without, and the right ones among them.
    answered = result["answerable"] * (1 - result["false_abstain"]) + result["unanswerable"] * (1 - result["abstain_accuracy"])
    caution = report["caution"]
    assert caution["with"]["answered"] + caution["without"]["answered"] == round(answered)
    right = caution["with"]["right"] + caution["without"]["right"]  # the expected answer, with its evidence cited
    assert 0 < right <= round(min(result["answer_accuracy"], result["evidence_hit"]) * result["answerable"])
    assert all(0 <= kind["right"] <= kind["answered"] for kind in caution.values()) and caution["with"]["answered"] > 0

    at_it = qa(intranet_engine.settings, "eval", questions, "--set", f"min_support={chosen['threshold']}", "--json")
    assert at_it.returncode == 0, at_it.stderr
    metrics = json.loads(at_it.stdout)
    assert metrics["false_abstain"] == round(chosen["false_abstain"], 3)
    assert metrics["abstain_accuracy"] == round(chosen["abstain_accuracy"], 3)

    text = qa(intranet_engine.settings, "eval", questions, "--curve")
    assert f"--set min_support={chosen['threshold']:.3f}" not in text.stdout  # the default target is 0.05, not 0.1
    assert "abstention curve" in text.stdout and "to use it: --set min_support=" in text.stdout
    assert "answers with a caution (P(answerable) below unsure_below, 0.5): with a caution" in text.stdout
    bad = qa(intranet_engine.settings, "eval", questions, "--curve", "--false-abstain", "5")
    assert bad.returncode == 2 and "not a share" in bad.stderr and "Traceback" not in bad.stderr


def test_errors_are_messages_not_tracebacks(engine, settings, tmp_path):
    out = qa(settings, "ask", "   ")
    assert out.returncode == 2
    assert "error: The question is empty." in out.stderr and "Traceback" not in out.stderr
    out = qa(settings, "index", corpus=tmp_path / "missing")
    assert out.returncode == 2
    assert "does not exist" in out.stderr and "hint:" in out.stderr
    out = qa(settings, "ask", "x", "--set", "no_such_setting=1")
    assert out.returncode == 2 and "Known settings" in out.stderr
