"""The one-asset job a pod runs: the project's own assets and resources, executed in process."""

from functools import cache
from typing import Any

from dagster import (
    AssetCheckKey,
    AssetSelection,
    Definitions,
    Failure,
    HookContext,
    JobDefinition,
    define_asset_job,
    failure_hook,
    in_process_executor,
)

from compiler.check_tasks import split_checks
from compiler.materialize.console import pod_loggers
from compiler.materialize.loading import load_definitions, location_from_text, parse_asset_keys

POD_JOB_NAME = "compiler_pod_materialize"
# Argo owns retries (retryStrategy); a RetryPolicy retried here too would multiply the attempts.
RETRIES_OFF_RUN_CONFIG: dict[str, Any] = {"execution": {"config": {"retries": {"disabled": {}}}}}


# Steps that raised dagster.Failure(allow_retries=False) in this process (the job runs in process, see below).
PERMANENT_FAILURES: list[str] = []


@failure_hook(name="compiler_pod_retry_verdict")
def record_permanent_failure(context: HookContext) -> None:
    """Dagster's "do not retry" (Failure(allow_retries=False)) must reach Argo, which owns retries: remember it."""
    error = context.op_exception
    if isinstance(error, Failure) and not error.allow_retries:
        PERMANENT_FAILURES.append(context.op.name)


@cache
def build_pod_job(location: str, asset_path: str, check: str = "") -> JobDefinition:
    """Module-level so Dagster can reconstruct it (execute_job needs a reconstructable job). `asset_path` holds
    one key or the selected keys of one multi-asset, `a/b,c/d`; `location` is `location_text` of the code location;
    `check` names one check of that asset to run alone (its own task, compiler/check_tasks.py). The asset's own run
    leaves out the checks that have their own task.

    Cached: Dagster reconstructs the job several times in one run (plan, execution, each step); a pod builds one job
    for its asset(s), so the first answer is the answer.
    """
    defs = load_definitions(location_from_text(location))
    keys = parse_asset_keys([asset_path])
    selection: AssetSelection
    if check:
        selection = AssetSelection.checks(AssetCheckKey(keys[0], check))
    elif own_task_checks(location, asset_path):
        selection = AssetSelection.assets(*keys) - AssetSelection.checks(*own_task_checks(location, asset_path))
    else:
        selection = AssetSelection.assets(*keys)
    job = define_asset_job(
        POD_JOB_NAME,
        selection=selection,
        executor_def=in_process_executor,
        hooks={record_permanent_failure},
    )
    resolved = Definitions.merge(defs, Definitions(jobs=[job])).resolve_job_def(POD_JOB_NAME)
    loggers = pod_loggers(defs.loggers)  # compiler/materialize/console.py: failures on one line
    return resolved.with_logger_defs(loggers) if loggers else resolved


def own_task_checks(location: str, asset_path: str) -> tuple[AssetCheckKey, ...]:
    """The checks of these assets that run in a task of their own, not in this pod (compiler/check_tasks.py)."""
    keys = parse_asset_keys([asset_path])
    own_task = split_checks(load_definitions(location_from_text(location)).resolve_asset_graph()).own_task
    return tuple(sorted((key for key in own_task if key.asset_key in keys), key=lambda key: key.to_user_string()))
