"""A client aimed at the session's local OpenAQ server, with tiny backoffs so fault tests stay fast."""

from collections.abc import Iterator

import pytest

from assets.openaq import OpenAQClient, RetrySettings
from devservices.openaq_server import OpenAQServer
from tests.faults.processes import no_process_left_behind

__all__ = ["FAST_RETRY", "client", "no_process_left_behind"]

FAST_RETRY = RetrySettings(
    max_attempts=4, base_delay_s=0.01, max_delay_s=0.05, max_total_s=10.0, rate_limit_fallback_s=0.2
)


@pytest.fixture
def client(openaq_server: OpenAQServer) -> Iterator[OpenAQClient]:
    with OpenAQClient(openaq_server.api_key, openaq_server.base_url, timeout=(2.0, 0.5), retry=FAST_RETRY) as made:
        yield made
