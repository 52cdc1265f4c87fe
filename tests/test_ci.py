"""The CI rule: under CI=true, a skipped test fails the run (tests/ci.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("ci", "code"), [("true", 1), ("", 0)], ids=["ci", "local"])
def test_a_skip_fails_the_run_only_under_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str, code: int
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile("import pytest\ndef test_runs(): pass\ndef test_skips(): pytest.skip('no outside file')\n")
    result = pytester.runpytest_subprocess("-p", "tests.ci")
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == code
    if ci:
        result.stdout.fnmatch_lines(["*1 test(s) skipped; every test must run*"])
