"""Test project: a chain whose WorkflowTemplate would pass 256 KiB (long descriptions), so `build` splits its job's
DAG into chunks (compiler/builder/split.py), scheduled by a plain cron at 02:30 Europe/Vienna. That time does not
exist on the spring-forward day, so the CronWorkflow gets extra entries and the DAG a schedule-gate that skips the
entries' ticks on other days (compiler/builder/fidelity/dst_cover.py): the gate must then gate the chunks.
A second schedule has code of its own: it skips weekends and requests the whole job on other days, but only
`link_0` on 2027-06-01, a day build's sampled ticks do not reach; its gate must then fail rather than run all.
Each step writes its asset's value through FilesystemIOManager in SHAPES_DIR, so the stored files show what ran.
"""

import dagster as dg

DESCRIPTION = "Hourly values of one sensor. " * 1700  # about 48 KB each: six of them are more than one chunk holds


def _link(index: int) -> dg.AssetsDefinition:
    @dg.asset(name=f"link_{index}", deps=[f"link_{index - 1}"] if index else [], description=DESCRIPTION)
    def _asset() -> int:
        return index

    return _asset


assets = [_link(i) for i in range(6)]
nightly_job = dg.define_asset_job("nightly", selection=dg.AssetSelection.all())
PART_DAY = "2027-06-01"


@dg.schedule(job=nightly_job, cron_schedule="0 4 * * *")
def weekdays(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    tick = context.scheduled_execution_time
    assert tick is not None
    if tick.weekday() >= 5:
        return dg.SkipReason("no run on weekends")
    if tick.date().isoformat() == PART_DAY:
        return dg.RunRequest(asset_selection=[dg.AssetKey("link_0")])
    return dg.RunRequest()


defs = dg.Definitions(
    assets=assets,
    jobs=[nightly_job],
    schedules=[
        dg.ScheduleDefinition(
            name="nightly_0230", job=nightly_job, cron_schedule="30 2 * * *", execution_timezone="Europe/Vienna"
        ),
        weekdays,
    ],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
