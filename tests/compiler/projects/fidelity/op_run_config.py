"""Issue 25, run config for op jobs: each job runs `produce` (a `Config` without defaults) then `total`, recording
the values they saw, with every config source Dagster knows. `scaled`: config only from a launch (`-p run_config`)
or its `@schedule`'s RunRequest(run_config=...) for the tick (the factor is the tick's day); `mapped`: a job
`ConfigMapping` (`times` → factor times * 2); `preset`: `config=` a dict (the defaults); `daily`: a
`daily_partitioned_config` (the factor is the partition's day) with a schedule built from it. The IO manager stores
on the filesystem under FIDELITY_RECORD_DIR, so the test can declare it shared and get one task per op."""

from datetime import datetime

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

STORE = {"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("FIDELITY_RECORD_DIR"))}


class ProduceConfig(dg.Config):
    factor: int


@dg.op
def produce(config: ProduceConfig) -> list[int]:
    values = [config.factor * n for n in (1, 2, 3)]
    record_run(f"produce {values}")
    return values


@dg.op
def total(values: list[int]) -> int:
    record_run(f"total {sum(values)}")
    return sum(values)


@dg.job(resource_defs=STORE)
def scaled() -> None:
    total(produce())


@dg.schedule(job=scaled, cron_schedule="0 1 * * *")
def scaled_nightly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    day = context.scheduled_execution_time.day
    return dg.RunRequest(run_config={"ops": {"produce": {"config": {"factor": day}}}})


@dg.job(
    resource_defs=STORE,
    config=dg.ConfigMapping(
        config_fn=lambda outer: {"ops": {"produce": {"config": {"factor": outer["times"] * 2}}}},
        config_schema={"times": dg.Field(int, default_value=4)},
    ),
)
def mapped() -> None:
    total(produce())


@dg.job(resource_defs=STORE, config={"ops": {"produce": {"config": {"factor": 7}}}})
def preset() -> None:
    total(produce())


@dg.daily_partitioned_config(start_date=datetime(2026, 11, 1))
def by_day(start: datetime, _end: datetime) -> dict[str, object]:
    return {"ops": {"produce": {"config": {"factor": start.day}}}}


@dg.job(resource_defs=STORE, config=by_day)
def daily() -> None:
    total(produce())


daily_schedule = dg.build_schedule_from_partitioned_job(daily, hour_of_day=1)

defs = dg.Definitions(jobs=[scaled, mapped, preset, daily], schedules=[scaled_nightly, daily_schedule])
