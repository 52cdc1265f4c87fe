"""The HTTP API against a live server: the answer contract, streaming, documents, errors."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from qa.web.app import create_app
from qa.config import Settings
from qa.engine import Engine

from ..conftest import SEEDS, running

CITATION_KEYS = {"n": int, "source": str, "title": str, "quote": str, "shown": str, "start": int, "end": int, "score": float,
                 "publisher": str, "date": str, "kind": str}  # fmt: skip


def check_contract(obj: dict, question: str) -> None:
    """The answer object of DESIGN.md, with every citation verifiable against its file."""
    assert obj["question"] == question
    assert isinstance(obj["answer"], str) and obj["answer"]
    assert isinstance(obj["abstained"], bool)
    assert isinstance(obj["timings_ms"], dict) and {"retrieve", "answer", "total"} <= set(obj["timings_ms"])
    assert isinstance(obj["citations"], list)
    for c in obj["citations"]:
        assert set(CITATION_KEYS) <= set(c), c
        for key, kind in CITATION_KEYS.items():
            assert isinstance(c[key], kind) or (kind is float and isinstance(c[key], int)), (key, c[key])
        text = (SEEDS / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"] : c["end"]] == c["quote"]
        assert c["shown"] == " ".join(c["quote"].split())  # the seeds are plain text: the quote on one line
        assert c["kind"] in {"article", "related", "comment"}
    # How sure the answer is: a probability (none for a reply to a greeting or from an
    # article's record, which weigh no sentence); a caution below unsure_below.
    assert obj["answerable"] is None or 0.0 <= obj["answerable"] <= 1.0
    assert obj["answerable"] is not None or obj["conversation"] or obj["citations"]
    assert bool(obj["caution"]) == (not obj["abstained"] and obj["answerable"] is not None and obj["answerable"] < 0.5)
    if not obj["abstained"]:
        assert obj["citations"], "an answer cites at least one passage"
        for c in obj["citations"]:
            assert f"[{c['n']}]" in obj["answer"]


def test_ask_returns_the_contract_for_the_dev_questions(client: httpx.Client, dev_questions: list[dict]) -> None:
    for item in dev_questions:
        r = client.post("/api/ask", json={"question": item["question"], "history": item.get("history", [])})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/json")
        check_contract(r.json(), item["question"])


def test_ask_matches_the_engine(client: httpx.Client, engine: Engine, dev_questions: list[dict]) -> None:
    item = next(q for q in dev_questions if q.get("history"))
    r = client.post("/api/ask", json={"question": item["question"], "history": item["history"]})
    expected = engine.ask(item["question"], item["history"]).to_dict()
    got = r.json()
    for obj in (got, expected):
        obj.pop("timings_ms")
    assert got == expected


def test_stream_sends_tokens_then_the_verified_answer(client: httpx.Client, dev_questions: list[dict]) -> None:
    question = dev_questions[0]["question"]
    with client.stream("POST", "/api/ask/stream", json={"question": question}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        events = [json.loads(line) for line in r.iter_lines() if line.strip()]
    kinds = [e["kind"] for e in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"}, kinds
    streamed = "".join(e["text"] for e in events[:-1])
    final = events[-1]["answer"]
    check_contract(final, question)
    assert " ".join(streamed.split()) == " ".join(final["answer"].split())
    plain = client.post("/api/ask", json={"question": question}).json()
    assert final["citations"] == plain["citations"]


def test_health_reports_the_index(client: httpx.Client) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready"
    assert body["files"] == 5 and body["chunks"] > 0 and body["built_at"]
    assert body["embedding_model"] and body["embedding_version"]


def test_document_is_the_file_as_read(client: httpx.Client) -> None:
    source = "002_026fb524575c518d.txt"
    r = client.get(f"/api/document/{source}")
    assert r.status_code == 200
    doc = r.json()
    assert doc["text"] == (SEEDS / source).read_text(encoding="utf-8")
    assert doc["title"] == "Putin Wants Continued Space Cooperation With U.S."
    assert doc["publisher"] == "SpacePolicyOnline.com" and doc["date"] == "2021-06-14"


@pytest.mark.parametrize("source", ["nope.txt", "metadata.json", "%2e%2e/pyproject.toml", "..%2Fpyproject.toml"])
def test_only_indexed_articles_are_served(client: httpx.Client, source: str) -> None:
    r = client.get(f"/api/document/{source}")
    assert r.status_code in (400, 404)
    assert "error" in r.json()


def test_unknown_api_path_is_a_json_404(client: httpx.Client) -> None:
    check_error(client.get("/api/nope"), 404)
    check_error(client.post("/api/ask/nope", json={}), 404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("GET", "/api/ask", "POST"), ("PUT", "/api/ask/stream", "POST"), ("POST", "/api/health", "GET"),
     ("DELETE", "/api/document/002_026fb524575c518d.txt", "GET"), ("HEAD", "/api/ask", "POST")],
)  # fmt: skip
def test_a_wrong_method_on_an_endpoint_is_a_json_405_saying_which_it_takes(client: httpx.Client, method: str, path: str, allow: str) -> None:
    r = client.request(method, path)
    assert r.status_code == 405, r.text
    assert r.headers["allow"] == allow
    if method != "HEAD":  # a reply to HEAD has no body
        assert check_error(r, 405)["hint"] == f"Use {allow}."


def test_the_login_form_target_takes_only_post(token_server: str) -> None:
    r = httpx.get(f"{token_server}/auth")
    assert r.headers["allow"] == "POST"
    check_error(r, 405)


def test_openapi_docs(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/ask/stream", "/api/health", "/api/document/{source}"} <= set(paths)


def test_concurrent_clients_are_served(client: httpx.Client, dev_questions: list[dict]) -> None:
    questions = [q["question"] for q in dev_questions[:8]]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda q: client.post("/api/ask", json={"question": q}), questions))
    assert [r.status_code for r in results] == [200] * len(questions)
    assert [r.json()["question"] for r in results] == questions


# -- errors ------------------------------------------------------------------------------
def check_error(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "hint"} and body["error"]
    return body


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_empty_question_is_400(client: httpx.Client, path: str) -> None:
    assert "empty" in check_error(client.post(path, json={"question": "   "}), 400)["error"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_question_without_words_is_400(client: httpx.Client, path: str) -> None:
    assert "no words" in check_error(client.post(path, json={"question": "???"}), 400)["error"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_oversized_question_is_400(client: httpx.Client, settings: Settings, path: str) -> None:
    body = check_error(client.post(path, json={"question": "why " * settings.max_question_chars}), 400)
    assert "limit" in body["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"question": 42},
        {"question": "Who?", "history": "not a list"},
        {"question": "Who?", "history": [1, 2]},
        {"question": "Who?", "mode": 3},
        {"history": []},
        {"question": "Who?", "unknown": 1},
        [],
    ],
)
def test_malformed_body_is_400(client: httpx.Client, body: object) -> None:
    check_error(client.post("/api/ask", json=body), 400)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_body_is_413_and_says_the_limit(client: httpx.Client, settings: Settings, chunked: bool) -> None:
    history = ["x" * 1024] * (settings.max_request_kb + 8)  # each turn is short; all together are too much
    data = json.dumps({"question": "Who?", "history": history}).encode()
    content = (data[i : i + 65536] for i in range(0, len(data), 65536)) if chunked else data
    r = client.post("/api/ask", content=content, headers={"content-type": "application/json"})
    assert (r.request.headers.get("transfer-encoding") == "chunked") == chunked
    body = check_error(r, 413)
    assert f"{settings.max_request_kb} KiB" in body["error"] and "shorter" in body["hint"]


def test_invalid_json_is_400(client: httpx.Client) -> None:
    check_error(client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"}), 400)


def test_unknown_mode_is_400(client: httpx.Client) -> None:
    assert "mode" in check_error(client.post("/api/ask", json={"question": "Who?", "mode": "psychic"}), 400)["error"]


def test_token_is_required_when_configured(token_server: str, api_token: str) -> None:
    question = {"question": "When did Russia join the space station program?"}
    with httpx.Client(base_url=token_server, timeout=60) as c:
        for path in ("/api/ask", "/api/ask/stream"):
            check_error(c.post(path, json=question), 401)
            check_error(c.post(path, json=question, headers={"Authorization": "Bearer wrong"}), 401)
        check_error(c.get("/api/health"), 401)
        check_error(c.get("/api/document/002_026fb524575c518d.txt"), 401)
        check_error(c.get("/widget"), 401)
        assert c.post("/api/ask", json=question, headers={"Authorization": f"Bearer {api_token}"}).status_code == 200
        # In a URL the token is taken only by /widget, and swapped for a cookie at once.
        assert "only on /widget" in check_error(c.post(f"/api/ask?token={api_token}", json=question), 401)["error"]
        assert c.get(f"/widget?token={api_token}").status_code == 303


def test_503_while_the_index_is_building(settings: Settings, tmp_path: Path) -> None:
    """A real background build, into an empty index folder, of a one-article corpus (to keep it short)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "002_026fb524575c518d.txt", corpus)
    engine = Engine(settings.replace(corpus=corpus, index_dir=tmp_path / "index"))
    with running(create_app(engine, engine.settings)) as url, httpx.Client(base_url=url, timeout=60) as c:
        build = engine.start_background_build()
        try:
            for path in ("/api/ask", "/api/ask/stream"):
                body = check_error(c.post(path, json={"question": "When did Russia join?"}), 503)
                assert "being built" in body["error"]
            check_error(c.get("/api/document/002_026fb524575c518d.txt"), 503)
            assert c.get("/api/health").json()["status"] == "indexing"
        finally:
            build.join(timeout=300)
        assert engine.build_error is None
        assert c.get("/api/health").json()["status"] == "ready"
        assert (
            c.post("/api/ask", json={"question": "When did Russia join the space station program?"}).status_code == 200
        )


def test_503_when_there_is_no_index_yet(settings: Settings, tmp_path: Path) -> None:
    """An engine pointed at an empty index folder, before any build has run."""
    engine = Engine(settings.replace(index_dir=tmp_path / "empty-index"))
    with running(create_app(engine, engine.settings)) as url, httpx.Client(base_url=url, timeout=60) as c:
        check_error(c.post("/api/ask", json={"question": "When did Russia join?"}), 503)
        assert c.get("/api/health").json()["status"] == "missing"


# -- the named Gradio endpoint ---------------------------------------------------------
def test_gradio_client_ask_endpoint(live_server: str, dev_questions: list[dict]) -> None:
    from gradio_client import Client

    item = next(q for q in dev_questions if q.get("history"))
    client = Client(live_server, verbose=False, download_files=False)
    result = client.predict(item["question"], item["history"], api_name="/ask")
    if isinstance(result, str):
        result = json.loads(result)
    check_contract(result, item["question"])


def test_gradio_api_needs_the_token_when_one_is_set(engine: Engine, settings: Settings, dev_questions: list[dict]) -> None:
    import ui
    from gradio_client import Client

    token = "gradio-token"
    question = dev_questions[0]["question"]
    with running(ui.build_app(engine, settings.replace(api_token=token))) as url:
        r = httpx.get(f"{url}/gradio_api/info", timeout=30)
        assert r.status_code == 401 and r.json()["hint"]
        with pytest.raises(Exception):
            Client(url, verbose=False, download_files=False)
        client = Client(url, verbose=False, download_files=False, headers={"Authorization": f"Bearer {token}"})
        result = client.predict(question, [], api_name="/ask")
        check_contract(json.loads(result) if isinstance(result, str) else result, question)


def test_an_article_changed_or_deleted_after_indexing_asks_for_a_re_index(settings: Settings, tmp_path: Path) -> None:
    """Its own one-article index: the file is then edited, grown past the limit, and deleted."""
    source = "002_026fb524575c518d.txt"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / source, corpus)
    engine = Engine(settings.replace(corpus=corpus, index_dir=tmp_path / "index", max_file_mb=0.1))
    engine.build()
    path = corpus / source
    with running(create_app(engine, engine.settings)) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert c.get(f"/api/document/{source}").json()["text"] == path.read_text(encoding="utf-8")
        path.write_text(path.read_text(encoding="utf-8").replace("1993", "1994"), encoding="utf-8")  # same size
        assert "Re-index" in check_error(c.get(f"/api/document/{source}"), 409)["hint"]
        path.write_text("x" * 200_000, encoding="utf-8")  # past max_file_mb: refused before it is read
        assert "changed since it was indexed" in check_error(c.get(f"/api/document/{source}"), 409)["error"]
        path.unlink()
        body = check_error(c.get(f"/api/document/{source}"), 409)
        assert "deleted" in body["error"] and "Re-index" in body["hint"]
