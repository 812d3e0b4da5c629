"""Issue 27 item 2: alert-only run status sensors compile to the exit handler. `nightly` fails (its asset raises),
`daily` succeeds; `on_failure` and `on_success` note in runs.log which run they saw, as an alert would."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def breaks() -> None:
    record_run("breaks")
    raise RuntimeError("a bug: the run fails")


@dg.asset
def fine() -> None:
    record_run("fine")


nightly = dg.define_asset_job("nightly", [breaks])
daily = dg.define_asset_job("daily", [fine])


@dg.run_failure_sensor(monitored_jobs=[nightly, daily])
def on_failure(context: dg.RunFailureSensorContext) -> None:
    record_run(f"on_failure {context.dagster_run.job_name} {context.dagster_run.status.value}")


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[nightly, daily])
def on_success(context: dg.RunStatusSensorContext) -> None:
    record_run(f"on_success {context.dagster_run.job_name} {context.dagster_run.status.value}")


defs = dg.Definitions(assets=[breaks, fine], jobs=[nightly, daily], sensors=[on_failure, on_success])
