"""A pytest plugin for CI: under ``CI=true`` a run with any skipped test fails (.ci/run sets it).

tests/conftest.py imports the hook; ``pytest -p tests.ci`` loads it alone.
"""

from __future__ import annotations

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI, a skipped test fails the run: a skip is something that was not checked."""
    if os.environ.get("CI", "").lower() not in ("1", "true") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run (see the skip reasons above).", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
