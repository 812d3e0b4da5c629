"""A @multi_asset_sensor monitoring one asset (the pattern of Dagster's declarative-automation migration docs) is the
all-updated pattern over one asset: one Sensor dependency, a run after each materialization. The same sequence of
materializations runs through Dagster (its own evaluate_tick after each, cursor carried on) and through the compiled
side (run-local of the asset's job writes its marker into SeaweedFS; run-events fires the Sensor): both start the job
after the same materializations."""

from pathlib import Path

import pytest

from tests.compiler.events.sensor_sequence import compiled_runs_after_each, dagster_runs_after_each

MODULE = "tests.compiler.projects.single_multi_asset_events"


@pytest.mark.timeout(900)
def test_dagster_and_the_compiled_one_asset_sensor_run_after_the_same_updates(
    s3_env: dict[str, str], tmp_path: Path
) -> None:
    from tests.compiler.projects.single_multi_asset_events import defs, raw_data

    compiled = compiled_runs_after_each(tmp_path, s3_env, MODULE, "single-events", ["job-raw-job"] * 2)
    dagster = dagster_runs_after_each(defs, "process_when_raw_updated", [raw_data] * 2)
    assert compiled == dagster
    assert dagster == [1, 1]  # a run after each materialization, as an @asset_sensor on raw_data would request
