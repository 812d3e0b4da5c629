"""Asset jobs → `JobSpec`s: every asset job, scheduled or not, becomes a `job-<name>` DAG (plan.py), so its
job-level settings are read, mapped or refused here once, whatever starts it (a CronWorkflow or `argo submit
--entrypoint job-<name>`). A job Dagster could launch must never vanish from the output while its settings do."""

from collections.abc import Sequence

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from compiler.builder.fidelity.schedule_jobs import asset_jobs
from compiler.builder.model import JobSpec
from compiler.builder.multi_asset import check_job_subset
from compiler.builder.partitions import check_job_partitions
from compiler.errors import UnsupportedInputError

Key = tuple[str, ...]


def read_jobs(defs: dg.Definitions, graph: AssetGraph, materializable: set[Key]) -> tuple[JobSpec, ...]:
    """Every asset job of the Definitions and of their schedules that runs something, sorted by name (an empty one
    is a warning: `empty_job_warnings`)."""
    return tuple(
        JobSpec(job.name, job_selection(job, graph, materializable, f"job {job.name}"))
        for job in asset_jobs(defs)
        if not selects_nothing(job, graph, materializable)
    )


def selects_nothing(job: object, graph: AssetGraph, materializable: set[Key]) -> bool:
    """An asset job whose selection resolves to no materializable asset and no asset check, e.g.
    `AssetSelection.groups("g")` of a group no asset is in, or `target="*"` over external assets only. Dagster accepts
    it and each run of it executes no step and succeeds at once, so it is not an error: there is simply nothing for
    Argo to run (see `empty_job_warnings`)."""
    if not isinstance(job, UnresolvedAssetJobDefinition):
        return False
    selected = {tuple(key.path) for key in job.selection.resolve(graph)} & materializable
    return not selected and not job.selection.resolve_checks(graph)


def empty_job_warnings(
    defs: dg.Definitions, graph: AssetGraph, materializable: set[Key], schedules: Sequence[tuple[str, str]]
) -> tuple[str, ...]:
    """One `warning:` per empty asset job, naming the schedules that start it: neither the job's `job-<name>` DAG nor
    those schedules' CronWorkflows are emitted, where Dagster records an empty successful run at each launch.
    `schedules` holds each schedule's name and its job's name."""
    warnings = []
    for job in asset_jobs(defs):
        if selects_nothing(job, graph, materializable):
            starters = sorted(name for name, job_name in schedules if job_name == job.name)
            started = f"; schedule(s) {', '.join(starters)} start(s) it, so no CronWorkflow either" if starters else ""
            warnings.append(
                f"job {job.name} selects no materializable asset and no asset check: each Dagster run of it executes "
                f"nothing and succeeds, so it has no job-{job.name} DAG{started}"
            )
    return tuple(warnings)


def job_selection(
    job: UnresolvedAssetJobDefinition, graph: AssetGraph, materializable: set[Key], where: str
) -> frozenset[Key]:
    """The materializable keys the job selects, after refusing what its DAG cannot honour; `where` starts each
    error ("job J", or "schedule S: job J" when a schedule starts it)."""
    if job.op_retry_policy is not None:
        raise UnsupportedInputError(f"{where} sets op_retry_policy; set RetryPolicy on the assets instead")
    if any(tag.startswith("dagster-k8s/") for tag in job.tags or {}):
        raise UnsupportedInputError(
            f"{where} has a dagster-k8s/config tag, which is not mapped: each asset has one step template, shared by "
            "every DAG that runs it; set the tag in the op_tags of the job's assets instead"
        )
    _refuse_external_checks(job, graph, where)
    selected = {tuple(key.path) for key in job.selection.resolve(graph)} & materializable
    if not selected and job.selection.resolve_checks(graph):
        raise UnsupportedInputError(
            f"{where} selects only asset checks (e.g. AssetSelection.checks_for_assets(...) or .checks(...)), which "
            "Dagster runs without their asset; compiled checks run in their asset's step, so there is no step to run "
            "them alone: select their assets too (the checks then run with each materialization), or leave this job "
            "to a Dagster deployment"
        )
    if not selected:
        raise UnsupportedInputError(
            f"{where} selects no materializable asset, so Argo has nothing to run; select assets or remove the job"
        )
    check_job_partitions(where, graph, selected)
    check_job_subset(where, graph, selected)
    return frozenset(selected)


def _refuse_external_checks(job: UnresolvedAssetJobDefinition, graph: AssetGraph, where: str) -> None:
    """Checks run inside their asset's step; an external asset has no step, so a job selecting a check of one (e.g.
    `AssetSelection.checks(...)`) would lose it. `AssetSelection.all()` leaves such checks out, as Dagster does."""
    for check in sorted(job.selection.resolve_checks(graph), key=lambda c: (c.asset_key.path, c.name)):
        if not graph.get(check.asset_key).is_materializable:
            raise UnsupportedInputError(
                f"{where} selects asset check {check.name} of external asset {check.asset_key.to_user_string()}: "
                "checks run in their asset's step and an external asset has none; run the check from Dagster, or "
                "leave it out of the job"
            )
