"""A Dagster executor's concurrency → the DAG template's `parallelism` (how many of its tasks run at once).

`multiprocess_executor` with `max_concurrent: N` runs at most N steps of a run at once; the run's DAG gets
`parallelism: N` (Argo counts running pods of that DAG, run-local the same). `in_process_executor` runs one step at
a time: `parallelism: 1`. The Definitions' executor applies to `main`, a job's own `executor_def` to its `job-<job>`
DAG. What else the executor says is warned by name: `max_concurrent` unset or 0 (Dagster: the CPU count of the
run's machine; Argo: every ready task), `tag_concurrency_limits` (no per-tag limit in a DAG), `retries: disabled`
(Argo still applies each asset's RetryPolicy), and any other executor (its settings are not mapped).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg

from compiler.builder.fidelity.schedule_jobs import asset_jobs

DEFAULT_RETRIES: dict[str, dict[str, Any]] = {"enabled": {}}


@dataclass(frozen=True)
class ExecutorLimit:
    parallelism: int | None
    warnings: tuple[str, ...] = ()


def executor_limit(executor: object, where: str) -> ExecutorLimit:
    """`where` names the Definitions or the job in warnings."""
    if executor is None:
        return ExecutorLimit(None)
    name = getattr(executor, "name", type(executor).__name__)  # an ExecutorDefinition or an Executor
    if not isinstance(executor, dg.ExecutorDefinition) or name not in ("multiprocess", "in_process"):
        return ExecutorLimit(
            None,
            (
                f"executor {name} ({where}): its concurrency settings are not mapped; Argo runs every task whose "
                "dependencies are done at once",
            ),
        )
    config = _config(executor)
    warnings = []
    if config.get("retries", DEFAULT_RETRIES) != DEFAULT_RETRIES:
        warnings.append(
            f"executor {name} ({where}): retries {sorted(config['retries'])} is not mapped; Argo still retries "
            "each asset by its RetryPolicy"
        )
    if name == "in_process":
        return ExecutorLimit(1, tuple(warnings))
    if config.get("tag_concurrency_limits"):
        warnings.append(
            f"executor {name} ({where}): tag_concurrency_limits is not mapped (an Argo DAG has no per-tag limit); "
            "use pool= with [tool.compiler.pools] for a shared limit"
        )
    limit = config.get("max_concurrent")
    if not isinstance(limit, int) or limit <= 0:
        warnings.append(
            f"executor {name} ({where}): max_concurrent is not set, so Dagster runs as many steps at once as the "
            "run's machine has CPUs; Argo runs every ready task at once (set max_concurrent to bound it)"
        )
        return ExecutorLimit(None, tuple(warnings))
    return ExecutorLimit(limit, tuple(warnings))


def _config(executor: dg.ExecutorDefinition) -> Mapping[str, Any]:
    result = executor.apply_config_mapping({})
    value = result.value if result.success and isinstance(result.value, dict) else {}
    config = value.get("config", {})
    return config if isinstance(config, dict) else {}


def dag_limits(defs: dg.Definitions) -> tuple[dict[str, int], tuple[str, ...]]:
    """Job name ("" for the Definitions, i.e. `main`) → parallelism, and the warnings, in a fixed order."""
    limits: dict[str, int] = {}
    warnings: list[str] = []
    found = executor_limit(defs.executor, "Definitions")
    warnings.extend(found.warnings)
    if found.parallelism:
        limits[""] = found.parallelism
    for job in asset_jobs(defs):  # scheduled or not, each has its job-<job> DAG
        own = getattr(job, "executor_def", None)
        if own is None:
            continue
        found = executor_limit(own, f"job {job.name}")
        warnings.extend(found.warnings)
        if found.parallelism:
            limits[job.name] = found.parallelism
    return limits, tuple(warnings)
