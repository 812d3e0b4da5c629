"""A code location shaped like the flagship (three daily-partitioned assets, a job, its schedule, a retry policy,
per-asset pod resources) whose assets import nothing but Dagster: the compile benchmark's "no pandas" project.

It is only compiled, never run; the bodies are placeholders. Like the flagship, it hands values between pods through
an IO manager on shared storage (the compiler refuses Dagster's default filesystem one, which stays inside a pod).
"""

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetSelection,
    Backoff,
    ConfigurableIOManager,
    DailyPartitionsDefinition,
    Definitions,
    InputContext,
    OutputContext,
    RetryPolicy,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

daily = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Vienna", end_offset=0)
_BIG_POD = {"container_config": {"resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}}}


@asset(
    key=["plain", "raw"],
    group_name="plain",
    partitions_def=daily,
    retry_policy=RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL),
)
def raw(context: AssetExecutionContext) -> dict[str, str]:
    return {"day": context.partition_key}


@asset(
    key=["plain", "clean"],
    ins={"raw": AssetIn(key=["plain", "raw"])},
    group_name="plain",
    partitions_def=daily,
    op_tags={"dagster-k8s/config": _BIG_POD},
)
def clean(raw: dict[str, str]) -> list[str]:
    return sorted(raw)


@asset(
    key=["plain", "published"], ins={"clean": AssetIn(key=["plain", "clean"])}, group_name="plain", partitions_def=daily
)
def published(clean: list[str]) -> int:
    return len(clean)


class SharedStoreIOManager(ConfigurableIOManager):
    """Stands in for the flagship's object-store IO manager; never called (the project is only compiled)."""

    def handle_output(self, context: OutputContext, obj: object) -> None:
        raise NotImplementedError("benchmarks.no_pandas_location is compiled, never run")

    def load_input(self, context: InputContext) -> object:
        raise NotImplementedError("benchmarks.no_pandas_location is compiled, never run")


plain_daily = define_asset_job("plain_daily", selection=AssetSelection.groups("plain"), partitions_def=daily)

defs = Definitions(
    assets=[raw, clean, published],
    jobs=[plain_daily],
    schedules=[build_schedule_from_partitioned_job(plain_daily, hour_of_day=1, name="plain_nightly")],
    resources={"io_manager": SharedStoreIOManager()},
)
