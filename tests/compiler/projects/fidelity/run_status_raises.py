"""An alert whose body raises after a run that succeeded: Argo's rule makes the Workflow fail (its exit handler
failed), which compiler/README.md warns about; Dagster records a failed sensor tick instead."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def fine() -> None:
    record_run("fine")


daily = dg.define_asset_job("daily", [fine])


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[daily])
def broken_alert(context: dg.RunStatusSensorContext) -> None:
    record_run("broken_alert")
    raise RuntimeError("the chat service refused the message")


defs = dg.Definitions(assets=[fine], jobs=[daily], sensors=[broken_alert])
