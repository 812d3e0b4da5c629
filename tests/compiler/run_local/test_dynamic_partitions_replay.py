"""Dynamic partitions (tests/compiler/projects/dynamic.py) replayed with `run-local` against the real embedded
PostgreSQL (the shared Dagster instance holding the keys) and SeaweedFS, compared with Dagster in process: a run
over the definition's keys (Dagster: one run per key the instance holds, i.e. a backfill over all keys) stores the
same objects; an explicit key runs that key alone; a key the instance does not hold fails before anything runs,
as Dagster refuses it."""

import os
from pathlib import Path

import dagster as dg
import pytest

from devservices.postgres.server import PostgresServer
from devservices.s3.seaweed import SeaweedS3
from tests.compiler.run_local.dynamic_support import build_with_partitions, open_instance, stored
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.dynamic"
CITIES = ["vienna", "graz", "linz"]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer) -> tuple[Path, dict[str, str]]:
    """The project built with the shared instance, and a fresh database holding the three cities."""
    return build_with_partitions(tmp_path_factory.mktemp("dynamic"), postgres, MODULE, "dynamic_partitions", CITIES)


def _run_local(template: Path, env: dict[str, str], *extra: str) -> str:
    replayed = compiler_process(["run-local", str(template), "--backoff-scale", "0", *extra], REPO, env, timeout=600)
    return f"rc={replayed.returncode}\n{replayed.stdout}{replayed.stderr}"


@pytest.mark.timeout(900)
def test_a_run_over_the_instance_keys_stores_what_dagster_stores(
    compiled: tuple[Path, dict[str, str]], seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template, pg = compiled
    argo_env = {**os.environ, "PYTHONPATH": str(REPO), **pg, **seaweed.env(f"dynamic-argo-{os.getpid()}")}
    output = _run_local(template, argo_env, "--entrypoint", "job-cities-job")
    assert output.startswith("rc=0"), output[-3000:]

    # Dagster in process: a run of the job for every key its instance holds (what a backfill over all keys runs).
    dagster_env = seaweed.env(f"dynamic-dagster-{os.getpid()}")
    for name, value in dagster_env.items():
        monkeypatch.setenv(name, value)
    from tests.compiler.projects.dynamic import defs

    with open_instance(tmp_path / "instance", pg) as instance:
        partitions = defs.get_assets_def("city_reading").partitions_def
        assert partitions is not None
        keys = partitions.get_partition_keys(dynamic_partitions_store=instance)
        assert sorted(keys) == sorted(CITIES)
        for key in keys:
            assert defs.resolve_job_def("cities_job").execute_in_process(partition_key=key, instance=instance).success
    argo, dagster = stored(argo_env), stored({**os.environ, **dagster_env})
    assert {name.split("/", 2)[2] for name in dagster} == {f"{city}.json" for city in CITIES}
    assert argo == dagster


@pytest.mark.timeout(900)
def test_an_explicit_key_runs_alone_and_an_unknown_one_fails_as_dagster_refuses_it(
    compiled: tuple[Path, dict[str, str]], seaweed: SeaweedS3, tmp_path: Path
) -> None:
    template, pg = compiled
    env = {**os.environ, "PYTHONPATH": str(REPO), **pg, **seaweed.env(f"dynamic-one-{os.getpid()}")}
    output = _run_local(template, env, "--entrypoint", "job-cities-job", "-p", "partition=graz")
    assert output.startswith("rc=0"), output[-3000:]
    assert set(stored(env)) == {"cadence/city_reading/graz.json", "cadence/city_report/graz.json"}

    unknown = _run_local(template, env, "--entrypoint", "job-cities-job", "-p", "partition=paris")
    assert not unknown.startswith("rc=0"), unknown[-3000:]
    assert "partition 'paris' does not exist for asset 'city_reading'" in unknown
    assert set(stored(env)) == {"cadence/city_reading/graz.json", "cadence/city_report/graz.json"}
    # Dagster's own answer for the same key: it refuses a run of a dynamic partition its instance does not hold.
    from tests.compiler.projects.dynamic import defs

    with open_instance(tmp_path / "instance", pg) as instance, pytest.raises(dg.DagsterUnknownPartitionError):
        defs.resolve_job_def("cities_job").execute_in_process(partition_key="paris", instance=instance)
