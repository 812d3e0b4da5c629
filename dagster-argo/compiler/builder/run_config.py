"""Build-time analysis of run config: whether the WorkflowTemplate offers the `run_config` workflow parameter, and
which schedules would fail every run for want of config.

The pods build each run's config themselves (compiler/materialize/run_config.py): the schedule's `run_config` for
the tick, the job's `PartitionedConfig` for the partition, the config defaults, or what a manual submit passes as
`-p run_config=...`. So config without a default is no reason to refuse a project: a manual submit can always
supply it. What `build` refuses is a schedule whose runs could never get it: its run config for a sample tick does
not validate against its job (Dagster's own error, naming the field), so every such tick's pods would fail.
"""

from collections.abc import Iterable
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
    return any(op.config_field is not None and _has_fields(op.config_field) for op in ops)


def _has_fields(field: Any) -> bool:
    """A shape with fields, or a scalar/list/enum schema; Dagster gives an op without config the `Any` schema."""
    from dagster._config import ConfigTypeKind

    kind = field.config_type.kind
    if kind == ConfigTypeKind.ANY:
        return False
    fields = getattr(field.config_type, "fields", None)
    return bool(fields) or fields is None


def takes_run_config(graph: AssetGraph, jobs: Iterable[UnresolvedAssetJobDefinition]) -> bool:
    """Whether run config can change what a run does: an asset's op reads config, or a job has `config=`. Then the
    WorkflowTemplate has the `run_config` parameter and its steps pass it on (and their job); else both are left
    out, and the manifests stay as they were."""
    if any(job.config is not None for job in jobs):
        return True
    return any(has_config_fields(node.assets_def) for node in graph.asset_nodes if node.is_materializable)


def check_tick_config(schedule_name: str, job: dg.JobDefinition, run_config: Any, tick: datetime) -> None:
    """Dagster's validation of a tick's run config against the schedule's job; invalid means every run of such a
    tick fails in its pods, so `build` refuses the schedule (exit 2) with Dagster's own error."""
    from compiler.materialize.run_config import config_errors

    details = config_errors(job, run_config or {})
    if details:
        raise UnsupportedInputError(
            f"schedule {schedule_name}: its run config for the tick at {tick.isoformat()} is invalid for job "
            f"{job.name} ({details}), so no run it starts could succeed; return the config from the schedule "
            "(run_config= or RunRequest(run_config=...)), give the fields defaults, or set the job's config="
        )
