"""`local_services`: the local OpenAQ server's rate limit, and what the pipeline is told about it.

No MINIO_* and no OPENAQ_API_KEY, as a newcomer runs `make demo`: the embedded store and the local OpenAQ server
start, and the requests go to that server over real HTTP. (Your own store without an API key is refused:
tests/devservices/test_dev_config.py.)
"""

from pathlib import Path

import pytest
import requests

from assets.openaq.budget import KEY_LIMIT_VARIABLE, REQUESTS_PER_MINUTE
from devservices.local_stack import MINIO_VARIABLES, local_services


@pytest.fixture
def offline_openaq(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in MINIO_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OPENAQ_API_KEY", raising=False)
    monkeypatch.delenv("OPENAQ_BASE_URL", raising=False)


def _statuses(env: dict[str, str], count: int) -> list[int]:
    with requests.Session() as session:
        session.headers["X-API-Key"] = env["OPENAQ_API_KEY"]
        return [session.get(f"{env['OPENAQ_BASE_URL']}/v3/locations", timeout=10).status_code for _ in range(count)]


@pytest.mark.usefixtures("offline_openaq")
def test_by_default_the_local_server_keeps_openaqs_limit_and_the_pipeline_its_default(tmp_path: Path) -> None:
    said: list[str] = []
    with local_services(tmp_path, said.append) as env:
        statuses = _statuses(env, REQUESTS_PER_MINUTE + 1)
    assert KEY_LIMIT_VARIABLE not in env
    assert statuses[:REQUESTS_PER_MINUTE] == [200] * REQUESTS_PER_MINUTE
    assert statuses[-1] == 429
    assert any("60 requests/minute per key, like the real API" in line for line in said)


@pytest.mark.usefixtures("offline_openaq")
def test_a_lifted_limit_is_served_and_handed_to_the_pipeline(tmp_path: Path) -> None:
    said: list[str] = []
    with local_services(tmp_path, said.append, openaq_requests_per_minute=100) as env:
        statuses = _statuses(env, 101)
    assert env[KEY_LIMIT_VARIABLE] == "100"
    assert statuses[:100] == [200] * 100
    assert statuses[-1] == 429
    assert any("100 requests/minute per key;" in line for line in said)
