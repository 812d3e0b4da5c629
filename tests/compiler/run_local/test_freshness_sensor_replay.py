"""A freshness-check sensor (tests/compiler/projects/freshness.py) compiled to a CronWorkflow and replayed with
`run-local` against the real embedded PostgreSQL (the shared instance), compared tick by tick with Dagster's own
sensor and checks on a second instance holding the same materializations: the same checks run (never evaluated,
then none while nothing changed, then only the failed check whose asset was materialized since), with the same
verdicts (fresh: materialized a minute ago; stale: two hours ago; missing: never)."""

import json
import os
import time
import warnings
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.instance.ref import InstanceRef
from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID
from dagster._core.storage.tags import SENSOR_NAME_TAG

from devservices.postgres.server import PostgresServer
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.freshness"
SENSOR = "freshness_sensor"
SETTINGS = """
[tool.compiler]
name = "freshness"
image = "registry.example/freshness"
image_tag = "1.0"
namespace = "argo"
service_account = "freshness"
config_map = "freshness-config"

[tool.compiler.env]
HOME = "/tmp"
"""
INSTANCE = """
[tool.compiler.instance]
kind = "postgres"
password = { name = "dagster-postgresql", key = "password" }
"""
History = dict[str, list[str]]


def _open(directory: Path, pg: dict[str, str]) -> dg.DagsterInstance:
    """The shared instance as a Dagster deployment opens it, from a dagster.yaml written here."""
    directory.mkdir(parents=True, exist_ok=True)
    url = (
        f"postgresql+psycopg2://{pg['DAGSTER_PG_USER']}:{pg['DAGSTER_PG_PASSWORD']}@{pg['DAGSTER_PG_HOST']}:"
        f"{pg['DAGSTER_PG_PORT']}/{pg['DAGSTER_PG_DB']}"
    )
    (directory / "dagster.yaml").write_text(json.dumps({"storage": {"postgres": {"postgres_url": url}}}))
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(directory)))


def _materialized(instance: dg.DagsterInstance, asset: str, timestamp: float) -> None:
    """A materialization of `asset` recorded at `timestamp` (what a run at that time leaves in the instance)."""
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset)),
        job_name=RUNLESS_JOB_NAME,
    )
    instance.report_dagster_event(event, run_id=RUNLESS_RUN_ID, timestamp=timestamp)


def _history(instance: dg.DagsterInstance) -> History:
    """Each freshness check's evaluations, oldest first, as their record status (SUCCEEDED / FAILED)."""
    from tests.compiler.projects.freshness import defs

    keys = defs.resolve_asset_graph().asset_check_keys
    storage = instance.event_log_storage
    return {
        key.to_user_string(): [r.status.value for r in reversed(storage.get_asset_check_execution_history(key, 50))]
        for key in sorted(keys, key=lambda k: k.to_user_string())
    }


def _dagster_tick(instance: dg.DagsterInstance) -> None:
    """What Dagster's daemon does on a tick: evaluate the sensor, launch its RunRequest on the asset job."""
    from tests.compiler.projects.freshness import defs, freshness_sensor

    context = dg.build_sensor_context(instance=instance, sensor_name=SENSOR, definitions=defs)
    for request in freshness_sensor.evaluate_tick(context).run_requests or []:
        job = defs.resolve_implicit_global_asset_job_def().get_subset(
            asset_selection=set(), asset_check_selection=set(request.asset_check_keys or [])
        )
        assert job.execute_in_process(instance=instance, tags=dict(request.tags)).success


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("freshness")
    (tmp / "pyproject.toml").write_text(SETTINGS + INSTANCE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    built = compiler_process(
        ["build", "--module", MODULE, "--settings", str(tmp / "pyproject.toml"), "--out", str(tmp / "out")], REPO, env
    )
    assert built.returncode == 0, built.stderr
    return tmp / "out" / "freshness.workflowtemplate.yaml"


def _database(postgres: PostgresServer, name: str) -> dict[str, str]:
    database = f"{name}_{os.getpid()}_{time.monotonic_ns()}"
    postgres.create_database(database)
    return postgres.env(database)


@pytest.mark.timeout(900)
def test_the_cron_workflow_runs_the_checks_dagsters_sensor_launches_with_dagsters_verdicts(
    template: Path, postgres: PostgresServer, tmp_path: Path
) -> None:
    cron = (template.parent / "freshness-sensor.cronworkflow.yaml").read_text(encoding="utf-8")
    assert '"*/5 * * * *"' in cron
    assert "suspend: true" in cron
    argo_pg, dagster_pg = _database(postgres, "freshness_argo"), _database(postgres, "freshness_dagster")
    argo_env = {**os.environ, "PYTHONPATH": str(REPO), **argo_pg}
    now = time.time()
    warnings.simplefilter("ignore")
    with _open(tmp_path / "argo", argo_pg) as argo, _open(tmp_path / "dagster", dagster_pg) as dagster:
        for instance in (argo, dagster):  # the same state: reading fresh, report stale, archive never materialized
            _materialized(instance, "reading", now - 60)
            _materialized(instance, "report", now - 7200)

        def tick() -> tuple[History, History]:
            replayed = compiler_process(
                ["run-local", str(template), "--entrypoint", "freshness-freshness-sensor", "--backoff-scale", "0"],
                REPO,
                argo_env,
                timeout=600,
            )
            assert replayed.returncode == 0, replayed.stdout[-3000:] + replayed.stderr[-3000:]
            _dagster_tick(dagster)
            return _history(argo), _history(dagster)

        # first tick: no check was ever evaluated, so all three run
        first, expected = tick()
        assert first == expected
        assert expected == {
            "archive:freshness_check": ["FAILED"],
            "reading:freshness_check": ["SUCCEEDED"],
            "report:freshness_check": ["FAILED"],
        }
        # second tick, nothing changed: the passed check is fresh until its deadline, the failed ones wait for
        # their asset, so Dagster's sensor skips and so does the pod
        second, expected = tick()
        assert second == expected == first
        # report materialized since: only its failed check runs again, and passes now
        for instance in (argo, dagster):
            _materialized(instance, "report", time.time())
        third, expected = tick()
        assert third == expected
        assert expected["report:freshness_check"] == ["FAILED", "SUCCEEDED"]
        assert expected["reading:freshness_check"] == first["reading:freshness_check"]
        runs = argo.get_runs(dg.RunsFilter(tags={SENSOR_NAME_TAG: SENSOR}))
        assert len(runs) == len(dagster.get_runs(dg.RunsFilter(tags={SENSOR_NAME_TAG: SENSOR}))) == 2


def test_without_the_shared_instance_the_sensor_is_refused_naming_the_setting(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    built = compiler_process(
        ["build", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(tmp_path / "o")],
        REPO,
        {**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert built.returncode == 2, built.stdout + built.stderr
    assert "sensor freshness_sensor" in built.stderr
    assert "[tool.compiler.instance]" in built.stderr
    assert not (tmp_path / "o").exists()


def test_run_local_lists_the_cron_workflows_ticks(template: Path) -> None:
    listed = compiler_process(
        [
            "run-local",
            str(template.parent),
            "--schedule",
            SENSOR,
            "--from",
            "2026-12-06T10:00:00Z",
            "--to",
            "2026-12-06T10:12:00Z",
        ],
        REPO,
        {**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    lines = [line for line in listed.stdout.splitlines() if "freshness checks sensor freshness_sensor" in line]
    assert [line.split()[1] for line in lines] == [
        "(2026-12-06T10:00:00Z)",
        "(2026-12-06T10:05:00Z)",
        "(2026-12-06T10:10:00Z)",
    ]
