"""Freshness-check sensors (`build_sensor_for_freshness_checks`) → a CronWorkflow running the due checks.

Dagster's sensor ticks every `minimum_interval_seconds` (30 s when unset) and, reading the instance, launches one run
of the freshness checks that could have changed since their last evaluation: never run, passed but past their
`dagster/fresh_until_timestamp`, or failed with a newer materialization of their asset. The checks themselves read
the asset's latest materialization (or observation) from the instance.

On Argo the pods know an asset's last materialization only through the shared instance
(`[tool.compiler.instance] kind = "postgres"`), where every compiled step records its run: without it such a sensor
is refused naming that setting. With it, the sensor becomes a CronWorkflow whose entrypoint `freshness-<sensor>` runs
one pod, `python -m compiler freshness-checks --sensor NAME` (compiler/materialize/freshness.py), which evaluates the
sensor itself against the shared instance (so it picks exactly the checks Dagster would launch) and runs those checks
in one Dagster run recorded there. The cron is the smallest whole cron period at least the interval (Argo's crons
have minute resolution): a `warning:` names the sensor when that is not the interval itself.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.naming import fit_name, sanitise
from compiler.errors import UnsupportedInputError

FRESHNESS_STEP = "freshness-checks"  # the container template every freshness sensor's DAG runs
DAG_PREFIX = "freshness-"
DAGSTER_DEFAULT_INTERVAL = 30  # a sensor without minimum_interval_seconds: Dagster's daemon default
MINUTE_PERIODS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)  # the `*/m` steps that divide an hour evenly
HOUR_PERIODS = (1, 2, 3, 4, 6, 8, 12)  # the `*/h` steps that divide a day evenly
DAY, WEEK = 86400, 7 * 86400


@dataclass(frozen=True)
class FreshnessSensor:
    """One freshness-check sensor: the checks it covers, its CronWorkflow's cron, whether it starts suspended."""

    name: str
    checks: tuple[str, ...]  # AssetCheckKey user strings, sorted
    interval_seconds: int
    cron: str
    stopped: bool
    warnings: tuple[str, ...] = ()  # how the CronWorkflow approximates the sensor's ticks

    @property
    def dag(self) -> str:
        return fit_name(f"{DAG_PREFIX}{sanitise(self.name)}")


def is_freshness_check_sensor(sensor: dg.SensorDefinition) -> bool:
    """Made by `build_sensor_for_freshness_checks`: Dagster's factory module defines its evaluation function."""
    function = getattr(sensor, "_raw_fn", None)
    return "freshness_checks" in str(getattr(function, "__module__", ""))


def read_freshness_sensors(defs: dg.Definitions, graph: AssetGraph) -> tuple[FreshnessSensor, ...]:
    """Every freshness-check sensor of the definitions, sorted by name."""
    found = []
    for sensor in defs.sensors or []:
        if not is_freshness_check_sensor(sensor):
            continue
        selection = sensor.asset_selection
        keys = selection.resolve_checks(graph) if selection is not None else set()
        interval = sensor.minimum_interval_seconds or DAGSTER_DEFAULT_INTERVAL
        cron, exact = cron_for_interval(interval)
        waits = (
            f"sensor {sensor.name}: its CronWorkflow's Workflow holds the pipeline's mutex like every Workflow of "
            'the WorkflowTemplate (see "Concurrent runs of one partition"), so its checks run after a running '
            "pipeline Workflow ends, where Dagster runs them beside the run"
        )
        coarser = (
            f"sensor {sensor.name}: a freshness-check sensor evaluated every {interval} s in Dagster runs on "
            f"the CronWorkflow cron {cron!r} (the smallest whole cron period of at least {interval} s: Argo's "
            "crons have minute resolution), so a check that falls due is run up to that much later"
        )
        found.append(
            FreshnessSensor(
                name=sensor.name,
                checks=tuple(sorted(key.to_user_string() for key in keys)),
                interval_seconds=interval,
                cron=cron,
                stopped=sensor.default_status != dg.DefaultSensorStatus.RUNNING,
                warnings=(waits,) if exact else (coarser, waits),
            )
        )
    return tuple(sorted(found, key=lambda s: s.name))


def cron_for_interval(seconds: int) -> tuple[str, bool]:
    """(cron, exact): the smallest cron period that is at least `seconds` and repeats evenly (a step dividing the
    hour or the day, a day, a week, a month); exact when it is `seconds`. Dagster's interval is a minimum between
    evaluations, so rounding up keeps that meaning."""
    minutes = max(1, math.ceil(seconds / 60))
    for step in MINUTE_PERIODS:
        if step >= minutes:
            return ("* * * * *" if step == 1 else f"*/{step} * * * *"), step * 60 == seconds
    hours = math.ceil(seconds / 3600)
    for step in HOUR_PERIODS:
        if step >= hours:
            return ("0 * * * *" if step == 1 else f"0 */{step} * * *"), step * 3600 == seconds
    if seconds <= DAY:
        return "0 0 * * *", seconds == DAY
    if seconds <= WEEK:
        return "0 0 * * 0", seconds == WEEK
    return "0 0 1 * *", False


def require_shared_instance(sensors: Sequence[FreshnessSensor], shared_instance: bool) -> None:
    """Without the shared instance no pod knows when an asset was last materialized: refuse, naming the setting."""
    if sensors and not shared_instance:
        raise UnsupportedInputError(
            f"sensor {sensors[0].name}: a freshness-check sensor (build_sensor_for_freshness_checks) decides which "
            "checks are due, and the checks judge freshness, from the materialization times in Dagster's instance, "
            'which the pods share only through [tool.compiler.instance] kind = "postgres": set it (every step '
            "then records its runs there), or drop the sensor from the Definitions you compile"
        )
