"""An hourly → daily → weekly chain (tests/compiler/projects/cadence.py), each asset with its own job and schedule,
replayed with `run-local` against the real SeaweedFS and compared with Dagster in process on a bucket of its own:
a backfill of the day's first hours (Dagster's values for the rest), then the daily tick, then the weekly tick, which
fails naming the six days no run built (as Dagster's run does), and succeeds once they exist. Stored values are
compared byte for byte."""

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from assets.resources.object_store import ObjectStore
from devservices.s3.seaweed import SeaweedS3
from tests.compiler.run_local.dynamic_support import SETTINGS as DYNAMIC_SETTINGS
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.cadence"
SETTINGS = DYNAMIC_SETTINGS.replace("dynamic", "cadence")  # the same deployment settings, named "cadence"
DAY = "2026-11-28"  # a Saturday: the last day of the week 2026-11-22 (weeks start on Sunday)
TICK = "2026-11-29T00:00:00Z"  # 01:00 in Vienna: the daily schedule requests 2026-11-28, the weekly one 2026-11-22
OTHER_DAYS = [f"2026-11-{d}" for d in range(22, 28)]  # the week's days before DAY
ARGO_HOURS = 3  # the hourly partitions the replay backfills: 2026-11-28-00:00 .. 02:00 (Vienna)


def _defs() -> dg.Definitions:
    from tests.compiler.projects.cadence import defs

    return defs


def _requested(schedule: str) -> str:
    """Dagster's answer: the partition the schedule requests for TICK."""
    repository = _defs().get_repository_def()
    with dg.build_schedule_context(
        scheduled_execution_time=datetime.fromisoformat(TICK), repository_def=repository
    ) as context:
        [request] = repository.get_schedule_def(schedule).evaluate_tick(context).run_requests or []
    assert request.partition_key is not None
    return request.partition_key


def _hours() -> list[str]:
    from tests.compiler.projects.cadence import HOURS

    return [k for k in HOURS.get_partition_keys(current_time=datetime.fromisoformat(TICK)) if k.startswith(DAY)]


def _stored(store: ObjectStore) -> dict[str, bytes]:
    """Object name → bytes of everything the project stored."""
    names = [o.object_name for o in store.client().list_objects(store.bucket, prefix="cadence/", recursive=True)]
    return {name: store.get_bytes(name) for name in names if name}


def _dagster_run(job: str, partition: str) -> dg.ExecuteInProcessResult:
    return _defs().resolve_job_def(job).execute_in_process(partition_key=partition, raise_on_error=False)


def _run_local(out: Path, env: dict[str, str], entrypoint: str, schedule: str) -> subprocess.CompletedProcess[str]:
    arguments = [
        "run-local", str(out / "cadence.workflowtemplate.yaml"), "--entrypoint", entrypoint,
        "--scheduled-time", TICK, "-p", f"schedule={schedule}", "--backoff-scale", "0",
    ]  # fmt: skip
    return compiler_process(arguments, REPO, env, timeout=600)


@pytest.mark.timeout(1500)
def test_a_day_of_an_hourly_daily_weekly_chain_stores_what_dagster_stores(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), **seaweed.env(f"cadence-argo-{os.getpid()}")}
    (tmp_path / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    out = tmp_path / "out"
    built = compiler_process(
        ["build", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out)], REPO, env
    )
    assert built.returncode == 0, built.stderr
    assert "warning:" not in built.stderr  # `main` plans every upstream partition (the second test)

    # Dagster in process, on a bucket of its own: the day's hourly runs.
    for name, value in seaweed.env(f"cadence-dagster-{os.getpid()}").items():
        monkeypatch.setenv(name, value)
    hours = _hours()
    for hour in hours:
        assert _dagster_run("readings_job", hour).success
    dagster_store = ObjectStore.from_env()
    argo_store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"], access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"], bucket=env["MINIO_BUCKET"],
    )  # fmt: skip

    # Argo: the day's first hours by `compiler backfill` of the hourly schedule (the Vienna day begins at 23:00 UTC
    # of the day before); the day's other hours are Dagster's, copied, each hourly pod being one more process that
    # proves nothing new. The 01:00 daily tick reads all of them: a backfilled hour that is missing fails it.
    for hour in hours[ARGO_HOURS:]:
        name = f"cadence/readings/{hour}.json"
        argo_store.put_bytes(name, dagster_store.get_bytes(name), "json")
    backfill = tmp_path / "hours.yaml"
    written = compiler_process(
        ["backfill", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"),
         "--schedule", "readings_job_schedule", "--start", hours[0], "--end", hours[ARGO_HOURS - 1],
         "--parallelism", "4", "--out", str(backfill)],
        REPO, env,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    replayed = compiler_process(
        ["run-local", str(backfill), "--templates", str(out), "--max-parallel", "4", "--backoff-scale", "0"],
        REPO, env, timeout=900,
    )  # fmt: skip
    assert replayed.returncode == 0, (replayed.stdout + replayed.stderr)[-3000:]
    backfilled = re.findall(r"^✔ partition\(\d+:([0-9:-]+)\)", replayed.stdout, re.MULTILINE)
    assert sorted(backfilled) == hours[:ARGO_HOURS], replayed.stdout[-3000:]
    daily = _run_local(out, env, "job-daily-mean-job", "daily_mean_job_schedule")
    assert daily.returncode == 0, (daily.stdout + daily.stderr)[-3000:]
    weekly = _run_local(out, env, "job-weekly-mean-job", "weekly_mean_job_schedule")

    day = _requested("daily_mean_job_schedule")
    week = _requested("weekly_mean_job_schedule")
    assert day == DAY
    assert _dagster_run("daily_mean_job", day).success
    dagster_weekly = _dagster_run("weekly_mean_job", week)
    assert not dagster_weekly.success  # six days of the week were never built: Dagster's run fails too
    [failure] = [e for e in dagster_weekly.all_events if e.is_step_failure]
    error = failure.step_failure_data.error
    assert error is not None
    dagster_message = (error.cause or error).message  # the IO manager's error, under Dagster's wrapper
    dagster_stored = _stored(dagster_store)
    assert len(dagster_stored) == 25  # 24 hours and the day
    assert _stored(argo_store) == dagster_stored

    # The weekly step failed once (no RetryPolicy: no retry), in one line naming the asset and its missing days.
    output = weekly.stdout + weekly.stderr
    assert weekly.returncode == 1, output[-3000:]
    missing = re.findall(r"asset daily_mean: partition\(s\) ([0-9, -]+) not materialized", output)
    assert missing, output[-3000:]
    assert missing[0] in dagster_message  # the same partitions Dagster's run named
    assert missing[0].split(", ") == OTHER_DAYS
    assert "Traceback" not in output
    assert len(re.findall(r"^▶ weekly-mean", output, re.MULTILINE)) == 1, output[-3000:]

    # Once the other days exist (here: Dagster's own values, copied), the weekly tick succeeds on both sides.
    for name, data in dagster_stored.items():
        argo_store.put_bytes(name, data, "json")
    _store_readings_of_the_other_days(dagster_store, dagster_stored, hours)
    for other in OTHER_DAYS:
        assert _dagster_run("daily_mean_job", other).success
    assert _dagster_run("weekly_mean_job", week).success
    dagster_stored = _stored(dagster_store)
    for name, data in dagster_stored.items():
        if "/weekly_mean/" not in name:
            argo_store.put_bytes(name, data, "json")
    again = _run_local(out, env, "job-weekly-mean-job", "weekly_mean_job_schedule")
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    weekly_key = f"cadence/weekly_mean/{week}.json"
    assert argo_store.get_bytes(weekly_key) == dagster_stored[weekly_key]


def _store_readings_of_the_other_days(store: ObjectStore, stored: dict[str, bytes], hours: list[str]) -> None:
    """The hourly readings of the week's six other days, as Dagster's runs of `readings_job` store them, without
    144 runs: a reading is a pure function of its hour's key (tests/compiler/projects/cadence.py), so each is DAY's
    reading of the same hour with the day renamed. Dagster's own runs of the first and last hour of one of those
    days check that this is what Dagster stores."""
    for other in OTHER_DAYS:
        for hour in hours:
            name = f"cadence/readings/{hour}.json"
            store.put_bytes(name.replace(DAY, other), stored[name].replace(DAY.encode(), other.encode()), "json")
    for hour in (hours[0], hours[-1]):
        name = f"cadence/readings/{hour.replace(DAY, OTHER_DAYS[0])}.json"
        copied = store.get_bytes(name)
        store.client().remove_object(store.bucket, name)
        assert not store.exists(name)
        assert _dagster_run("readings_job", hour.replace(DAY, OTHER_DAYS[0])).success
        assert store.get_bytes(name) == copied


QUARTERS = "tests.compiler.projects.cadence_quarters"


def _quarters_defs() -> dg.Definitions:
    from tests.compiler.projects.cadence_quarters import defs

    return defs


def _quarters_requested(schedule: str) -> str:
    repository = _quarters_defs().get_repository_def()
    with dg.build_schedule_context(
        scheduled_execution_time=datetime.fromisoformat(TICK), repository_def=repository
    ) as context:
        [request] = repository.get_schedule_def(schedule).evaluate_tick(context).run_requests or []
    assert request.partition_key is not None
    return request.partition_key


def _quarters_mapping(child: str, parent: str, keys: set[str]) -> set[str]:
    """Dagster's mapping of `child`'s partitions `keys` onto `parent`."""
    graph = _quarters_defs().resolve_asset_graph()
    child_def = graph.get(dg.AssetKey(child)).partitions_def
    parent_def = graph.get(dg.AssetKey(parent)).partitions_def
    assert child_def is not None
    assert parent_def is not None
    mapping = graph.get_partition_mapping(dg.AssetKey(child), dg.AssetKey(parent))
    result = mapping.get_upstream_mapped_partitions_result_for_partitions(
        child_def.subset_with_partition_keys(sorted(keys)), child_def, parent_def
    )
    return set(result.partitions_subset.get_partition_keys())


@pytest.mark.timeout(1500)
def test_a_run_of_main_plans_every_upstream_partition_with_dagsters_mappings(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`main` at the tick over 6-hourly → daily → weekly: planning tasks list, by Dagster's mappings, the windows
    and days each downstream partition reads, the upstream steps fan out over them (withParam), upstream first, and
    every step succeeds; the stored objects are those of Dagster's runs of the same partitions."""
    env = {**os.environ, "PYTHONPATH": str(REPO), **seaweed.env(f"cadence-main-{os.getpid()}")}
    (tmp_path / "pyproject.toml").write_text(SETTINGS.replace('name = "cadence"', 'name = "quarters"'), "utf-8")
    out = tmp_path / "out"
    built = compiler_process(
        ["build", "--module", QUARTERS, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out)], REPO, env
    )
    assert built.returncode == 0, built.stderr
    assert "warning:" not in built.stderr  # every dependency of another cadence is planned in `main`
    replay = compiler_process(
        ["run-local", str(out / "quarters.workflowtemplate.yaml"), "--scheduled-time", TICK,
         "--max-parallel", "4", "--backoff-scale", "0"],
        REPO, env, timeout=1200,
    )  # fmt: skip
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-3000:]

    def fanned(task: str) -> set[str]:
        return set(re.findall(rf"^✔ {task}\(\d+:([0-9:-]+)\) ", output, re.MULTILINE))

    window = _quarters_requested("quarters_job_schedule")
    day = _quarters_requested("quarter_days_job_schedule")
    week = _quarters_requested("quarter_weeks_job_schedule")
    week_days = _quarters_mapping("quarter_weeks", "quarter_days", {week})
    assert len(week_days) == 7
    assert fanned("quarters-for-quarter-days") == _quarters_mapping("quarter_days", "quarters", {day})
    assert fanned("quarter-days-for-quarter-weeks") == week_days
    assert fanned("quarters-for-quarter-weeks") == _quarters_mapping("quarter_days", "quarters", week_days)

    for name, value in seaweed.env(f"cadence-main-dagster-{os.getpid()}").items():
        monkeypatch.setenv(name, value)
    defs = _quarters_defs()
    windows = {window} | _quarters_mapping("quarter_days", "quarters", week_days | {day})
    for key in sorted(windows):
        assert defs.resolve_job_def("quarters_job").execute_in_process(partition_key=key).success
    for key in sorted(week_days | {day}):
        assert defs.resolve_job_def("quarter_days_job").execute_in_process(partition_key=key).success
    assert defs.resolve_job_def("quarter_weeks_job").execute_in_process(partition_key=week).success
    argo_store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"], access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"], bucket=env["MINIO_BUCKET"],
    )  # fmt: skip
    assert _stored(argo_store) == _stored(ObjectStore.from_env())
