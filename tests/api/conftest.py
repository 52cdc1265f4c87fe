"""Servers for the API tests: the session app, and one with a token over the same engine."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from qa.web.app import create_app
from qa.config import Settings
from qa.engine import Engine

from ..conftest import running


@pytest.fixture(scope="session")
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def api_token() -> str:
    return "s3cret-token"


@pytest.fixture(scope="session")
def token_server(engine: Engine, settings: Settings, api_token: str) -> Iterator[str]:
    """The API with ``api_token`` set, over the session engine."""
    with running(create_app(engine, settings.replace(api_token=api_token))) as url:
        yield url
