"""Imports a Dagster code location and reduces it to the plain model, rejecting what Argo cannot express."""

import dataclasses
import graphlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.partitions.partitioned_schedule import UnresolvedPartitionedAssetScheduleDefinition
from dagster._core.definitions.repository_definition import RepositoryDefinition
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from compiler.builder.asset_order import nodes_in_key_order
from compiler.builder.automation import automation_schedules, job_automation_schedules
from compiler.builder.automation_sensors import evaluators
from compiler.builder.check_tasks import with_check_tasks
from compiler.builder.dagster_k8s import read_pod_overrides
from compiler.builder.dynamic_partitions import dynamic_name, dynamic_schedule, with_dynamic_warnings
from compiler.builder.eager import read_eager_triggers
from compiler.builder.exit_handlers import alert_warning, read_status_alerts
from compiler.builder.fan_out import read_fan_out
from compiler.builder.fidelity.custom_io import custom_io_handoffs
from compiler.builder.fidelity.dagster_features import refuse_unsupported
from compiler.builder.fidelity.dst_cover import schedule_tick_cover
from compiler.builder.fidelity.executor_concurrency import dag_limits
from compiler.builder.fidelity.io_handoff import pod_local_handoffs
from compiler.builder.fidelity.pools import asset_pools
from compiler.builder.fidelity.resource_env import resource_env_vars
from compiler.builder.fidelity.schedule_jobs import asset_jobs, schedules_with_jobs
from compiler.builder.fidelity.schedule_ticks import ScheduleVerdict, check_schedule_ticks
from compiler.builder.fidelity.unmapped import unmapped_warnings
from compiler.builder.freshness import read_freshness_sensors
from compiler.builder.fusion import io_manager_resumable, partitions_identity, read_fuse_tag
from compiler.builder.graph_asset import node_settings
from compiler.builder.jobs import empty_job_warnings, job_selection, read_jobs, selects_nothing
from compiler.builder.model import AssetSpec, FidelityFacts, Project, ScheduleSpec
from compiler.builder.multi_asset import op_keys
from compiler.builder.object_triggers import read_object_triggers, refuse_other_sensors
from compiler.builder.observable_sources import observable_source_warnings, refuse_observing_jobs
from compiler.builder.op_jobs import read_op_job_schedule, read_op_jobs
from compiler.builder.partitions import (
    check_partition_dependencies,
    describe_partitions,
    schedule_check_time,
)
from compiler.builder.retry import map_retry_policy
from compiler.builder.run_config import job_config_warnings, takes_run_config
from compiler.builder.run_triggers import read_run_triggers, run_trigger_warnings
from compiler.code_location import CodeLocation
from compiler.errors import UnsupportedInputError
from compiler.location_loading import load_location
from compiler.validate.cron import cron_problem


def load_definitions(location: CodeLocation | str) -> dg.Definitions:
    """The Definitions of a code location (a module name stands for `-m NAME`), loaded by Dagster's own code."""
    return load_location(as_location(location))


def as_location(location: CodeLocation | str) -> CodeLocation:
    return CodeLocation(module=location, name=location) if isinstance(location, str) else location


def load_project(location: CodeLocation | str) -> Project:
    return project_from_definitions(location, load_definitions(location))


def project_from_definitions(location: CodeLocation | str, defs: dg.Definitions) -> Project:
    location = as_location(location)
    module_name = location.describe()
    refuse_other_sensors(defs)  # new_object_sensors compile: compiler/builder/object_triggers.py
    try:
        graph = defs.resolve_asset_graph()
    except dg.DagsterError as error:
        raise UnsupportedInputError(f"{module_name}: Dagster rejected the definitions: {error}") from error
    refuse_unsupported(graph)  # the REFUSED fields of compiler/builder/fidelity/dagster_features.py
    refuse_observing_jobs(defs, graph)  # observable source assets are inputs: builder/observable_sources.py
    op_job_specs = read_op_jobs(defs, schedules_with_jobs(defs))  # one pod each: compiler/builder/op_jobs.py
    assets = with_check_tasks(_read_assets(graph, defs.resources or {}), graph)
    materializable = {key for asset in assets for key in asset.all_keys}
    if not materializable and not op_job_specs:
        raise UnsupportedInputError(_nothing_to_compile(module_name, graph))
    mapping_warnings, planned = check_partition_dependencies(graph, [dg.AssetKey(key) for key in materializable])
    assets = [  # approximated partition mappings (compiler/builder/partition_mapping.py), planned cadences (cadence.py)
        dataclasses.replace(
            a,
            warnings=(*a.warnings, *mapping_warnings.get(a.key, ())),
            planned_deps=tuple(dict.fromkeys(dep for key in a.all_keys for dep in planned.get(key, ()))),
        )
        if a.key in mapping_warnings or any(key in planned for key in a.all_keys)
        else a  # unchanged: no copy per asset (10,000 replace() calls cost ~0.05 CPU-s)
        for a in assets
    ]
    repository = _RepositoryOnDemand(defs)
    # compiler/builder/run_config.py: the `run_config` parameter, and schedules whose ticks' config is invalid
    takes_config = takes_run_config(graph, asset_jobs(defs)) or any(job.takes_config for job in op_job_specs)
    bound = schedules_with_jobs(defs)
    read = [  # a schedule of an empty asset job starts nothing: a warning (compiler/builder/jobs.py)
        _read_schedule(schedule, graph, materializable, repository, takes_config)
        for schedule in bound
        if not selects_nothing(schedule.job, graph, materializable)
    ]
    jobs = read_jobs(defs, graph, materializable)  # after the schedules, whose errors name the schedule too
    evaluated_by = evaluators(defs, graph)  # explicit automation condition sensors: automation_sensors.py
    automated = [*automation_schedules(graph, evaluated_by), *job_automation_schedules(defs, graph, jobs)]
    schedules = tuple(sorted([*read, *automated], key=_by_name))  # on_cron: compiler/builder/automation.py
    fidelity = FidelityFacts(
        io_handoffs=pod_local_handoffs(defs, graph),
        custom_io=custom_io_handoffs(defs, graph),
        env_vars=resource_env_vars(defs, graph),
        warnings=(
            *unmapped_warnings(defs, graph),
            *dict.fromkeys(w for s in schedules for w in s.warnings),
            *job_config_warnings(asset_jobs(defs)),
            *observable_source_warnings(graph),
            *empty_job_warnings(defs, graph, materializable, [(s.name, s.job.name) for s in bound]),
        ),
        dag_parallelism=tuple(sorted(dag_limits(defs)[0].items())),
        pools=asset_pools(graph),
    )
    triggers = read_object_triggers(defs, graph, materializable)  # new_object_sensor: compiler/builder/events.py
    eager = read_eager_triggers(graph, materializable)  # AutomationCondition.eager(): compiler/builder/eager.py
    triggers = tuple(sorted((*triggers, *eager), key=lambda t: t.spec.name))
    alerts = read_status_alerts(defs, [job.name for job in jobs])  # run status sensors: builder/exit_handlers.py
    run_triggers = read_run_triggers(defs, [job.name for job in jobs])  # requesting runs: builder/run_triggers.py
    trigger_warnings = [line for trigger in run_triggers for line in run_trigger_warnings(trigger)]
    fidelity = dataclasses.replace(
        fidelity, warnings=(*fidelity.warnings, *map(alert_warning, alerts), *trigger_warnings)
    )
    freshness = read_freshness_sensors(defs, graph)  # a CronWorkflow each: compiler/builder/freshness.py
    fidelity = dataclasses.replace(fidelity, warnings=(*fidelity.warnings, *(w for f in freshness for w in f.warnings)))
    return Project(
        location=location,
        assets=_topological(assets),
        schedules=schedules,
        fidelity=fidelity,
        jobs=jobs,
        object_triggers=triggers,
        op_jobs=op_job_specs,
        run_config=takes_config,
        status_alerts=alerts,
        run_triggers=run_triggers,
        freshness_sensors=freshness,
    )


def _nothing_to_compile(where: str, graph: AssetGraph) -> str:
    """One line: Argo runs materializations only, so a location without one has no workflow to write."""
    external = len([node for node in graph.asset_nodes if not node.is_materializable])
    inputs = (
        "1 external asset, which is an input only"
        if external == 1
        else f"{external} external assets, which are inputs only"
    )
    found = f" (it has {inputs})" if external else ""
    return (
        f"{where}: nothing to compile: the Definitions hold no materializable asset{found}; Argo "
        "workflows run asset materializations, so add an @asset or compile another module"
    )


def _by_name(schedule: ScheduleSpec) -> str:
    return schedule.name


def _read_assets(graph: AssetGraph, resources: Mapping[str, Any]) -> list[AssetSpec]:
    """One AssetSpec per op, built once with everything read per asset: at 10,000 assets, copies and repeated
    Dagster property reads are the compiler's largest own cost (benchmarks/README.md, issue #28)."""
    assets: list[AssetSpec] = []
    seen_ops: set[int] = set()
    for node in nodes_in_key_order(graph):
        name = node.key.to_user_string()
        if not node.is_materializable:
            continue  # external and observable source assets are inputs, not tasks (builder/observable_sources.py)
        _check_key(node.key)
        assets_def = node.assets_def
        partitions_def = node.partitions_def  # a property reading the AssetsDefinition: read once
        fan_out = read_fan_out(name, partitions_def)  # static/multi keys: compiler/builder/fan_out.py
        if fan_out is None:
            describe_partitions(name, partitions_def)  # exit 2 for kinds without a mapping
        if id(assets_def) in seen_ops:
            continue  # another key of a multi-asset already read: one op, one task
        seen_ops.add(id(assets_def))
        found = op_keys(graph, assets_def)
        name = f"multi-asset {assets_def.node_def.name}" if found.several else name
        settings = node_settings(name, assets_def)  # an op's, or a graph's shared by its ops
        retry = map_retry_policy(name, settings.retry_policy)
        assets.append(
            AssetSpec(
                key=found.keys[0],
                deps=found.deps,
                description=found.description,
                owners=found.owners,
                retry=retry.spec,
                pod=read_pod_overrides(name, settings.tags),
                warnings=tuple(w for w in (retry.warning, settings.warning) if w),
                keys=found.keys if found.several else (),
                op_name=assets_def.node_def.name if found.several else None,
                can_subset=assets_def.can_subset,
                fan_out=fan_out,
                fuse=read_fuse_tag(name, node.tags, settings.tags),
                partitions=partitions_identity(partitions_def),
                dynamic_partitions=dynamic_name(partitions_def),  # compiler/builder/dynamic_partitions.py
                resumable=io_manager_resumable(resources, assets_def, node.key),  # its first key: fusion.py
            )
        )
    materializable = {key for asset in assets for key in asset.all_keys}
    kept = [
        a if all(d in materializable for d in a.deps) else dataclasses.replace(a, deps=_kept(a.deps, materializable))
        for a in assets
    ]
    return with_dynamic_warnings(kept)  # compiler/builder/dynamic_partitions.py


def _kept(deps: tuple[tuple[str, ...], ...], materializable: set[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(d for d in deps if d in materializable)


def _check_key(key: dg.AssetKey) -> None:
    for part in key.path:
        if "/" in part or "," in part or "{{" in part or "}}" in part or not part:
            raise UnsupportedInputError(
                f"asset {key.to_user_string()}: key component {part!r} contains '/', ',', '{{{{' or '}}}}' or is "
                "empty; the step runner addresses assets as a/b/c,d/e and Argo would evaluate braces"
            )


def _read_schedule(
    schedule: dg.ScheduleDefinition | UnresolvedPartitionedAssetScheduleDefinition,
    graph: AssetGraph,
    materializable: set[tuple[str, ...]],
    repository: "_RepositoryOnDemand",
    takes_config: bool = False,
) -> ScheduleSpec:
    job = schedule.job
    if isinstance(job, dg.JobDefinition) and isinstance(schedule, dg.ScheduleDefinition):
        return read_op_job_schedule(schedule, job, repository)  # an op/graph job: compiler/builder/op_jobs.py
    if not isinstance(job, UnresolvedAssetJobDefinition):
        raise UnsupportedInputError(
            f"schedule {schedule.name}: targets job {job.name}, which is not an asset job; "
            "target assets or a define_asset_job job"
        )
    selected = set(job_selection(job, graph, materializable, f"schedule {schedule.name}: job {job.name}"))
    crons: str | Sequence[str]
    timezone: str | None
    if isinstance(schedule, UnresolvedPartitionedAssetScheduleDefinition):
        crons, timezone = _partitioned_schedule_cron(schedule, graph, selected)
        verdict = ScheduleVerdict(gated=False)
    elif dynamic_schedule(schedule, graph, selected):  # its body reads the instance: the planning task runs it
        verdict = ScheduleVerdict(gated=False)
        crons, timezone = schedule.cron_schedule, schedule.execution_timezone
    else:  # run_config, several RunRequests per tick, SkipReason/asset_selection: fidelity/schedule_ticks.py
        groups = [sorted(a.keys) for a in graph.assets_defs if len(a.keys) > 1]  # a multi-asset runs as one task
        at = schedule_check_time(graph, selected)
        verdict = check_schedule_ticks(schedule, at, repository, groups, check_config=takes_config)
        crons, timezone = schedule.cron_schedule, schedule.execution_timezone
    for cron in (crons,) if isinstance(crons, str) else crons:
        problem = cron_problem(cron)
        if problem:
            raise UnsupportedInputError(f"schedule {schedule.name}: cron {cron!r} has no Argo equivalent: {problem}")
    own = (crons,) if isinstance(crons, str) else tuple(crons)
    cover = schedule_tick_cover(schedule.name, own, timezone or "UTC")
    return ScheduleSpec(
        name=schedule.name,
        job_name=job.name,
        crons=own,
        timezone=timezone or "UTC",
        asset_keys=frozenset(selected),
        stopped=schedule.default_status == dg.DefaultScheduleStatus.STOPPED,
        gated=verdict.gated or cover.filtered,
        selects_part=any(not keys >= selected for _, keys in verdict.selections),
        argo_crons=cover.crons if cover.crons != own else (),
        tick_filter=cover.filtered,
        warnings=verdict.warnings,
        sampled_selections=verdict.selections,
    )


class _RepositoryOnDemand:
    """The repository a schedule function needs to request a partition (Dagster checks the key against the job),
    built only for such schedules: building it resolves every job, which is slow on large graphs."""

    def __init__(self, defs: dg.Definitions) -> None:
        self._defs = defs
        self._repository: RepositoryDefinition | None = None

    def __call__(self) -> RepositoryDefinition:
        if self._repository is None:
            self._repository = self._defs.get_repository_def()
        return self._repository


def _partitioned_schedule_cron(
    schedule: UnresolvedPartitionedAssetScheduleDefinition, graph: AssetGraph, selected: set[tuple[str, ...]]
) -> tuple[str, str]:
    """What Dagster's own resolution computes, without building the job (slow on large graphs)."""
    partitions = {graph.get(dg.AssetKey(key)).partitions_def for key in sorted(selected)} - {None}
    windows = [  # a date × static multi-partition's schedule ticks on its time dimension (compiler/builder/fan_out.py)
        p.time_window_partitions_def
        if isinstance(p, dg.MultiPartitionsDefinition) and p.has_time_window_dimension
        else p
        for p in partitions
    ]
    time_partitions = [p for p in windows if isinstance(p, dg.TimeWindowPartitionsDefinition)]
    if len(time_partitions) != 1:
        raise UnsupportedInputError(
            f"schedule {schedule.name}: build_schedule_from_partitioned_job needs the job's assets to share one "
            f"time-window partitions definition, found {len(time_partitions)}"
        )
    cron = time_partitions[0].get_cron_schedule(
        schedule.minute_of_hour, schedule.hour_of_day, schedule.day_of_week, schedule.day_of_month
    )
    return cron, time_partitions[0].timezone


def _topological(assets: Iterable[AssetSpec]) -> tuple[AssetSpec, ...]:
    """Level by level, each level sorted by key, so the order never depends on hashing."""
    by_key = {asset.key: asset for asset in assets}
    primary = {key: asset.key for asset in assets for key in asset.all_keys}  # a multi-asset's keys → its task
    sorter: graphlib.TopologicalSorter[tuple[str, ...]] = graphlib.TopologicalSorter()
    for key, asset in by_key.items():
        sorter.add(key, *(primary[dep] for dep in asset.deps))
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        cycle = " -> ".join("/".join(key) for key in error.args[1])
        raise UnsupportedInputError(f"asset dependencies form a cycle: {cycle}") from error
    ordered: list[AssetSpec] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(by_key[key] for key in ready)
        sorter.done(*ready)
    return tuple(ordered)
