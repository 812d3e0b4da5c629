"""Issue 27 item 2: run status sensors that REQUEST runs compile to Argo Events (a `resource` EventSource on the
project's Workflows). `nightly` and `flaky` fail (their assets raise), `daily` and `weekly` succeed.
`retry_on_failure` requests `recover` after a failed run, except for `flaky` (a SkipReason: it is rerun by hand);
`report_after_success` picks one of two jobs by the ended run's job and sets a run_key and tags. Each asset notes in
runs.log that it ran."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def breaks() -> None:
    record_run("breaks")
    raise RuntimeError("a bug: the run fails")


@dg.asset
def fine() -> None:
    record_run("fine")


@dg.asset
def flaky_asset() -> None:
    record_run("flaky_asset")
    raise RuntimeError("flaky: the run fails")


@dg.asset
def weekly_asset() -> None:
    record_run("weekly_asset")


@dg.asset
def recovered() -> None:
    record_run("recovered")


@dg.asset
def daily_report() -> None:
    record_run("daily_report")


@dg.asset
def weekly_report() -> None:
    record_run("weekly_report")


nightly = dg.define_asset_job("nightly", [breaks])
daily = dg.define_asset_job("daily", [fine])
flaky = dg.define_asset_job("flaky", [flaky_asset])
weekly = dg.define_asset_job("weekly", [weekly_asset])
recover = dg.define_asset_job("recover", [recovered])
report_daily = dg.define_asset_job("report_daily", [daily_report])
report_weekly = dg.define_asset_job("report_weekly", [weekly_report])


@dg.run_failure_sensor(monitored_jobs=[nightly, flaky, daily], request_job=recover)
def retry_on_failure(context: dg.RunFailureSensorContext) -> dg.RunRequest | dg.SkipReason:
    if context.dagster_run.job_name == "flaky":
        return dg.SkipReason("flaky is rerun by hand")
    return dg.RunRequest(run_key=f"recover-{context.dagster_run.run_id}")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[daily, weekly], request_jobs=[report_daily, report_weekly]
)
def report_after_success(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"report-{context.dagster_run.run_id}",
        job_name="report_daily" if context.dagster_run.job_name == "daily" else "report_weekly",
        tags={"reason": "after success"},
    )


defs = dg.Definitions(
    assets=[breaks, fine, flaky_asset, weekly_asset, recovered, daily_report, weekly_report],
    jobs=[nightly, daily, flaky, weekly, recover, report_daily, report_weekly],
    sensors=[retry_on_failure, report_after_success],
)
