"""`make demo`: compile the pipeline to Argo YAML, replay that YAML locally, and show the published parquet.

It checks the committed `argo_out/` (the default, Vienna alone), then compiles the same pipeline for three cities
(`devservices.three_cities`: Vienna, Graz, Linz, one date × city grid) into a scratch folder and replays that
WorkflowTemplate as its CronWorkflow's tick runs it (the nightly job's DAG): one tick fans out over the three
cities, and each city's object is shown. Then each city's daily summary runs (`devservices/demo_summary.py`).

Offline by default (embedded SeaweedFS, SYNTHETIC OpenAQ server); with OPENAQ_API_KEY and MINIO_* set it uses
the live API and that store instead.
"""

import io
import itertools
import os
import re
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Sequence
from pathlib import Path

import pyarrow.parquet as pq

from assets.city import City
from devservices.dagster_dev import PROJECT_ROOT
from devservices.demo_summary import show_summaries
from devservices.local_stack import Say, local_services

# The cron controller's tick for 2026-11-28 01:00 in Vienna; the schedule turns it into day 2026-11-27 of each city.
SCHEDULED_TIME = "2026-11-28T00:00:00Z"
PARTITION = "2026-11-27"
THREE_CITIES_MODULE = "devservices.three_cities"
WORKFLOW_TEMPLATE_NAME = "air-quality.workflowtemplate.yaml"
# run-local's report of a failed task (compiler/run_local/executor.py): "✘ NAME exit N ..." then "    │ LINE"s.
_FAILED_TASK = re.compile(r"^✘ (\S+) exit (\d+)")
_TAIL = "    │ "
TAIL_LINES = 2000


class CompilerFailed(Exception):
    """A compiler command of the demo failed; `causes` are the lines that say why (see `failure_causes`)."""

    def __init__(self, args: Sequence[str], exit_code: int, causes: list[str]) -> None:
        super().__init__(f"`-m compiler {' '.join(args)}` exited {exit_code}")
        self.causes = causes


def failure_causes(lines: Sequence[str]) -> list[str]:
    """Why a compiler command failed, from its output: for run-local, each failed task ("✘ NAME exit N ...; last
    output:" then its lines as "    │ ...") with its last line; otherwise the command's own last line."""
    causes = []
    for index, line in enumerate(lines):
        failed = _FAILED_TASK.match(line)
        if failed is None:
            continue
        block = list(itertools.takewhile(lambda text: text.startswith(_TAIL), lines[index + 1 :]))
        last = next((text[len(_TAIL) :].strip() for text in reversed(block) if text[len(_TAIL) :].strip()), "")
        causes.append(f"task {failed.group(1)} exited {failed.group(2)}: {last or '(no output)'}")
    if not causes:
        last_line = next((line.strip() for line in reversed(lines) if line.strip()), "")
        causes = [last_line] if last_line else []
    return causes


def _compiler(say: Say, env: dict[str, str], *args: str) -> None:
    """Run `python -m compiler ARGS`, its output shown as it comes and its tail kept for `failure_causes`."""
    say("python -m compiler " + " ".join(args))
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    with subprocess.Popen(
        [sys.executable, "-m", "compiler", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            tail.append(line.rstrip("\n"))
    if process.returncode:
        raise CompilerFailed(args, process.returncode, failure_causes(list(tail)))


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
            # every city's pod at once, as the fan-out's parallelism (one per city) runs them on Argo
            tick = ("--scheduled-time", SCHEDULED_TIME, "--entrypoint", entrypoint, "--max-parallel", str(len(CITIES)))
            _compiler(say, env, "run-local", str(template), *tick)
            _show_published(say, env, CITIES)
            say("the new measurements objects trigger the daily summaries (the compiled Argo Events Sensor, replayed)")
            _compiler(say, env, "run-events", str(out), "--endpoint", env["MINIO_ENDPOINT"])
            show_summaries(say, env, CITIES, PARTITION)
        except CompilerFailed as error:
            say(f"demo failed: {error}")
            for cause in error.causes:
                say(cause)
            return 1
        except subprocess.CalledProcessError as error:
            say(f"demo failed: `{' '.join(str(part) for part in error.cmd[1:])}` exited {error.returncode}")
            return 1
    say("done: services stopped")
    return 0
