"""`compiler backfill` + `run-local` against the real services: a range of partitions, each published once."""

import io
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from assets.city import CITY
from assets.measurements_parquet import object_key
from assets.openaq.window import day_window_utc
from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from tests.compiler.support import REPO, compiler_process

# 2026-10-25 is 25 hours long in Vienna; three partitions are one more than --parallelism 2 lets run at once
DAYS = ("2026-10-24", "2026-10-25", "2026-10-26")
PARQUET_TASK = "openaq-measurements-parquet"


def _compiler(*arguments: str) -> subprocess.CompletedProcess[str]:
    return compiler_process(arguments, REPO, os.environ, timeout=600)


def _started_and_finished(output: str) -> list[tuple[str, str]]:
    """(event, partition) in output order: the first start and the last success of each partition's tasks."""
    events = []
    for line in output.splitlines():
        match = re.match(r"^(▶|✔) partition\(\d+:(?:[a-z0-9-]+\|)?(\d{4}-\d{2}-\d{2})\)\.(?:\S+\.)?([a-z-]+)[: ]", line)
        if match:
            events.append((match[1], match[2], match[3]))
    return [(event, day) for event, day, task in events if (event == "▶") == (task == "openaq-raw-measurements")]


def test_backfill_publishes_each_partition_of_the_range_once_at_most_two_at_a_time(
    s3_env: dict[str, str], openaq_env: OpenAQServer, tmp_path: Path
) -> None:
    workflow = tmp_path / "backfill.yaml"
    written = _compiler(
        "backfill", "--schedule", "air_quality_nightly", "--start", DAYS[0], "--end", DAYS[-1],
        "--parallelism", "2", "--out", str(workflow),
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert yaml.safe_load(workflow.read_text())["kind"] == "Workflow"

    replay = _compiler("run-local", str(workflow), "--templates", str(REPO / "argo_out"), "--max-parallel", "4")

    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-4000:]
    for day in DAYS:  # each partition's steps ran exactly once, with that partition
        node = rf"partition\(\d+:{day}\)\.(?:\S+\.)?{PARQUET_TASK}"  # the day: every city's key of it
        assert len(re.findall(rf"^▶ {node}:", output, re.MULTILINE)) == 1
        assert len(re.findall(rf"^✔ {node} ", output, re.MULTILINE)) == 1
    store = ObjectStore.from_env()
    published = store.client().list_objects(store.bucket, prefix="air_quality/", recursive=True)
    assert sorted(o.object_name for o in published) == [object_key(CITY.name, day) for day in DAYS]
    for day in DAYS:  # and each object holds its own day's rows (25 hours on the day DST ends)
        start, end = day_window_utc(date.fromisoformat(day), CITY.timezone)
        sensors = openaq_env.city.active_sensor_ids(start, CITY.radius_m)
        expected = sum(openaq_env.city.expected_hours(sensor, start, end) for sensor in sensors)
        assert pq.read_table(io.BytesIO(store.get_bytes(object_key(CITY.name, day)))).num_rows == expected

    events = _started_and_finished(output)
    starts = [day for event, day in events if event == "▶"]
    assert sorted(starts) == list(DAYS)
    # In date order, up to the race between the (at most two) partitions that start together: the k-th start is
    # never a day later than the (k+1)-th of the range, as Argo admits withItems children in index order.
    assert all(day in DAYS[: k + 2] for k, day in enumerate(starts)), starts
    active: set[str] = set()
    for event, day in events:  # never more than --parallelism partitions in flight
        (active.add if event == "▶" else active.discard)(day)
        assert len(active) <= 2, events

    before = {day: store.get_bytes(object_key(CITY.name, day)) for day in DAYS}
    again = _compiler("run-local", str(workflow), "--templates", str(REPO / "argo_out"), "--max-parallel", "4")
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    assert {day: store.get_bytes(object_key(CITY.name, day)) for day in DAYS} == before  # a rerun is idempotent
