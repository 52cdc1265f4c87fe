"""Docs that cannot drift: the README's settings table and commands."""

from pathlib import Path

from qa.cli import build_parser, settings_markdown

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_settings_table_is_current():
    start = README.index("<!-- settings:start -->") + len("<!-- settings:start -->")
    end = README.index("<!-- settings:end -->")
    assert README[start:end].strip() == settings_markdown(), "regenerate with: qa settings --markdown"


def test_readme_shows_every_command():
    commands = build_parser()._subparsers._group_actions[0].choices
    usage = README[README.index("<!-- usage:start -->") : README.index("<!-- usage:end -->")]
    for name in commands:
        assert f"qa {name}" in usage, name
