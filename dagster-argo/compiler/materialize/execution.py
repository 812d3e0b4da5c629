"""Execute the pod job on an ephemeral instance and reduce its events to one failure cause.

Dagster is imported when a pod runs, not when the CLI imports this module (see `compiler.materialize.loading`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dagster import AssetCheckEvaluation, AssetKey, DagsterEvent, JobDefinition

    from compiler.code_location import CodeLocation


INTERRUPTED_CAUSE = "stopped by a signal (SIGTERM/SIGINT): the step was interrupted"


@dataclass(frozen=True)
class MaterializeOutcome:
    """Whether the run succeeded, why not, and which checks failed without blocking."""

    success: bool
    cause: str | None
    warnings: tuple[str, ...]
    retryable: bool = True
    interrupted: bool = False  # stopped by SIGTERM/SIGINT: the step never finished (exit_codes.INTERRUPTED)


def materialize_asset(
    location: "CodeLocation",
    asset_key: "AssetKey | Sequence[AssetKey]",
    partition_key: str | None,
    check: str = "",
    job_config: "tuple[JobDefinition, Mapping[str, Any]] | None" = None,
    dagster_retries: bool = False,
) -> MaterializeOutcome:
    """The pod has a read-only root file system: an ephemeral instance, or the shared one on PostgreSQL. Several
    keys are those of one multi-asset op: one run, one step, exactly the keys given (a subset when it can subset).
    `job_config` is the job the workflow stands for and its run config (compiler/materialize/run_config.py): the
    entries for this pod's ops and resources go into the pod's run. `dagster_retries`: Dagster applies the assets'
    RetryPolicy in process (assets sharing pod-local storage, compiler/builder/pod_local.py); otherwise Argo's
    retryStrategy owns retries and Dagster's are off."""
    from dagster import AssetKey, build_reconstructable_job, execute_job

    from compiler.materialize.collection import start_up_done
    from compiler.materialize.console import pod_logger_run_config
    from compiler.materialize.instance import open_instance, shared_location, wants_shared_instance
    from compiler.materialize.instance_outage import OUTAGE, mark_abandoned_runs, outage_cause
    from compiler.materialize.loading import location_text
    from compiler.materialize.pod_job import PERMANENT_FAILURES, RETRIES_OFF_RUN_CONFIG, own_task_checks
    from compiler.materialize.run_config import for_pod
    from compiler.materialize.run_tags import argo_run_tags
    from compiler.materialize.termination import allow_unwinding

    asset_keys = [asset_key] if isinstance(asset_key, AssetKey) else list(asset_key)
    asset_text = ",".join(k.to_user_string() for k in asset_keys)
    job = build_reconstructable_job(
        "compiler.materialize.pod_job",
        "build_pod_job",
        # dagster annotates this as a 1-tuple; any tuple of serializable values works
        reconstructable_args=(location_text(location), asset_text, check),  # type: ignore[arg-type]
    )
    tags = {**argo_run_tags(), **({"dagster/partition": partition_key} if partition_key else {})}
    PERMANENT_FAILURES.clear()
    # compiler/materialize/instance.py: ephemeral, or the shared instance ([tool.compiler.instance]); never a fallback
    # built once per process: here still in the start-up (compiler/materialize/collection.py)
    pod_job = job.get_definition()
    own = for_pod(job_config[0], job_config[1], pod_job) if job_config else {}
    retries = {} if dagster_retries else RETRIES_OFF_RUN_CONFIG
    run_config = {**own, **retries, **pod_logger_run_config(pod_job.loggers)}
    with open_instance() as instance:
        if wants_shared_instance():  # an earlier pod of this step that lost the database left its run STARTED
            marked = mark_abandoned_runs(instance, tags, shared_location())
            if marked:
                print(f"materialize: marked {marked} unfinished run(s) of an earlier attempt failed", flush=True)
        start_up_done()
        allow_unwinding()  # a stop signal now unwinds the run (compiler/materialize/termination.py)
        try:
            result = execute_job(
                job,
                instance=instance,
                run_config=run_config,
                tags=tags,
                # The job's own selection only, when it differs from "these assets and all their checks" (a run's
                # asset_selection brings every check of its assets back): a check alone, or without its own checks.
                asset_selection=None if check or own_task_checks(location_text(location), asset_text) else asset_keys,
            )
        except Exception:
            if OUTAGE.reason is None:
                raise
        if OUTAGE.reason is not None:  # the database went away during the run: say what happened to the data
            cause = outage_cause([key.to_user_string() for key in asset_keys], shared_location())
            return MaterializeOutcome(False, cause, (), retryable=True)
        events = result.all_events
    failed_checks = [ev for ev in _check_evaluations(events) if not ev.passed]
    warnings = tuple(_describe_check(ev) for ev in failed_checks if not ev.blocking)
    if result.success:
        return MaterializeOutcome(True, None, warnings)
    blocking = [_describe_check(ev) for ev in failed_checks if ev.blocking]
    cause = "; ".join(blocking) or _root_error(events)
    if not blocking and cause == INTERRUPTED_CAUSE:
        return MaterializeOutcome(False, cause, warnings, interrupted=True)
    # Dagster never retries a failed blocking check (its RetryPolicy covers the asset body's exceptions only), so a
    # blocking check failure must not let Argo's retryStrategy rerun the asset either.
    return MaterializeOutcome(False, cause, warnings, retryable=not PERMANENT_FAILURES and not blocking)


def _check_evaluations(events: Sequence["DagsterEvent"]) -> list["AssetCheckEvaluation"]:
    from dagster import AssetCheckEvaluation, DagsterEventType

    return [
        ev.event_specific_data
        for ev in events
        if ev.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
        and isinstance(ev.event_specific_data, AssetCheckEvaluation)
    ]


def _describe_check(evaluation: "AssetCheckEvaluation") -> str:
    detail = evaluation.description or "no description"
    return f"asset check {evaluation.check_name!r} failed: {detail}"


def _root_error(events: Sequence["DagsterEvent"]) -> str:
    """The innermost cause of the first step (or run) failure: the user's exception, not Dagster's wrappers."""
    from dagster import DagsterEventType
    from dagster_shared.error import SerializableErrorInfo

    for wanted in (DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE):
        for event in events:
            error = getattr(event.event_specific_data, "error", None)
            if event.event_type == wanted and isinstance(error, SerializableErrorInfo):
                while error.cause is not None:
                    error = error.cause
                if error.cls_name in ("DagsterExecutionInterruptedError", "KeyboardInterrupt"):
                    return INTERRUPTED_CAUSE
                return error.message.strip()
            if event.event_type == wanted:
                return event.message or "run failed"
    return "run failed without a failure event"
