"""A `@schedule` over dynamically partitioned assets (tests/compiler/projects/dynamic_schedule.py) replayed with
`run-local` against the real embedded PostgreSQL (the shared instance holding the keys) and SeaweedFS: the planning
task evaluates the schedule's body at the tick against that instance (compiler/materialize/dynamic_schedule.py), so
a tick materializes exactly the partitions Dagster's own evaluation of the same schedule, on the same instance,
requests; a `SkipReason` materializes nothing."""

import os
from pathlib import Path

import pytest

from devservices.postgres.server import PostgresServer
from devservices.s3.seaweed import SeaweedS3
from tests.compiler.run_local.dynamic_support import build_with_partitions, open_instance, stored
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.dynamic_schedule"
CITIES = ["vienna", "graz", "innsbruck"]  # even, even, odd name lengths
EVEN_DAY, ODD_DAY = "2026-11-28T03:00:00Z", "2026-11-27T03:00:00Z"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer) -> tuple[Path, dict[str, str]]:
    """The project built with the shared instance, and a fresh database holding the cities."""
    return build_with_partitions(
        tmp_path_factory.mktemp("dynamic-schedule"), postgres, MODULE, "dynamic_schedule", CITIES
    )


def _tick(template: Path, env: dict[str, str], tick: str) -> str:
    """A tick of the schedule's CronWorkflow: its job DAG with the schedule parameter and scheduled time it passes."""
    arguments = ["run-local", str(template), "--entrypoint", "job-cities-job", "--scheduled-time", tick]
    arguments += ["-p", "schedule=cities_by_parity", "--backoff-scale", "0"]
    replayed = compiler_process(arguments, REPO, env, timeout=600)
    return f"rc={replayed.returncode}\n{replayed.stdout}{replayed.stderr}"


def _dagster_tick(tmp_path: Path, pg: dict[str, str], tick: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Dagster's answer: the schedule evaluated at `tick` on the same instance, and one run per requested key
    (what its daemon launches), into the bucket `monkeypatch` points the IO manager at. The keys in request order."""
    from datetime import datetime

    import dagster as dg

    from tests.compiler.projects.dynamic_schedule import defs

    repository = defs.get_repository_def()
    with open_instance(tmp_path / "instance", pg) as instance:
        at = datetime.fromisoformat(tick)
        schedule = repository.get_schedule_def("cities_by_parity")
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=at, repository_def=repository) as c:
            result = schedule.evaluate_tick(c)
        keys = [str(request.partition_key) for request in result.run_requests or []]
        for key in keys:
            assert defs.resolve_job_def("cities_job").execute_in_process(partition_key=key, instance=instance).success
    return keys


@pytest.mark.timeout(900)
@pytest.mark.parametrize("tick", [EVEN_DAY, ODD_DAY])
def test_a_tick_materializes_the_partitions_dagsters_schedule_requests(
    compiled: tuple[Path, dict[str, str]],
    seaweed: SeaweedS3,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tick: str,
) -> None:
    template, pg = compiled
    suffix = f"{tick[8:10]}-{os.getpid()}"
    argo_env = {**os.environ, "PYTHONPATH": str(REPO), **pg, **seaweed.env(f"dynsched-argo-{suffix}")}
    output = _tick(template, argo_env, tick)
    assert output.startswith("rc=0"), output[-3000:]

    dagster_env = seaweed.env(f"dynsched-dagster-{suffix}")
    for name, value in dagster_env.items():
        monkeypatch.setenv(name, value)
    requested = _dagster_tick(tmp_path, pg, tick, monkeypatch)
    assert requested
    assert set(requested) < set(CITIES)  # the tick requests some cities, not every key
    argo, dagster = stored(argo_env), stored({**os.environ, **dagster_env})
    assert {name.split("/", 2)[2] for name in dagster} == {f"{city}.json" for city in requested}
    assert argo == dagster


@pytest.mark.timeout(900)
def test_a_skipped_tick_and_a_cron_entry_that_is_no_dagster_tick_materialize_nothing(
    compiled: tuple[Path, dict[str, str]], seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With innsbruck gone from the instance an odd day's tick skips (Dagster's SkipReason); 04:00 is no tick of
    the schedule's cron at all. Neither materializes anything, as Dagster launches no run."""
    template, pg = compiled
    env = {**os.environ, "PYTHONPATH": str(REPO), **pg, **seaweed.env(f"dynsched-skip-{os.getpid()}")}
    not_a_tick = _tick(template, env, "2026-11-28T04:00:00Z")
    assert not_a_tick.startswith("rc=0"), not_a_tick[-3000:]
    assert stored(env) == {}
    with open_instance(tmp_path / "instance", pg) as instance:
        instance.delete_dynamic_partition("cities", "innsbruck")
    try:
        assert _dagster_tick(tmp_path, pg, ODD_DAY, monkeypatch) == []
        skipped = _tick(template, env, ODD_DAY)
        assert skipped.startswith("rc=0"), skipped[-3000:]
        assert "skipped" in skipped
        assert stored(env) == {}
    finally:
        with open_instance(tmp_path / "instance", pg) as instance:
            instance.add_dynamic_partitions("cities", ["innsbruck"])


@pytest.mark.timeout(900)
def test_a_requested_key_the_instance_does_not_hold_fails_the_tick_as_in_dagster(
    compiled: tuple[Path, dict[str, str]], seaweed: SeaweedS3, tmp_path: Path
) -> None:
    import dagster as dg

    from tests.compiler.projects.dynamic_schedule import defs

    template, pg = compiled
    env = {**os.environ, "PYTHONPATH": str(REPO), **pg, **seaweed.env(f"dynsched-paris-{os.getpid()}")}
    arguments = ["run-local", str(template), "--entrypoint", "job-cities-job", "--scheduled-time"]
    arguments += ["2026-11-28T05:00:00Z", "-p", "schedule=paris_nightly", "--backoff-scale", "0"]
    failed = compiler_process(arguments, REPO, env, timeout=600)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "plan-partitions: FAILED: schedule paris_nightly at 2026-11-28T05:00:00+00:00" in output, output
    assert "DagsterUnknownPartitionError: Could not find a partition with key `paris`" in output, output
    assert stored(env) == {}
    # Dagster's own evaluation on the same instance resolves each request against the job and refuses this one.
    repository = defs.get_repository_def()
    with (
        open_instance(tmp_path / "instance", pg) as instance,
        dg.build_schedule_context(instance=instance, repository_def=repository) as context,
        pytest.raises(dg.DagsterUnknownPartitionError),
    ):
        repository.get_schedule_def("paris_nightly").evaluate_tick(context)


@pytest.mark.timeout(900)
def test_a_request_for_part_of_the_dynamic_assets_is_refused_before_anything_runs(
    compiled: tuple[Path, dict[str, str]], seaweed: SeaweedS3, tmp_path: Path
) -> None:
    """Dagster would run `city_reading` alone for vienna; the compiled steps share one key list, so the tick fails
    with exit 2 naming the selection instead of also running `city_report`."""
    import dagster as dg

    from tests.compiler.projects.dynamic_schedule import defs

    template, pg = compiled
    repository = defs.get_repository_def()
    with (
        open_instance(tmp_path / "instance", pg) as instance,
        dg.build_schedule_context(instance=instance, repository_def=repository) as context,
    ):
        [request] = repository.get_schedule_def("readings_only").evaluate_tick(context).run_requests or []
    assert request.asset_selection == [dg.AssetKey("city_reading")]
    env = {**os.environ, "PYTHONPATH": str(REPO), **pg, **seaweed.env(f"dynsched-part-{os.getpid()}")}
    arguments = ["run-local", str(template), "--entrypoint", "job-cities-job", "--scheduled-time"]
    arguments += ["2026-11-28T06:00:00Z", "-p", "schedule=readings_only", "--backoff-scale", "0"]
    failed = compiler_process(arguments, REPO, env, timeout=600)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "requested asset_selection [city_reading], which leaves out some of the job's assets" in output, output
    assert stored(env) == {}
