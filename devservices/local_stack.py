"""The services the pipeline needs, started locally unless the environment already points at real ones.

All four MINIO_* set → that store is used; none set → an embedded SeaweedFS; some set → refused (a half-set store
would silently become the embedded one). OPENAQ_API_KEY set → the live API (or OPENAQ_BASE_URL); otherwise the local
SYNTHETIC OpenAQ server. Your store without OPENAQ_API_KEY is refused too: the synthetic days would be published
under that store's production keys (air_quality/city=.../date=...), next to or over real data, and a separate prefix
would be one more thing every reader of the bucket must know. Each choice is said aloud, naming the variables used
or ignored.
"""

import os
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from assets.city import CITIES, City
from assets.openaq.budget import KEY_LIMIT_VARIABLE, REQUESTS_PER_MINUTE
from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import cities_for
from devservices.s3.seaweed import running_seaweed

MINIO_VARIABLES = ("MINIO_ENDPOINT", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_BUCKET")
DEFAULT_BUCKET = "air-quality"


class LocalStackUsageError(Exception):
    """The environment names services inconsistently; the message says which variables to set or unset."""


def uses_given_store(environ: Mapping[str, str] | None = None) -> bool:
    """True with all four MINIO_* set, False with none; a half-set store is an error naming what is missing."""
    environ = os.environ if environ is None else environ
    given = [name for name in MINIO_VARIABLES if environ.get(name)]
    if given and len(given) < len(MINIO_VARIABLES):
        missing = [name for name in MINIO_VARIABLES if name not in given]
        raise LocalStackUsageError(
            f"{', '.join(given)} set but {', '.join(missing)} not: set all four MINIO_* to use your store, "
            "or unset them all for the embedded one"
        )
    return bool(given)


def uses_live_openaq(environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return bool(environ.get("OPENAQ_API_KEY"))


def check_no_synthetic_into_given_store(environ: Mapping[str, str] | None = None) -> None:
    """Refuse your store (all four MINIO_*) with the synthetic server (no OPENAQ_API_KEY): never synthetic data
    under a real store's production keys."""
    environ = os.environ if environ is None else environ
    if uses_given_store(environ) and not uses_live_openaq(environ):
        raise LocalStackUsageError(
            f"MINIO_* name your store (bucket {environ['MINIO_BUCKET']} at {environ['MINIO_ENDPOINT']}) but "
            "OPENAQ_API_KEY is not set: the local server's SYNTHETIC data would be published under your bucket's "
            "production keys (air_quality/city=.../date=...); set OPENAQ_API_KEY for the live API, or unset MINIO_* "
            "for the embedded store"
        )


@contextmanager
def local_services(
    work_dir: Path,
    say: Callable[[str], None],
    cities: Sequence[City] = CITIES,
    openaq_requests_per_minute: int = REQUESTS_PER_MINUTE,
) -> Iterator[dict[str, str]]:
    """Yield the environment (MINIO_*, OPENAQ_*) for the pipeline, stopping what was started on exit; the local
    OpenAQ server serves stations around each of `cities` (default: the project's `CITIES`).

    The local server allows `openaq_requests_per_minute` per key (default OpenAQ's 60, so the demo paces as the
    real API would). Another limit, for benchmarks that repeat runs and must not measure waits for the window, is
    also handed to the pipeline as `OPENAQ_REQUESTS_PER_MINUTE`, so its pods keep to the stand-in's limit.
    """
    env: dict[str, str] = {}
    check_no_synthetic_into_given_store()  # before anything starts, like a half-set store
    given_store, live_openaq = uses_given_store(), uses_live_openaq()
    with ExitStack() as stack:
        if given_store:
            say(
                f"object store: yours, from MINIO_ENDPOINT={os.environ['MINIO_ENDPOINT']} "
                f"MINIO_BUCKET={os.environ['MINIO_BUCKET']} MINIO_ACCESS_KEY MINIO_SECRET_KEY"
            )
            env.update({name: os.environ[name] for name in MINIO_VARIABLES})
        else:
            store = stack.enter_context(running_seaweed(work_dir / "seaweed"))
            say(f"object store: embedded SeaweedFS at {store.endpoint} (no MINIO_* set; data in {store.data_dir})")
            env.update(store.env(DEFAULT_BUCKET))
        if live_openaq:
            env["OPENAQ_API_KEY"] = os.environ["OPENAQ_API_KEY"]
            env["OPENAQ_BASE_URL"] = os.environ.get("OPENAQ_BASE_URL", "https://api.openaq.org")
            say(f"OpenAQ: live API at {env['OPENAQ_BASE_URL']} with your OPENAQ_API_KEY")
        else:
            if os.environ.get("OPENAQ_BASE_URL"):
                say("OpenAQ: OPENAQ_BASE_URL ignored: without OPENAQ_API_KEY the local synthetic server is used")
            key = f"local-{secrets.token_hex(8)}"
            # Stations around each of the pipeline's cities, so a changed CITIES still finds data offline.
            # Dirty, like real data: a few nulls, -999 sentinels, duplicates and stray rows for the cleaning to drop.
            places = [(c.name, c.latitude, c.longitude, c.timezone) for c in cities]
            limit = openaq_requests_per_minute
            server = stack.enter_context(
                serve_openaq(cities=cities_for(places, dirty=True), api_key=key, rate_limit=limit)
            )
            like = ", like the real API" if limit == REQUESTS_PER_MINUTE else ""
            say(
                f"OpenAQ: local SYNTHETIC server at {server.base_url} for {', '.join(c.name for c in cities)} "
                f"({limit} requests/minute per key{like}; with a few nulls, -999 sentinels, duplicates and "
                "out-of-window rows)"
            )
            env.update({"OPENAQ_API_KEY": key, "OPENAQ_BASE_URL": server.base_url})
            if limit != REQUESTS_PER_MINUTE:
                env[KEY_LIMIT_VARIABLE] = str(limit)
        yield env


class Say:
    """Progress lines for a person watching `make dev` / `make demo`."""

    def __call__(self, message: str) -> None:
        print(f"==> {message}", flush=True)
