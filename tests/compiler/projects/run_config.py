"""Test project: run config from every source Dagster has. `scaled` needs `factor` (no default): a manual submit
passes it (`-p run_config=...`), the `tripled` job's `config=` dict gives 3, the `hourly_factor` schedule returns it
per tick; `daily_scaled` gets it from its job's `PartitionedConfig` (the day of month), `city_scaled` (a static
fan-out) from its job's `static_partitioned_config`. Every asset stores the config
it saw through the FilesystemIOManager in SHAPES_DIR, so the stored values show what config each run got."""

from datetime import datetime

import dagster as dg

DAILY = dg.DailyPartitionsDefinition(start_date="2026-01-01")


class Scale(dg.Config):
    factor: int
    label: str = "plain"


@dg.asset
def numbers() -> list[int]:
    return [1, 2, 3]


@dg.asset
def scaled(config: Scale, numbers: list[int]) -> dict[str, object]:
    return {"values": [n * config.factor for n in numbers], "label": config.label}


@dg.asset(partitions_def=DAILY)
def daily_scaled(config: Scale) -> dict[str, object]:
    return {"factor": config.factor, "label": config.label}


CITIES = dg.StaticPartitionsDefinition(["graz", "wien"])


@dg.asset(partitions_def=CITIES)
def city_scaled(config: Scale) -> dict[str, object]:
    return {"factor": config.factor, "label": config.label}


@dg.static_partitioned_config(partition_keys=["graz", "wien"])
def city_config(partition_key: str) -> dict[str, object]:
    return {"ops": {"city_scaled": {"config": {"factor": len(partition_key), "label": partition_key}}}}


cities = dg.define_asset_job("cities", selection=[city_scaled], partitions_def=CITIES, config=city_config)
tripled = dg.define_asset_job(
    "tripled", selection=[numbers, scaled], config={"ops": {"scaled": {"config": {"factor": 3}}}}
)
plain = dg.define_asset_job("plain", selection=[numbers, scaled])
daily = dg.define_asset_job(
    "daily",
    selection=[daily_scaled],
    partitions_def=DAILY,
    config=dg.PartitionedConfig(
        partitions_def=DAILY,
        run_config_for_partition_key_fn=lambda key: {
            "ops": {"daily_scaled": {"config": {"factor": int(key[-2:]), "label": f"day {key}"}}}
        },
    ),
)


@dg.schedule(job=plain, cron_schedule="0 * * * *")
def hourly_factor(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """The factor is the tick's hour: each tick's run gets its own config."""
    hour = (context.scheduled_execution_time or datetime(2026, 1, 1)).hour
    return dg.RunRequest(run_config={"ops": {"scaled": {"config": {"factor": hour + 1, "label": "tick"}}}})


defs = dg.Definitions(
    assets=[numbers, scaled, daily_scaled, city_scaled],
    jobs=[tripled, daily, cities],
    schedules=[hourly_factor, dg.build_schedule_from_partitioned_job(daily, hour_of_day=1)],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
