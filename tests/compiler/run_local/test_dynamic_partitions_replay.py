"""Dynamic partitions (tests/compiler/projects/dynamic.py) replayed with `run-local` against the real embedded
PostgreSQL (the shared Dagster instance holding the keys) and SeaweedFS, compared with Dagster in process: a run
over the definition's keys (Dagster: one run per key the instance holds, i.e. a backfill over all keys) stores the
same objects; an explicit key runs that key alone; a key the instance does not hold fails before anything runs,
as Dagster refuses it."""

import json
import os
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from assets.resources.object_store import ObjectStore
from devservices.postgres.server import PostgresServer
from devservices.s3.seaweed import SeaweedS3
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.dynamic"
SETTINGS = """
[tool.compiler]
name = "dynamic"
image = "registry.example/dynamic"
image_tag = "1.0"
namespace = "argo"
service_account = "dynamic"
config_map = "dynamic-config"
config_keys = ["MINIO_ENDPOINT", "MINIO_BUCKET"]

[tool.compiler.env]
HOME = "/tmp"

[tool.compiler.secrets]
MINIO_ACCESS_KEY = { name = "minio-credentials", key = "access-key" }
MINIO_SECRET_KEY = { name = "minio-credentials", key = "secret-key" }
"""
INSTANCE = """
[tool.compiler.instance]
kind = "postgres"
password = { name = "dagster-postgresql", key = "password" }
"""
CITIES = ["vienna", "graz", "linz"]


def _open(directory: Path, pg: dict[str, str]) -> dg.DagsterInstance:
    """The shared instance as a Dagster deployment opens it, from a dagster.yaml written here."""
    directory.mkdir(parents=True, exist_ok=True)
    url = (
        f"postgresql+psycopg2://{pg['DAGSTER_PG_USER']}:{pg['DAGSTER_PG_PASSWORD']}@{pg['DAGSTER_PG_HOST']}:"
        f"{pg['DAGSTER_PG_PORT']}/{pg['DAGSTER_PG_DB']}"
    )
    (directory / "dagster.yaml").write_text(json.dumps({"storage": {"postgres": {"postgres_url": url}}}))
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(directory)))


def _stored(env: dict[str, str]) -> dict[str, bytes]:
    store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"],
        access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"],
        bucket=env["MINIO_BUCKET"],
    )
    names = [o.object_name for o in store.client().list_objects(store.bucket, prefix="cadence/", recursive=True)]
    return {name: store.get_bytes(name) for name in names if name}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer) -> tuple[Path, dict[str, str]]:
    """The project built with the shared instance, and a fresh database holding the three cities."""
    tmp = tmp_path_factory.mktemp("dynamic")
    database = f"dynamic_partitions_{os.getpid()}"
    postgres.create_database(database)
    pg = postgres.env(database)
    with _open(tmp / "instance", pg) as instance:
        instance.add_dynamic_partitions("cities", CITIES)
    (tmp / "pyproject.toml").write_text(SETTINGS + INSTANCE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), **pg}
    built = compiler_process(
        ["build", "--module", MODULE, "--settings", str(tmp / "pyproject.toml"), "--out", str(tmp / "out")], REPO, env
    )
    assert built.returncode == 0, built.stderr
    return tmp / "out" / "dynamic.workflowtemplate.yaml", pg


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

    with _open(tmp_path / "instance", pg) as instance:
        partitions = defs.get_assets_def("city_reading").partitions_def
        assert partitions is not None
        keys = partitions.get_partition_keys(dynamic_partitions_store=instance)
        assert sorted(keys) == sorted(CITIES)
        for key in keys:
            assert defs.resolve_job_def("cities_job").execute_in_process(partition_key=key, instance=instance).success
    argo, dagster = _stored(argo_env), _stored({**os.environ, **dagster_env})
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
    assert set(_stored(env)) == {"cadence/city_reading/graz.json", "cadence/city_report/graz.json"}

    unknown = _run_local(template, env, "--entrypoint", "job-cities-job", "-p", "partition=paris")
    assert not unknown.startswith("rc=0"), unknown[-3000:]
    assert "partition 'paris' does not exist for asset 'city_reading'" in unknown
    assert set(_stored(env)) == {"cadence/city_reading/graz.json", "cadence/city_report/graz.json"}
    # Dagster's own answer for the same key: it refuses a run of a dynamic partition its instance does not hold.
    from tests.compiler.projects.dynamic import defs

    with _open(tmp_path / "instance", pg) as instance, pytest.raises(dg.DagsterUnknownPartitionError):
        defs.resolve_job_def("cities_job").execute_in_process(partition_key="paris", instance=instance)
