"""GET /api/document with a citation's start and end: the file's text exactly, and the article as a reader sees it, cut there."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.types import Citation
from qa.web.app import create_app

from ..conftest import DATA, engine_over_documents, running

PAGE, NOTICE = "valve-manual.html", "ferry-timetable.md"


@pytest.fixture(scope="module")
def documents(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Engine]]:
    """The API over a web page and a Markdown file."""
    engine = engine_over_documents(settings, tmp_path_factory.mktemp("documents"), [PAGE, NOTICE])
    with running(create_app(engine, engine.settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client, engine


def cited(engine: Engine, question: str, source: str) -> Citation:
    return next(c for c in engine.ask(question).citations if c.source == source)


def opened(client: httpx.Client, c: Citation) -> dict:
    r = client.get(f"/api/document/{c.source}", params={"start": c.start, "end": c.end})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_cited_web_page_comes_as_its_text_and_as_read(documents: tuple[httpx.Client, Engine]) -> None:
    client, engine = documents
    c = cited(engine, "What does the rate argument of the valve tool set?", PAGE)
    doc = opened(client, c)
    assert doc["text"] == (DATA / "cleaning" / PAGE).read_text(encoding="utf-8")  # the contract's text, untouched
    assert doc["quote"] == c.shown and doc["quote"].startswith("The rate argument sets how fast a valve moves")
    assert doc["before"].endswith("so NW-04 is the fourth valve of the north-west station.\n\n")
    assert doc["after"].startswith(" A valve that does not reach its position")
    assert "<" not in doc["before"] + doc["after"] and "&ndash;" not in doc["after"]


def test_a_cited_markdown_file_comes_without_front_matter_or_markup(documents: tuple[httpx.Client, Engine]) -> None:
    client, engine = documents
    c = cited(engine, "How can passengers check the day's ferry sailings?", NOTICE)
    doc = opened(client, c)
    assert doc["quote"] == c.shown == "Check the day's sailings with ferry status or on the operator's status page."
    assert doc["before"].startswith("Changes to the island ferry timetable\n\n")
    assert doc["before"].endswith("\n\nChecking a sailing\n\n")
    assert "title:" not in doc["before"] and "## " not in doc["before"] and "](" not in doc["before"] + doc["after"]


def test_without_offsets_only_the_text_comes(documents: tuple[httpx.Client, Engine]) -> None:
    client, _ = documents
    doc = client.get(f"/api/document/{PAGE}").json()
    assert doc["text"] and not {"before", "quote", "after"} & set(doc)


@pytest.mark.parametrize(
    "params",
    [{"start": 5}, {"end": 5}, {"start": -1, "end": 3}, {"start": 10, "end": 5}, {"start": 0, "end": 10**9},
     {"start": "x", "end": 3}, {"start": "1.5", "end": 3}, {"start": 0, "end": ""}],
    ids=["start alone", "end alone", "negative", "reversed", "past the end", "not a number", "a fraction", "empty"],
)  # fmt: skip
def test_offsets_that_do_not_cut_the_text_are_a_json_400(documents: tuple[httpx.Client, Engine], params: dict) -> None:
    client, _ = documents
    r = client.get(f"/api/document/{PAGE}", params=params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"error", "hint"} and body["error"] and body["hint"]
