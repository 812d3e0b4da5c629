"""`make demo`: compile the pipeline to Argo YAML, replay that YAML locally, and show the published parquet.

Offline by default (embedded SeaweedFS, SYNTHETIC OpenAQ server); with OPENAQ_API_KEY and MINIO_* set it uses
the live API and that store instead.
"""

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from devservices.dagster_dev import PROJECT_ROOT
from devservices.local_stack import Say, local_services

# The cron controller's tick for 2026-11-28 01:00 in Vienna; the schedule turns it into partition 2026-11-27.
SCHEDULED_TIME = "2026-11-28T00:00:00Z"
PARTITION = "2026-11-27"
WORKFLOW_TEMPLATE = PROJECT_ROOT / "argo_out" / "air-quality.workflowtemplate.yaml"


def _compiler(say: Say, env: dict[str, str], *args: str) -> None:
    say("python -m compiler " + " ".join(args))
    subprocess.run([sys.executable, "-m", "compiler", *args], cwd=PROJECT_ROOT, env={**os.environ, **env}, check=True)


def _argo_manifests() -> list[str]:
    """Everything `kubectl apply -k argo_out/` would read: Argo kinds and the deploy bundle's Kubernetes kinds."""
    return sorted(str(p) for p in (PROJECT_ROOT / "argo_out").glob("*.yaml"))


def _show_published(say: Say, env: dict[str, str]) -> None:
    from assets.city import CITY
    from assets.measurements_parquet import object_key
    from assets.resources.object_store import ObjectStore
    from assets.transform import clean_city_day_json

    store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"],
        access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"],
        bucket=env["MINIO_BUCKET"],
    )
    # What the cleaning step dropped, by the same function on the raw day the step read (stored by the IO manager).
    cleaned = clean_city_day_json(store.get_bytes(f"dagster/openaq/raw_measurements/{PARTITION}.json"))
    drops = ", ".join(f"{reason} {count}" for reason, count in sorted(cleaned.dropped.items()))
    say(f"cleaning: {cleaned.rows_in} rows in, {len(cleaned.frame)} kept; dropped {drops}")
    key = object_key(CITY.name, PARTITION)
    table = pq.read_table(io.BytesIO(store.get_bytes(key)))
    say(f"published {store.uri(key)}: {table.num_rows} rows")
    print(table.schema)
    print(table.slice(0, 8).to_pandas().to_string(index=False))


def run_demo() -> int:
    say = Say()
    with tempfile.TemporaryDirectory(prefix="air-quality-demo-") as scratch, local_services(Path(scratch), say) as env:
        try:
            _compiler(say, env, "build")
            _compiler(say, env, "validate", *_argo_manifests())
            say(f"replaying {WORKFLOW_TEMPLATE.name} as local processes, scheduled time {SCHEDULED_TIME}")
            _compiler(say, env, "run-local", str(WORKFLOW_TEMPLATE), "--scheduled-time", SCHEDULED_TIME)
            _show_published(say, env)
        except subprocess.CalledProcessError as error:
            say(f"demo failed: `{' '.join(str(part) for part in error.cmd[1:])}` exited {error.returncode}")
            return 1
    say("done: services stopped")
    return 0
