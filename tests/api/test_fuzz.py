"""The HTTP API fuzzed from its own OpenAPI schema (schemathesis with hypothesis) against the live server.

For every operation the schema lists, requests that fit the schema and
requests that do not are generated: none may get a 5xx, and every error is
JSON with a message. The number of examples is bounded so that the run
takes a minute or two on a small machine, and derandomized so that a
failure repeats.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

EXAMPLES = 200  # per operation and mode: about a minute of requests


@pytest.fixture(scope="module")
def operations(live_server: str) -> list:
    schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    found = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in found} >= {"POST /api/ask", "POST /api/ask/stream", "GET /api/health"}
    return found


def check(case) -> None:
    response = case.call(timeout=60)
    request = f"{case.method} {case.formatted_path} {case.body!r}"[:300]
    assert response.status_code < 500, f"{request} -> {response.status_code}: {response.text[:300]}"
    if response.status_code >= 400:
        content_type = (response.headers.get("content-type") or [""])[0]  # schemathesis lists each header's values
        assert content_type.startswith("application/json"), f"{request} -> {content_type}"
        body = response.json()
        assert isinstance(body.get("error"), str) and body["error"].strip(), f"{request} -> {body}"
        assert isinstance(body.get("hint"), str), f"{request} -> {body}"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_server_errors_and_every_error_is_json_with_a_message(operations: list, mode: GenerationMode) -> None:
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case) -> None:
            check(case)

        try:
            fuzz()
        except Unsatisfiable:
            # Only invalid requests to an operation without a body can be impossible: a path parameter
            # that takes any text (GET /api/document/{source}) has no invalid value, and health takes nothing.
            assert mode is GenerationMode.NEGATIVE and not operation.body, operation
