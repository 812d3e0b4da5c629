"""A small Dagster code location shaped like the real one, for running the pod step in a subprocess."""

import gc
import json
import os
import sys
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    DailyPartitionsDefinition,
    Definitions,
    FilesystemIOManager,
    RetryPolicy,
    asset,
    asset_check,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

daily_vienna = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Vienna", end_offset=0)


def _marker_dir() -> Path:
    """Where assets drop a visible trace of each run, so tests see what ran and for which partition."""
    path = Path(os.environ["FIXTURE_MARKER_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


@asset(key_prefix=["fixture"], partitions_def=daily_vienna)
def raw(context: AssetExecutionContext) -> dict[str, str]:
    (_marker_dir() / f"raw-{context.partition_key}").write_text("raw", encoding="utf-8")
    if "FIXTURE_GC_FILE" in os.environ:  # the collector's state while the asset body runs
        state = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count(), "collections": gc.get_stats()}
        state["test_utilities"] = "dagster._utils.test" in sys.modules  # compiler/materialize/reconstruction.py
        Path(os.environ["FIXTURE_GC_FILE"]).write_text(json.dumps(state), encoding="utf-8")
    return {"day": context.partition_key, "reading": "41"}


@asset(key_prefix=["fixture"], partitions_def=daily_vienna)
def clean(context: AssetExecutionContext, raw: dict[str, str]) -> int:
    """Reads raw through the IO manager, as a downstream pod reads what an upstream pod stored."""
    value = int(raw["reading"]) + 1
    (_marker_dir() / f"clean-{context.partition_key}").write_text(json.dumps(raw | {"value": value}))
    return value


@asset(key_prefix=["fixture"], retry_policy=RetryPolicy(max_retries=3))
def flaky() -> int:
    """Counts its attempts in a file; succeeds from attempt FIXTURE_FLAKY_SUCCEEDS_AT (default: never)."""
    counter = _marker_dir() / "flaky-attempts"
    attempt = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(attempt))
    if attempt < int(os.environ.get("FIXTURE_FLAKY_SUCCEEDS_AT", "1000")):
        raise RuntimeError(f"flaky attempt {attempt} failed on purpose")
    return attempt


@asset(key_prefix=["fixture"])
def broken() -> int:
    raise ValueError("station table is empty; check the fixture input")


@asset(key_prefix=["fixture"])
def checked() -> int:
    (_marker_dir() / "checked-materialized").write_text("yes")
    return -5


@asset_check(asset=checked, blocking=True, description="readings are non-negative")
def checked_non_negative(checked: int) -> AssetCheckResult:
    return AssetCheckResult(passed=checked >= 0, description=f"negative reading {checked}")


daily_job = define_asset_job("daily_job", selection=[raw, clean], partitions_def=daily_vienna)

defs = Definitions(
    assets=[raw, clean, flaky, broken, checked],
    asset_checks=[checked_non_negative],
    jobs=[daily_job],
    schedules=[build_schedule_from_partitioned_job(daily_job, hour_of_day=1)],
    resources={"io_manager": FilesystemIOManager(base_dir=os.environ.get("FIXTURE_IO_DIR", "/tmp/fixture-io"))},
)
