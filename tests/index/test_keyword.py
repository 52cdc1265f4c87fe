"""The keyword index builds and loads without touching process-wide streams."""

from __future__ import annotations

import sys
from pathlib import Path

from index.keyword import KeywordIndex, build_keyword_index

CHUNKS = [
    ("a", "The lighthouse keeper trimmed the lamp every evening."),
    ("b", "Bees carry pollen between flowers in the orchard."),
    ("c", "A tide table tells the keeper when the causeway floods."),
]


def test_build_and_load_leave_sys_stderr_alone_and_print_nothing(tmp_path: Path, capfd) -> None:
    # Request threads of a running server share sys.stderr; swapping it, even
    # briefly, swallows or misroutes their output.
    before = sys.stderr
    build_keyword_index(CHUNKS, tmp_path / "bm25")
    assert sys.stderr is before
    index = KeywordIndex(tmp_path / "bm25")
    assert sys.stderr is before
    hits = index.search("when does the causeway flood", 2)
    assert sys.stderr is before
    assert hits and hits[0][0] == "c"
    assert capfd.readouterr().err == ""  # no progress bars on the terminal either
