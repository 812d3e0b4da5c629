"""Acceptance: an all-updated @multi_asset_sensor compiled to one Argo Events Sensor with a dependency per monitored
asset and `conditions: "m0 && m1"`. The same sequence of materializations (air; weather; weather again; air) runs
through Dagster (its own evaluate_tick after each, cursor carried on) and through the compiled side (run-local of the
asset's job writes its marker into SeaweedFS; run-events holds each dependency's latest event until the conditions
hold, as Argo Events does): both start the report job after the same materializations."""

from pathlib import Path

import pytest

from tests.compiler.events.sensor_sequence import compiled_runs_after_each, dagster_runs_after_each

MODULE = "tests.compiler.projects.multi_asset_events"
SEQUENCE = ("air", "weather", "weather", "air")


@pytest.mark.timeout(900)
def test_dagster_and_the_compiled_multi_asset_sensor_run_after_the_same_updates(
    s3_env: dict[str, str], tmp_path: Path
) -> None:
    from tests.compiler.projects.multi_asset_events import air, defs, weather

    entrypoints = [f"job-{name}-job" for name in SEQUENCE]
    compiled = compiled_runs_after_each(tmp_path, s3_env, MODULE, "multi-events", entrypoints)
    assets = {"air": air, "weather": weather}
    dagster = dagster_runs_after_each(defs, "report_when_both_updated", [assets[name] for name in SEQUENCE])
    assert compiled == dagster
