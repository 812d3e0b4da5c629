"""Freshness-check sensors (compiler/builder/freshness.py): which checks a sensor covers (Dagster's own selection),
the cron its CronWorkflow gets from minimum_interval_seconds (a warning naming the sensor when that is not the
interval itself), its suspend from default_status, and the pod's refusal without a shared instance. The replay
against Dagster's own sensor is tests/compiler/run_local/test_freshness_sensor_replay.py."""

import datetime as dt
import itertools
import os

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator

from compiler.builder.freshness import cron_for_interval, read_freshness_sensors
from compiler.builder.load import project_from_definitions
from tests.compiler.support import REPO, compiler_process


@dg.asset
def _an_asset() -> None:
    pass


@dg.asset
def _another() -> None:
    pass


def _sensor_defs(
    interval: int | None,
    name: str = "freshness_checks_sensor",
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.STOPPED,
) -> dg.Definitions:
    checks = dg.build_last_update_freshness_checks(assets=[_an_asset], lower_bound_delta=dt.timedelta(hours=1))
    sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=checks, minimum_interval_seconds=interval, name=name, default_status=default_status
    )
    return dg.Definitions(assets=[_an_asset, _another], asset_checks=checks, sensors=[sensor])


@pytest.mark.parametrize("seconds", [1, 30, 59, 60, 61, 300, 301, 420, 1800, 3600, 5400, 7200, 25000, 86400, 90000])
def test_the_cron_period_is_the_smallest_even_one_at_least_the_interval(seconds: int) -> None:
    cron, exact = cron_for_interval(seconds)
    start = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # a Monday, the first of no month: every period starts evenly
    times = list(itertools.islice(cron_string_iterator(start.timestamp(), cron, "UTC"), 30))  # Dagster's reading
    gaps = {int((b - a).total_seconds()) for a, b in itertools.pairwise(times)}
    assert len(gaps) == 1 or cron == "0 0 1 * *"  # an even period (a month is the one exception)
    period = min(gaps)
    assert period >= seconds  # never more often than Dagster's minimum interval
    assert exact == (period == seconds)


def test_the_sensor_covers_dagsters_checks_and_is_warned_when_the_cron_is_coarser() -> None:
    defs = _sensor_defs(None)
    (sensor,) = read_freshness_sensors(defs, defs.resolve_asset_graph())
    assert sensor.checks == ("_an_asset:freshness_check",)
    assert sensor.interval_seconds == 30  # Dagster's default interval
    assert sensor.cron == "* * * * *"
    coarser, waits = sensor.warnings
    assert coarser.startswith("sensor freshness_checks_sensor: a freshness-check sensor evaluated every 30 s")
    assert "holds the pipeline's mutex" in waits
    assert sensor.stopped  # Dagster's default_status STOPPED
    running = _sensor_defs(600, default_status=dg.DefaultSensorStatus.RUNNING, name="ten")
    (ten,) = read_freshness_sensors(running, running.resolve_asset_graph())
    assert (ten.cron, ten.stopped, ten.dag) == ("*/10 * * * *", False, "freshness-ten")
    assert [warning.split(":")[0] for warning in ten.warnings] == ["sensor ten"]  # only the mutex: 600 s is exact
    project = project_from_definitions("tests.compiler.test_freshness_sensors", defs)
    assert project.freshness_sensors == (sensor,)
    assert set(sensor.warnings) <= set(project.fidelity.warnings)


def test_the_pod_refuses_to_run_without_the_shared_instance() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "DAGSTER_ARGO_INSTANCE": "ephemeral"}
    arguments = ["freshness-checks", "-m", "tests.compiler.projects.freshness", "--sensor"]
    ran = compiler_process([*arguments, "freshness_sensor"], REPO, env)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "sensor freshness_sensor" in ran.stdout
    assert "[tool.compiler.instance]" in ran.stdout
    missing = compiler_process([*arguments, "nope"], REPO, env)
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "no freshness-check sensor named 'nope'" in missing.stdout
