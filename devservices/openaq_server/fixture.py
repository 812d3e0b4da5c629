"""pytest plugin: one local OpenAQ server per session, reset (faults, counters, rate window) for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.serve import serve_openaq

TEST_API_KEY = "test-openaq-key-4f1c"
# High enough that tests which do not exercise pacing never wait; pacing tests lower it per test.
TEST_RATE_LIMIT = 10_000
TEST_RATE_WINDOW_S = 60.0


@pytest.fixture(scope="session")
def _openaq_server_session() -> Iterator[OpenAQServer]:
    with serve_openaq(api_key=TEST_API_KEY, rate_limit=TEST_RATE_LIMIT, rate_window_s=TEST_RATE_WINDOW_S) as server:
        yield server


@pytest.fixture
def openaq_server(_openaq_server_session: OpenAQServer) -> Iterator[OpenAQServer]:
    """The running server with fresh faults, counters and rate window (`.base_url`, `.api_key`, `.city`, `.faults`)."""
    _openaq_server_session.reset()
    yield _openaq_server_session
    _openaq_server_session.reset()


@pytest.fixture
def openaq_env(openaq_server: OpenAQServer, monkeypatch: pytest.MonkeyPatch) -> OpenAQServer:
    """Points OPENAQ_BASE_URL and OPENAQ_API_KEY at the local server for code that reads the environment."""
    monkeypatch.setenv("OPENAQ_BASE_URL", openaq_server.base_url)
    monkeypatch.setenv("OPENAQ_API_KEY", openaq_server.api_key)
    return openaq_server
