"""Schedules may name their job (`ScheduleDefinition(job_name=...)`) instead of holding it; Dagster resolves the name
against the Definitions' jobs, and so does the compiler."""

from collections.abc import Mapping, Sequence

import dagster as dg
from dagster._core.definitions.partitions.partitioned_schedule import UnresolvedPartitionedAssetScheduleDefinition
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from compiler.errors import UnsupportedInputError

AnySchedule = dg.ScheduleDefinition | UnresolvedPartitionedAssetScheduleDefinition


def schedules_with_jobs(defs: dg.Definitions) -> list[AnySchedule]:
    """Each schedule bound to its job object; a name that matches no job of the Definitions is an error naming it."""
    jobs = {job.name: job for job in defs.jobs or []}
    return [_bound(schedule, jobs) for schedule in defs.schedules or []]


def asset_jobs(defs: dg.Definitions) -> list[UnresolvedAssetJobDefinition]:
    """Every asset job Dagster can launch: the Definitions' own and those only a schedule holds (Dagster adds a
    schedule's job to the repository), sorted by name, each once. Op jobs are refused by load.py."""
    jobs = {job.name: job for job in defs.jobs or [] if isinstance(job, UnresolvedAssetJobDefinition)}
    for schedule in schedules_with_jobs(defs):
        job = schedule.job
        if isinstance(job, UnresolvedAssetJobDefinition):
            jobs.setdefault(job.name, job)
    return [jobs[name] for name in sorted(jobs)]


def _bound(schedule: AnySchedule, jobs: Mapping[str, dg.JobDefinition | UnresolvedAssetJobDefinition]) -> AnySchedule:
    if not isinstance(schedule, dg.ScheduleDefinition) or schedule.has_job:
        return schedule
    name = schedule.job_name
    job = jobs.get(name)
    if job is None:
        raise UnsupportedInputError(
            f"schedule {schedule.name}: job_name={name!r} names no job of the Definitions ({_listing(sorted(jobs))}); "
            "add the define_asset_job to Definitions(jobs=[...]) or fix the name"
        )
    return schedule.with_updated_job(job)  # an op job is refused by name afterwards, like job=


def _listing(names: Sequence[str]) -> str:
    return "jobs: " + ", ".join(names) if names else "it has no jobs"
