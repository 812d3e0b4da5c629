"""Dynamic partitions: the keys live in the Dagster instance, so a planning task reads them when the run starts.

A `DynamicPartitionsDefinition` has no key list when compiling: its keys are added to (and deleted from) the Dagster
instance at run time (`instance.add_dynamic_partitions`, a sensor's `dynamic_partitions_requests`). With a shared
instance (`[tool.compiler.instance] kind = "postgres"`) every pod reads the same keys, so in each DAG such an asset's
task is preceded by a planning task `plan-<task>` (`python -m compiler plan-partitions --asset A --upstream A`,
one per definition and DAG, named after its first asset there;
compiler/materialize/dynamic_keys.py) that writes the definition's current keys (or, for an explicit `partition`,
that key once Dagster's instance confirms it exists) as a JSON list, and the asset's step fans out over it with
`withParam` (one pod per key, `partition: {{item}}`): what a Dagster backfill over all of the definition's keys runs.
Without a shared instance the pods could not see the keys: refused naming the asset and the setting to add.
"""

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from compiler.builder.model import AssetSpec, Project
from compiler.builder.naming import fit_name
from compiler.builder.plan_types import PLAN_TEMPLATE, Task
from compiler.errors import UnsupportedInputError

if TYPE_CHECKING:  # plan.py imports this module; Dagster is imported only where a definition is read
    import dagster as dg
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

    from compiler.settings import Settings

PLAN_PREFIX = "plan-"


def with_dynamic_warnings(assets: list[AssetSpec]) -> list[AssetSpec]:
    """A documented approximation: each dynamic asset's step fans out on its own, so a downstream asset of the same
    definition waits for every key of its upstream asset, and one failing key holds it back for every key, where a
    Dagster backfill runs each key's chain as its own run and holds back only that key's downstream step."""
    dynamic = {key: asset.dynamic_partitions for asset in assets if asset.dynamic_partitions for key in asset.all_keys}
    marked = []
    for asset in assets:
        above = sorted("/".join(d) for d in asset.deps if asset.dynamic_partitions and dynamic.get(d))
        if above:
            warning = (
                f"asset {asset.key_path}: its dynamic partitions fan out after every key of asset(s) "
                f"{', '.join(above)} succeeded: a failing key there holds back all of its keys (a Dagster backfill "
                "holds back only that key's)"
            )
            asset = dataclasses.replace(asset, warnings=(*asset.warnings, warning))
        marked.append(asset)
    return marked


def dynamic_name(partitions: "dg.PartitionsDefinition | None") -> str:
    """The name of a plain DynamicPartitionsDefinition (the instance's key set), '' for any other definition."""
    import dagster as dg

    if isinstance(partitions, dg.DynamicPartitionsDefinition) and partitions.name:
        return partitions.name
    return ""


def check_dynamic(project: Project, settings: "Settings") -> None:
    """Exit 2 when an asset has dynamic partitions but the pods share no Dagster instance to read the keys from (a
    schedule of such assets named first: its body reads the instance), or when a sensor starts runs of such assets
    (not mapped yet: see `_check_triggers`)."""
    _check_triggers(project, settings)
    _check_instance(project.assets, settings)


def dynamic_schedule(
    schedule: "dg.ScheduleDefinition", graph: "AssetGraph", selected: "Iterable[tuple[str, ...]]"
) -> bool:
    """Whether `schedule` starts runs of dynamically partitioned assets. Such a schedule is a `@schedule` whose body
    reads the instance's keys and names the tick's partitions (Dagster's `build_schedule_from_partitioned_job`
    refuses a dynamic definition); `build` cannot evaluate it (it has no instance), the planning task of each run
    does, against the shared instance (compiler/materialize/dynamic_schedule.py). A plain `ScheduleDefinition`
    names no partition, so each of Dagster's runs fails in every step: exit 2."""
    import dagster as dg

    from compiler.builder.fidelity.tick_selection import has_own_code

    hit = sorted(key for key in selected if dynamic_name(graph.get(dg.AssetKey(list(key))).partitions_def))
    if not hit:
        return False
    if not has_own_code(schedule):
        raise UnsupportedInputError(
            f"schedule {schedule.name}: starts runs of asset {'/'.join(hit[0])}, which has dynamic partitions, and "
            "names no partition key (Dagster's runs fail in every step); write a @schedule whose body returns "
            "RunRequest(partition_key=...) for keys it reads from context.instance"
        )
    return True


def _check_triggers(project: Project, settings: "Settings") -> None:
    """A schedule of dynamically partitioned assets is mapped (its body runs in the planning task against the shared
    instance), so it needs that instance. A sensor (or automation condition) starting such runs reads the instance
    and may add keys (`dynamic_partitions_requests`), which the compiled sensors cannot: refused, naming it."""
    dynamic = {key for asset in project.assets if asset.dynamic_partitions for key in asset.all_keys}
    if not dynamic:
        return
    for schedule in project.schedules:
        hit = sorted(dynamic & schedule.asset_keys)
        if hit and settings.instance is None:
            raise UnsupportedInputError(
                f"schedule {schedule.name}: starts runs of asset {'/'.join(hit[0])}, which has dynamic partitions: "
                "its body reads the keys from the Dagster instance, and the pods run on throw-away instances that "
                'hold none; configure a shared instance with [tool.compiler.instance] kind = "postgres" (and its '
                "password Secret) in the settings"
            )
    for trigger in project.object_triggers:
        hit = sorted(dynamic & trigger.asset_keys)
        if hit:
            raise UnsupportedInputError(
                f"sensor {trigger.spec.name}: starts runs of asset {'/'.join(hit[0])}, which has dynamic partitions: "
                "Dagster runs the partition keys its RunRequests name, which a sensor reads from (or adds to) the "
                "instance; that is not mapped yet: run its job's DAG manually (`argo submit --from "
                "workflowtemplate/<name> --entrypoint job-<job>`, every key the instance holds, or `-p partition=KEY`)"
            )


def _check_instance(assets: Iterable[AssetSpec], settings: "Settings") -> None:
    if settings.instance is not None:
        return
    for asset in assets:
        if asset.dynamic_partitions:
            raise UnsupportedInputError(
                f"asset {asset.key_path}: DynamicPartitionsDefinition {asset.dynamic_partitions!r} keeps its keys in "
                "the Dagster instance, and the pods run on throw-away instances that hold none; configure a shared "
                'instance with [tool.compiler.instance] kind = "postgres" (and its password Secret) in the settings, '
                "or use a StaticPartitionsDefinition"
            )


def dynamic_tasks(asset: AssetSpec, task: Task, listed: dict[str, str]) -> tuple[Task | None, Task]:
    """The planning task listing the asset's keys (None when an earlier asset of this DAG with the same definition
    already has one: every asset of one definition runs over one list, read once, as a Dagster backfill fixes its
    keys when it starts), and the asset's own task fanned out over that list. `listed` maps each definition's name
    to its planning task in this DAG and is filled here."""
    plan = listed.get(asset.dynamic_partitions)
    listing = None
    if plan is None:
        plan = fit_name(f"{PLAN_PREFIX}{task.name}")
        listed[asset.dynamic_partitions] = plan
        listing = Task(plan, PLAN_TEMPLATE, asset.key_path, (), upstream=asset.key_path)
    fanned = Task(
        task.name,
        task.template,
        task.asset,
        tuple(sorted({*task.depends, plan})),
        description=task.description,
        owners=task.owners,
        with_param=f"{{{{tasks.{plan}.outputs.parameters.keys}}}}",
    )
    return listing, fanned
