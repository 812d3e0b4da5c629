"""Build-time analysis of run config: whether the WorkflowTemplate offers the `run_config` workflow parameter, and
which schedules would fail every run for want of config.

The pods build each run's config themselves (compiler/materialize/run_config.py): the schedule's `run_config` for
the tick, the job's `PartitionedConfig` for the partition, the config defaults, or what a manual submit passes as
`-p run_config=...`. So config without a default is no reason to refuse a project: a manual submit can always
supply it. What `build` refuses is a schedule whose runs could never get it: its run config for a sample tick does
not validate against its job at any sampled tick (Dagster's own error, naming the field): no run it starts could
succeed. Invalid at only some sampled ticks is a `warning:`: those ticks' pods fail, as Dagster's scheduler fails
those ticks.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from compiler.errors import UnsupportedInputError


def has_config_fields(assets_def: dg.AssetsDefinition) -> bool:
    """An op (or any op of a graph, or the graph's config mapping) has a config schema with fields."""
    node = assets_def.node_def
    if isinstance(node, dg.GraphDefinition) and node.has_config_mapping:
        return node.config_field is not None
    ops = [node] if isinstance(node, dg.OpDefinition) else list(node.iterate_op_defs())
    return any(op.config_field is not None and has_fields(op.config_field) for op in ops)


def has_fields(field: Any) -> bool:
    """A shape with fields, or a scalar/list/enum schema; Dagster gives an op without config the `Any` schema."""
    from dagster._config import ConfigTypeKind

    kind = field.config_type.kind
    if kind == ConfigTypeKind.ANY:
        return False
    fields = getattr(field.config_type, "fields", None)
    return bool(fields) or fields is None


def takes_run_config(graph: AssetGraph, jobs: Iterable[UnresolvedAssetJobDefinition]) -> bool:
    """Whether run config can change what a run does: an asset's or a check's op reads config, or a job has
    `config=`. Then the WorkflowTemplate has the `run_config` parameter and its steps pass it on (and their job);
    else both are left out, and the manifests stay as they were."""
    if any(job.config is not None for job in jobs):
        return True
    # every executable op: assets', multi-assets', graph assets' and asset checks' (a check is an op too)
    return any(has_config_fields(assets_def) for assets_def in graph.assets_defs if assets_def.is_executable)


def job_config_warnings(jobs: Iterable[UnresolvedAssetJobDefinition]) -> list[str]:
    """A job's `config=` dict setting `execution` or `loggers`: the pods run each asset in process (Argo owns retries
    and parallelism) with their own console logger, so those entries are not applied; one `warning:` per job."""
    warnings = []
    for job in jobs:
        if isinstance(job.config, dict):
            ignored = sorted(key for key in ("execution", "loggers") if job.config.get(key))
            if ignored:
                warnings.append(
                    f"job {job.name}: config= sets {' and '.join(ignored)}, which the pods do not apply (each runs "
                    "its asset in process, Argo owning retries and parallelism, with its own console logger); set "
                    "the executor with executor_def= (max_concurrent → the DAG's parallelism)"
                )
    return warnings


def tick_config_problem(job: dg.JobDefinition, run_config: Any) -> str:
    """Dagster's validation of one tick's run config against the schedule's job: its error, or "" when valid."""
    from compiler.materialize.run_config import config_errors

    return config_errors(job, run_config or {})


def schedule_config_verdict(
    schedule_name: str, job_name: str, problems: Sequence[tuple[datetime, str]], ticks_with_runs: int
) -> str | None:
    """Every sampled tick's config invalid: no run the schedule starts could succeed, so `build` refuses it (exit 2,
    Dagster's error). Only some: the runs of such ticks fail in their pods with exit 2, as Dagster fails those ticks;
    a `warning:` names the first. None: all valid."""
    if not problems:
        return None
    tick, details = problems[0]
    if len(problems) == ticks_with_runs:
        raise UnsupportedInputError(
            f"schedule {schedule_name}: its run config for the tick at {tick.isoformat()} is invalid for job "
            f"{job_name} ({details}), and so is every sampled tick's: no run it starts could succeed; return the "
            "config from the schedule (run_config= or RunRequest(run_config=...)), give the fields defaults, or set "
            "the job's config="
        )
    return (
        f"schedule {schedule_name}: its run config is invalid for job {job_name} at {len(problems)} of "
        f"{ticks_with_runs} sampled ticks, first at {tick.isoformat()} ({details}); the pods of such a tick fail with "
        "exit 2 and Dagster's error, as Dagster's scheduler fails that tick"
    )
