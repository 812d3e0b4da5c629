"""`serve_openaq()`: the server as a context manager for scripts, the demo and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.synthetic import SyntheticCity


@contextmanager
def serve_openaq(
    *,
    city: SyntheticCity | None = None,
    cities: Sequence[SyntheticCity] = (),
    api_key: str = "dev-key",
    rate_limit: int = 60,
    rate_window_s: float = 60.0,
    host: str = "127.0.0.1",
    port: int = 0,
) -> Iterator[OpenAQServer]:
    """Run the server in a background thread for the duration of the block."""
    server = OpenAQServer(
        city=city,
        cities=cities,
        api_keys=(api_key,),
        rate_limit=rate_limit,
        rate_window_s=rate_window_s,
        host=host,
        port=port,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
