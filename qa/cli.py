"""The ``qa`` command: index, ask, batch, eval, serve, settings."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from qa.concurrency import limit_blas_threads
from qa.config import Settings, describe
from qa.errors import QAError, QuestionError
from qa.render import render

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", type=Path, help="folder of articles (default: seeds/, or QA_CORPUS)")
    common.add_argument("--index-dir", type=Path, help="index folder (default: .qa-index/, or QA_INDEX_DIR)")
    common.add_argument("--chroma-url", help="use a Chroma server instead of a local store")
    common.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="any other setting (see: qa settings)")

    p = argparse.ArgumentParser(prog="qa", description="Ask cited questions of a folder of articles.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("index", parents=[common], help="build or update the index")
    s.add_argument("--rebuild", action="store_true", help="rebuild from scratch")

    s = sub.add_parser("ask", parents=[common], help="answer one question")
    s.add_argument("question")
    s.add_argument("--history", action="append", default=[], metavar="TURN", help="an earlier question (repeat, oldest first)")
    s.add_argument("--json", action="store_true", help="print the answer object as JSON")
    s.add_argument("--mode", help="answer mode: extractive (default) or llm")
    s.add_argument("--explain", action="store_true", help="also show how the answer came about (JSON: an 'explain' object)")

    s = sub.add_parser("batch", parents=[common], help="answer a JSONL file of questions, one answer object a line")
    s.add_argument("file", type=Path, help='JSONL: {"question": ..., "history": [...]} a line ("-" for stdin)')
    s.add_argument("--mode", help="answer mode: extractive (default) or llm")

    s = sub.add_parser(
        "eval",
        parents=[common],
        help="answer and score a question set",
        description=(
            "Answer a labelled question set and print the reference scorer's metrics. One difference: a "
            "question's evidence also counts when a citation holds it as a reader sees the quote (a Markdown "
            "or HTML page's markup off), so on such pages evidence_hit can be higher than the reference "
            "scorer's; on plain text the two agree."
        ),
    )
    s.add_argument("file", type=Path, help="JSONL question set (question, answers, evidence, sources, answerable)")
    s.add_argument("--mode", help="answer mode: extractive (default) or llm")
    s.add_argument("--json", action="store_true", help="print the metrics as JSON")
    s.add_argument("--explain", action="store_true", help="group the failures by the stage that failed")
    s.add_argument(
        "--curve",
        action="store_true",
        help="also show how abstaining trades on these questions, and the threshold (min_support) that abstains on "
        "--false-abstain of the answerable ones",
    )
    s.add_argument(
        "--false-abstain",
        type=float,
        metavar="RATE",
        help="with --curve: the share of answerable questions the threshold may abstain on (default: the shipped scorer's, 0.05)",
    )

    s = sub.add_parser("serve", parents=[common], help="start the chat, widget and HTTP API")
    s.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default 7860)")
    s.add_argument("--workers", type=int, help="processes serving the API and the widget (default 1: one process serves everything)")
    s.add_argument("--api-port", type=int, help="their port when --workers is above 1 (default: port + 1)")

    s = sub.add_parser("settings", help="list every setting, its environment variable and default")
    s.add_argument("--markdown", action="store_true", help="as the Markdown table the README carries")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for item in getattr(args, "set", []) or []:
        if "=" not in item:
            raise QAError(f"--set {item!r} is not NAME=VALUE.", "For example: --set answer_sentences=2")
        name, value = item.split("=", 1)
        overrides[name.strip().replace("-", "_")] = value
    for name in ("corpus", "index_dir", "chroma_url", "mode", "host", "port", "workers", "api_port"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings.load(overrides)


BROKEN_PIPE = 141  # 128 + SIGPIPE: the status a shell reports for a tool that signal ended


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except QAError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whatever read the output stopped reading ("qa batch ... | head"): end
        # quietly, as a Unix tool does; stdout goes nowhere so that the last
        # flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE


def _run(args: argparse.Namespace) -> int:
    if args.command == "settings":
        print(settings_markdown() if args.markdown else "\n".join(
            f"{r['name']:<20} {r['env']:<24} default={r['default']!s:<22} {r['help']}" for r in describe()
        ))
        return 0
    limit_blas_threads()
    settings = settings_from(args)
    if args.command == "serve":
        from qa.web import server

        server.serve(settings, _add_chat)
        return 0

    from qa.engine import Engine

    engine = Engine(settings)
    if args.command == "index":
        report = engine.build(rebuild=args.rebuild, progress=True)
        print(report.summary())
        return 0
    _ensure_index(engine)
    if args.command == "ask":
        if args.explain:
            from qa.explain import render_trace

            answer, trace = engine.explain(args.question, args.history, mode=args.mode)
            if args.json:
                print(json.dumps({**answer.to_dict(), "explain": trace}, ensure_ascii=False))
            else:
                print(render_trace(trace) + "\n\n" + render(answer))
            return 0
        answer = engine.ask(args.question, args.history, mode=args.mode)
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            print(render(answer))
        return 0
    if args.command == "batch":
        for obj in _answers(engine, _read_jsonl(args.file), args.mode):
            print(json.dumps(obj, ensure_ascii=False), flush=True)
        return 0
    if args.command == "eval":
        return _eval(engine, _read_jsonl(args.file), args, settings)
    raise AssertionError(args.command)


def _eval(engine: Any, questions: list[dict[str, Any]], args: argparse.Namespace, settings: Settings) -> int:
    """The metrics; with --explain, every failure under the stage that failed (qa.explain
    verdicts); with --curve, how abstention trades on these questions."""
    from qa.explain import VERDICTS
    from qa.metrics import report_lines, score

    if not (args.explain or args.curve):
        answers = list(_answers(engine, questions, args.mode))
        traces: list[dict[str, Any] | None] = []
    else:
        answers, traces = [], []
        for q in questions:
            answer, trace = _explained(engine, q, args.mode)
            answers.append(answer)
            traces.append(trace)
    result = score(questions, answers, settings.corpus)
    report = _abstention_report(engine, questions, answers, traces, args.false_abstain, settings) if args.curve else None
    if args.json:
        print(json.dumps({**result, "abstention": report} if report else result, indent=2))
        return 0
    for line in report_lines(result):
        print(line)
    if report:
        print("\n".join(report["lines"]))
    if args.explain:
        groups: dict[str, list[dict[str, Any]]] = {v: [] for v in VERDICTS}
        for q, a, trace in zip(questions, answers, traces):
            if trace is None:
                continue
            if q.get("answerable", True) and trace["verdict"] != "answered":
                groups[trace["verdict"]].append(q)
            elif not q.get("answerable", True) and not a["abstained"]:
                groups["answered"].append(q)
        print("failures by stage (an unanswerable question answered counts under 'answered'):")
        for name, failed in groups.items():
            print(f"  {name}: {len(failed)}")
            for q in failed:
                print(f"    {q.get('id', '')}: {q['question']}")
    return 0


def _explained(engine: Any, q: dict[str, Any], mode: str | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The answer object and trace for a labelled question; a bad question gets an error object and no trace."""
    evidence = q.get("evidence") or []
    evidence = evidence if isinstance(evidence, list) else [evidence]
    try:
        answer, trace = engine.explain(q.get("question", ""), q.get("history") or [], mode=mode, evidence=evidence if q.get("answerable", True) else ())
    except QuestionError as exc:
        return {"question": q.get("question", ""), "answer": "", "abstained": True, "citations": [], "error": str(exc)}, None
    return answer.to_dict(), trace


def _abstention_report(
    engine: Any, questions: list[dict[str, Any]], answers: list[dict[str, Any]], traces: list[dict[str, Any] | None], target: float | None, settings: Settings
) -> dict[str, Any]:
    """The abstention curve of P(answerable) on ``questions``, the threshold that abstains on
    at most ``target`` of the answerable ones, that choice cross-validated by article, and
    how many answers come with a caution (``unsure_below``) and without, right and not."""
    from qa.metrics import abstention_at, abstention_curve, article_groups, auc, caution_counts, caution_line, cross_validated_abstention, threshold_at_most

    if target is None:
        target = float(engine.scorer.record.get("target_false_abstain", 0.05))
    if not 0.0 <= target < 1.0:
        raise QAError(f"--false-abstain {target} is not a share.", "Give a number from 0 to 1, such as 0.05.")
    # A question nothing was found for abstains at any threshold: P(answerable) 0.
    p = [t["answerable"] if t and t["candidates"] else 0.0 for t in traces]
    answerable = [bool(q.get("answerable", True)) for q in questions]
    curve = abstention_curve(p, answerable)
    now = engine.scorer.threshold
    separation = auc(p, answerable)
    lines = [f"abstention curve (P(answerable) below the threshold abstains; the threshold in use: {now:.3f}):"]
    lines += ["  " + a.line() for a in curve]
    if separation == separation:  # not nan: there are questions of both kinds
        # How well P(answerable) tells the two kinds apart: no threshold does better than this allows.
        lines.append(f"  P(answerable) ranks an answerable question above an unanswerable one {separation:.0%} of the time (AUC {separation:.3f})")
    report: dict[str, Any] = {
        "threshold_in_use": round(now, 4),
        "auc": round(separation, 3) if separation == separation else None,
        "curve": [vars(a) for a in curve],
        "target_false_abstain": target,
        "lines": lines,
        "caution": caution_counts(questions, answers),
    }
    lines.append(f"answers with a caution (P(answerable) below unsure_below, {settings.unsure_below:g}): {caution_line(report['caution'])}")
    if not any(answerable):
        lines.append("no answerable question here: no threshold to choose for a false_abstain rate.")
        return report
    # Shown to three places, rounded down: set as shown, it abstains as reported.
    chosen = abstention_at(p, answerable, math.floor(threshold_at_most(p, answerable, target) * 1000) / 1000)
    crossed = cross_validated_abstention(p, answerable, article_groups(questions), target)
    report.update(chosen=vars(chosen), cross_validated=vars(crossed) if crossed else None)
    lines.append(
        f"for false_abstain at most {target:g} on these questions: threshold {chosen.threshold:.3f} ({chosen.shares()}); "
        f"to use it: --set min_support={chosen.threshold:.3f}, or QA_MIN_SUPPORT={chosen.threshold:.3f}"
    )
    if crossed is not None:
        lines.append(f"  chosen without each article's questions and tried on them: {crossed.shares()}")
    else:
        lines.append("  (questions on one article only: the choice cannot be tried on questions it was not chosen on)")
    return report


def _ensure_index(engine: Any) -> None:
    from index.manifest import read_manifest

    if read_manifest(engine.settings.index_dir) is None:
        print(f"Building the index of {engine.settings.corpus} (first run)...", file=sys.stderr)
    report = engine.ensure_index(progress=True)
    if report is not None:
        print(report.summary(), file=sys.stderr)


def _answers(engine: Any, items: list[dict[str, Any]], mode: str | None):
    """One answer object per item, in order; a bad item yields an error object in its place."""
    for item in items:
        question = item.get("question", "") if isinstance(item, dict) else ""
        try:
            yield engine.ask(question, item.get("history") or [], mode=mode).to_dict()
        except QuestionError as exc:
            yield {"question": question, "answer": "", "abstained": True, "citations": [], "error": str(exc)}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = sys.stdin.read().splitlines() if str(path) == "-" else path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise QAError(f"{path} does not exist.", "Pass the path of a JSONL file.") from None
    except UnicodeDecodeError:
        raise QAError(f"{path} is not UTF-8 text.", "Save it as UTF-8 JSONL.") from None
    items = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QAError(f"{path}, line {n}: not valid JSON ({exc.msg}).", 'Each line must be an object like {"question": "..."}.') from None
        if not isinstance(item, dict):
            raise QAError(f"{path}, line {n}: expected a JSON object.", 'Each line must be an object like {"question": "..."}.')
        items.append(item)
    return items


def settings_markdown() -> str:
    rows = ["| setting | environment variable | default | meaning |", "| --- | --- | --- | --- |"]
    for r in describe():
        default = f"`{r['default']}`" if r["default"] else "(empty)"
        rows.append(f"| `{r['name']}` | `{r['env']}` | {default} | {r['help'].replace('|', '/')} |")
    return "\n".join(rows)


def _add_chat(app: Any, engine: Any, settings: Settings) -> object:
    """The chat page (ui.py), imported only when the server mounts it: Gradio takes seconds to import."""
    import ui

    return ui.add_chat(app, engine, settings)


if __name__ == "__main__":
    sys.exit(main())
