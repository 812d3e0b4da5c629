"""Acceptance: Dagster's `new_object_sensor` (its own tick evaluation, against the real SeaweedFS store) and the
compiled Argo Events Sensor (`run-events`: notification → filters → trigger → the Workflow replayed by run-local)
request the same partitions for the same sequence of new objects: a redelivered event, a key outside the pattern,
a directory marker, a key S3 notifications URL-encode (a space), a key outside the suffix."""

import json
import os
import subprocess
from io import BytesIO
from pathlib import Path

import dagster as dg
import pytest
from minio import Minio

from compiler.sensors.store import endpoint_parts
from tests.compiler.events.replay_settings import replay_settings
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.object_events"
ROUNDS = (
    (
        "air_quality/city=vienna/date=2026-11-27/measurements.parquet",
        "air_quality/city=graz/",  # a directory marker
        "air_quality/stations.parquet",  # under the prefix, with the suffix, outside the pattern
        "air_quality/city=graz/date=2026-11-27/notes.txt",  # outside the suffix
    ),
    (
        "air_quality/city=wiener neustadt/date=2026-11-28/measurements.parquet",  # S3 notifications encode the space
        "air_quality/city=graz/date=2026-11-28/measurements.parquet",
        "elsewhere/city=linz/date=2026-11-28/measurements.parquet",  # outside the prefix
        "air_quality/city=linz/date=2026-11-28/measurements.parquet",  # names no partition: linz is not a city
    ),
)


def _client(env: dict[str, str]) -> Minio:
    netloc, secure = endpoint_parts(env["MINIO_ENDPOINT"], "MINIO_ENDPOINT")
    return Minio(netloc, access_key=env["MINIO_ACCESS_KEY"], secret_key=env["MINIO_SECRET_KEY"], secure=secure)


def _compiler(arguments: list[str], env: dict[str, str], markers: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env, "PYTHONPATH": str(REPO), "FIXTURE_MARKER_DIR": str(markers)}
    return compiler_process(arguments, REPO, environment, timeout=600)


class DagsterDaemonStandIn:
    """Evaluates the sensor's ticks with Dagster's own code and, as the daemon does, launches a RunRequest only once
    per run_key; `requested` is the partitions of the runs it would launch."""

    def __init__(self) -> None:
        from tests.compiler.projects.object_events import defs

        self.repository = defs.get_repository_def()
        self.sensor = self.repository.get_sensor_def("new_measurements")
        self.cursor: str | None = None
        self.run_keys: set[str] = set()
        self.requested: set[str] = set()

    def tick(self) -> None:
        with dg.build_sensor_context(cursor=self.cursor, repository_def=self.repository) as context:
            result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor
        for request in result.run_requests or []:
            assert request.run_key
            if request.run_key not in self.run_keys:
                self.run_keys.add(request.run_key)
                self.requested.add(str(request.partition_key))


@pytest.mark.timeout(900)
def test_dagster_and_the_compiled_sensor_request_the_same_partitions(s3_env: dict[str, str], tmp_path: Path) -> None:
    markers, events = tmp_path / "markers", tmp_path / "events"
    (tmp_path / "pyproject.toml").write_text(replay_settings("object-events", s3_env, markers), encoding="utf-8")
    out = tmp_path / "out"
    built = _compiler(
        ["build", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out)],
        s3_env,
        markers,
    )
    assert built.returncode == 0, built.stderr
    store = _client(s3_env)
    store.make_bucket(s3_env["MINIO_BUCKET"])
    dagster = DagsterDaemonStandIn()
    replay = ["run-events", str(out), "--endpoint", s3_env["MINIO_ENDPOINT"], "--state", str(tmp_path / "state.json")]
    pods = 0
    for keys in ROUNDS:
        for key in keys:
            store.put_object(s3_env["MINIO_BUCKET"], key, BytesIO(b"PAR1"), 4)
        dagster.tick()
        replayed = _compiler([*replay, "--save-events", str(events)], s3_env, markers)
        # linz passes the Sensor's filters (a regex cannot know the city list), but the summary job fans out over
        # the cities and only the object's item runs (compiler/builder/object_fan_out.py): no item is linz, so its
        # Workflow runs no pod and materializes nothing, as Dagster's sensor skips the key
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert ", 0 failed," in replayed.stdout
        # one pod per object, not one per city that then skips: the other cities' items are Skipped by `when`
        pods += sum(line.startswith("▶ ") for line in replayed.stdout.splitlines())
        assert "skipped by when" in replayed.stdout
    assert pods == 3  # vienna, wiener neustadt, graz: as many pods as Dagster's run requests

    # A redelivered notification: the Workflow it names exists, so nothing runs again. Dagster's equivalent, the
    # same object listed again (cursor lost), has a run_key it already launched.
    vienna = next(p for p in sorted(events.iterdir()) if "vienna" in p.read_text(encoding="utf-8"))
    again = _compiler([*replay, "--event", str(vienna)], s3_env, markers)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already exists: not run again" in again.stdout
    dagster.cursor = None
    dagster.tick()

    materialized = {p.name.split("@", 1)[1] for p in markers.iterdir()}
    assert materialized == dagster.requested
    assert len(dagster.requested) == 3  # vienna, graz, wiener neustadt: the rest started nothing on either side
    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    assert len(state["workflows"]) == 4  # the three, and linz's failed one
