"""The services the pipeline needs, started locally unless the environment already points at real ones.

MINIO_* all set → that store is used; otherwise an embedded SeaweedFS. OPENAQ_API_KEY set → the live API (or
OPENAQ_BASE_URL); otherwise the local SYNTHETIC OpenAQ server.
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from assets.city import CITY
from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import SyntheticCity
from devservices.s3.seaweed import running_seaweed

MINIO_VARIABLES = ("MINIO_ENDPOINT", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_BUCKET")
DEFAULT_BUCKET = "air-quality"


def uses_given_store() -> bool:
    return all(os.environ.get(name) for name in MINIO_VARIABLES)


def uses_live_openaq() -> bool:
    return bool(os.environ.get("OPENAQ_API_KEY"))


@contextmanager
def local_services(work_dir: Path, say: "Say") -> Iterator[dict[str, str]]:
    """Yield the environment (MINIO_*, OPENAQ_*) for the pipeline, stopping what was started on exit."""
    env: dict[str, str] = {}
    with ExitStack() as stack:
        if uses_given_store():
            say(f"object store: using MINIO_ENDPOINT={os.environ['MINIO_ENDPOINT']}")
            env.update({name: os.environ[name] for name in MINIO_VARIABLES})
        else:
            store = stack.enter_context(running_seaweed(work_dir / "seaweed"))
            say(f"object store: embedded SeaweedFS at {store.endpoint} (data in {store.data_dir})")
            env.update(store.env(DEFAULT_BUCKET))
        if uses_live_openaq():
            env["OPENAQ_API_KEY"] = os.environ["OPENAQ_API_KEY"]
            env["OPENAQ_BASE_URL"] = os.environ.get("OPENAQ_BASE_URL", "https://api.openaq.org")
            say(f"OpenAQ: live API at {env['OPENAQ_BASE_URL']} with your OPENAQ_API_KEY")
        else:
            key = f"local-{secrets.token_hex(8)}"
            # Stations around the pipeline's own city, so a changed CITY still finds data offline.
            city = SyntheticCity(
                name=CITY.name, latitude=CITY.latitude, longitude=CITY.longitude, timezone=CITY.timezone
            )
            server = stack.enter_context(serve_openaq(city=city, api_key=key))
            say(f"OpenAQ: local SYNTHETIC server at {server.base_url} (60 requests/minute, like the real API)")
            env.update({"OPENAQ_API_KEY": key, "OPENAQ_BASE_URL": server.base_url})
        yield env


class Say:
    """Progress lines for a person watching `make dev` / `make demo`."""

    def __call__(self, message: str) -> None:
        print(f"==> {message}", flush=True)
