"""`make demo`: compile the pipeline to Argo YAML, replay that YAML locally, and show the published parquet.

It checks the committed `argo_out/` (the default, Vienna alone), then compiles the same pipeline for three cities
(`devservices.three_cities`: Vienna, Graz, Linz, one date × city grid) into a scratch folder and replays that
WorkflowTemplate as its CronWorkflow's tick runs it (the nightly job's DAG): one tick fans out over the three
cities, and each city's object is shown. Then each city's daily summary runs (`devservices/demo_summary.py`).

Offline by default (embedded SeaweedFS, SYNTHETIC OpenAQ server); with OPENAQ_API_KEY and MINIO_* set it uses
the live API and that store instead.
"""

import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyarrow.parquet as pq

from assets.city import City
from devservices.dagster_dev import PROJECT_ROOT
from devservices.demo_summary import run_summaries
from devservices.local_stack import Say, local_services

# The cron controller's tick for 2026-11-28 01:00 in Vienna; the schedule turns it into day 2026-11-27 of each city.
SCHEDULED_TIME = "2026-11-28T00:00:00Z"
PARTITION = "2026-11-27"
THREE_CITIES_MODULE = "devservices.three_cities"
WORKFLOW_TEMPLATE_NAME = "air-quality.workflowtemplate.yaml"


def _compiler(say: Say, env: dict[str, str], *args: str) -> None:
    say("python -m compiler " + " ".join(args))
    subprocess.run([sys.executable, "-m", "compiler", *args], cwd=PROJECT_ROOT, env={**os.environ, **env}, check=True)


def _argo_manifests(folder: Path) -> list[str]:
    """Everything `kubectl apply -k` would read there: Argo kinds and the deploy bundle's Kubernetes kinds."""
    return sorted(str(p) for p in folder.glob("*.yaml"))


def _cron_entrypoint(folder: Path) -> str:
    """The DAG the nightly CronWorkflow runs (its workflowSpec's entrypoint), what its tick replays."""
    import yaml

    [cron] = folder.glob("*.cronworkflow.yaml")
    entrypoint: str = yaml.safe_load(cron.read_text(encoding="utf-8"))["spec"]["workflowSpec"]["entrypoint"]
    return entrypoint


def _show_published(say: Say, env: dict[str, str], cities: Sequence[City]) -> None:
    from assets.measurements_parquet import object_key
    from assets.resources.object_store import ObjectStore
    from assets.transform import clean_city_day_json

    store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"],
        access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"],
        bucket=env["MINIO_BUCKET"],
    )
    for index, city in enumerate(cities):
        # What the cleaning step dropped, by the same function on the raw day the step read (the IO manager's key).
        raw_key = f"dagster/openaq/raw_measurements/city={city.name}/date={PARTITION}.json"
        cleaned = clean_city_day_json(store.get_bytes(raw_key))
        drops = ", ".join(f"{reason} {count}" for reason, count in sorted(cleaned.dropped.items()))
        say(f"{city.name}: cleaning: {cleaned.rows_in} rows in, {len(cleaned.frame)} kept; dropped {drops}")
        key = object_key(city.name, PARTITION)
        table = pq.read_table(io.BytesIO(store.get_bytes(key)))
        say(f"published {store.uri(key)}: {table.num_rows} rows")
        if index == 0:
            print(table.schema)
        print(table.slice(0, 4).to_pandas().to_string(index=False))


def run_demo() -> int:
    from devservices.three_cities import CITIES

    say = Say()
    with (
        tempfile.TemporaryDirectory(prefix="air-quality-demo-") as scratch,
        local_services(Path(scratch), say, CITIES) as env,
    ):
        try:
            _compiler(say, env, "build")
            _compiler(say, env, "validate", *_argo_manifests(PROJECT_ROOT / "argo_out"))
            out = Path(scratch) / "argo_out_three_cities"
            say(f"three cities ({', '.join(c.name for c in CITIES)}): compiling {THREE_CITIES_MODULE} into {out}")
            _compiler(say, env, "build", "--module", THREE_CITIES_MODULE, "--out", str(out))
            _compiler(say, env, "validate", *_argo_manifests(out))
            template = out / WORKFLOW_TEMPLATE_NAME
            entrypoint = _cron_entrypoint(out)
            say(f"replaying {template.name} ({entrypoint}) as local processes, scheduled time {SCHEDULED_TIME}")
            tick = ("--scheduled-time", SCHEDULED_TIME, "--entrypoint", entrypoint)
            _compiler(say, env, "run-local", str(template), *tick)
            _show_published(say, env, CITIES)
            run_summaries(say, env, THREE_CITIES_MODULE, CITIES, PARTITION)
        except subprocess.CalledProcessError as error:
            say(f"demo failed: `{' '.join(str(part) for part in error.cmd[1:])}` exited {error.returncode}")
            return 1
    say("done: services stopped")
    return 0
