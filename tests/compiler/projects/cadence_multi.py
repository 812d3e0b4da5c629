"""Multi-assets in a chain of two cadences, for replays of `main` (compiler/builder/cadence.py plans a multi-asset's
step once per partition): `quarter_readings` (one op, 6-hourly windows in Europe/Vienna) materializes
`quarter_temp` and `quarter_wind`; `day_stats` (one op, daily) materializes `day_temp` from `quarter_temp` and
`day_wind` from `quarter_wind`. Same IO manager and values as tests/compiler/projects/cadence_quarters.py; each op
has its own job and schedule, so a Dagster job has one partitions definition."""

from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetOut,
    Definitions,
    Output,
    build_schedule_from_partitioned_job,
    define_asset_job,
    multi_asset,
)

from tests.compiler.projects.cadence import PartitionedJsonIOManager, store
from tests.compiler.projects.cadence_quarters import DAYS, QUARTERS


@multi_asset(outs={"quarter_temp": AssetOut(), "quarter_wind": AssetOut()}, partitions_def=QUARTERS)
def quarter_readings(context: AssetExecutionContext) -> Iterator[Output[dict[str, Any]]]:
    hour = context.partition_time_window.start.hour
    yield Output({"window": context.partition_key, "value": hour}, output_name="quarter_temp")
    yield Output({"window": context.partition_key, "value": hour * 2}, output_name="quarter_wind")


@multi_asset(
    outs={"day_temp": AssetOut(), "day_wind": AssetOut()},
    ins={"quarter_temp": AssetIn(), "quarter_wind": AssetIn()},
    partitions_def=DAYS,
)
def day_stats(quarter_temp: dict[str, Any], quarter_wind: dict[str, Any]) -> Iterator[Output[dict[str, Any]]]:
    for name, readings in (("day_temp", quarter_temp), ("day_wind", quarter_wind)):
        values = [reading["value"] for _, reading in sorted(readings.items())]
        yield Output({"windows": sorted(readings), "mean": sum(values) / len(values)}, output_name=name)


jobs = [define_asset_job(f"{op.op.name}_job", selection=[op]) for op in (quarter_readings, day_stats)]
defs = Definitions(
    assets=[quarter_readings, day_stats],
    jobs=jobs,
    schedules=[
        build_schedule_from_partitioned_job(jobs[0]),
        build_schedule_from_partitioned_job(jobs[1], hour_of_day=1),
    ],
    resources={"io_manager": PartitionedJsonIOManager(store=store), "store": store},
)
