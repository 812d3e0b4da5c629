"""`python -m compiler backfill`: one Argo Workflow that materializes a range of partitions, for any Argo version.

The Workflow fans out over the partitions (`withItems`) and runs the schedule's DAG from the deployed WorkflowTemplate
for each (`templateRef`), passing the partition as the DAG's input, so every step gets it explicitly (an explicit
partition wins over any tick, see compiler/materialize/partition.py). At most `--parallelism` partitions run at once
(the template's `parallelism` counts running child DAGs), started in date order; one failed partition does not stop
the others (`failFast: false`), as in a Dagster backfill. The name is fixed by schedule and range, so submitting
the same backfill twice fails instead of running it twice; `argo retry` reruns only what failed.
"""

import math
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg

from compiler.argo import BACKFILL_PARAMETER
from compiler.builder.backfill_keys import time_by_static_range
from compiler.builder.backfill_upstream import BackfillTask, upstream_tasks
from compiler.builder.naming import NAME_LIMIT, sanitise, short_hash, with_hash
from compiler.builder.plan_types import GENERATOR, MAIN_DAG, PLAN_TEMPLATE, Plan
from compiler.builder.render import ENVIRONMENT
from compiler.errors import UnsupportedInputError
from compiler.parse import parse_documents
from compiler.validate import validate_manifest


@dataclass(frozen=True)
class Backfill:
    name: str
    schedule: str
    entrypoint: str
    partitions: tuple[str, ...]
    parallelism: int
    active_deadline_seconds: int
    description: str
    upstream: tuple[BackfillTask, ...] = ()  # partitions of another cadence built first (backfill_upstream.py)


def partition_range(
    defs: dg.Definitions, schedule_name: str, start: str, end: str, keys: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The partition keys from start to end (inclusive) of the schedule's assets, as Dagster's own definition
    lists them today; anything else is a usage error naming the valid form. A time × static multi-partition takes
    time keys, times `keys` (its static keys; none: every key, compiler/builder/backfill_keys.py)."""
    schedules = {s.name: s for s in defs.schedules or []}
    if schedule_name not in schedules:
        known = ", ".join(sorted(schedules)) or "(none)"
        raise UnsupportedInputError(f"--schedule {schedule_name!r}: no such schedule; known: {known}")
    job = defs.resolve_job_def(schedules[schedule_name].job.name)
    partitions_def = job.partitions_def
    if partitions_def is None:
        raise UnsupportedInputError(
            f"schedule {schedule_name}: its job is not partitioned; there is nothing to backfill"
        )
    now = datetime.now(UTC)
    if isinstance(partitions_def, dg.MultiPartitionsDefinition) and partitions_def.has_time_window_dimension:
        time_keys = partitions_def.time_window_partitions_def.get_partition_keys(current_time=now)
        return time_by_static_range(partitions_def, schedule_name, time_keys, start, end, keys)
    if keys:
        raise UnsupportedInputError(
            f"--keys: schedule {schedule_name} is not partitioned by a time × static MultiPartitionsDefinition; "
            "give the range with --start/--end alone"
        )
    all_keys = partitions_def.get_partition_keys(current_time=now)
    for option, key in (("--start", start), ("--end", end)):
        if key not in all_keys:
            raise UnsupportedInputError(
                f"{option} {key!r} is not a partition of schedule {schedule_name} "
                f"(today: {all_keys[0]}..{all_keys[-1]})"
                if all_keys
                else f"schedule {schedule_name} has no partitions yet"
            )
    first, last = all_keys.index(start), all_keys.index(end)
    if first > last:
        raise UnsupportedInputError(f"--start {start} is after --end {end}")
    return tuple(all_keys[first : last + 1])


def render_backfill(
    plan: Plan,
    schedule: str,
    partitions: tuple[str, ...],
    parallelism: int,
    keys: tuple[str, ...] = (),
    span: tuple[str, str] = ("", ""),
) -> str:
    """The Workflow's YAML, checked like `build` checks its output (structure and lint). `keys`: the static keys
    a multi-dimensional backfill was restricted to (part of the name, so another selection is another Workflow),
    `span` its --start/--end."""
    [cron] = [c for c in plan.crons if c.schedule == schedule]
    source = f"{cron.name}-backfill-{partitions[0]}-{partitions[-1]}"
    if keys:
        source = f"{source}-{short_hash(','.join(keys))}"
    name = sanitise(source)
    if len(name) > NAME_LIMIT:
        name = with_hash(name, source, NAME_LIMIT)
    upstream = upstream_tasks(plan, cron.entrypoint, whole_windows=not keys)
    waves = math.ceil(len(partitions) / parallelism)
    backfill = Backfill(
        name=name,
        schedule=schedule,
        entrypoint=cron.entrypoint,
        partitions=partitions,
        parallelism=parallelism,
        active_deadline_seconds=plan.settings.defaults.active_deadline_seconds * waves,
        upstream=upstream,
        description=(
            f"Backfill of Dagster schedule {schedule}: {len(partitions)} partition(s) "
            f"{partitions[0]}..{partitions[-1]}, at most {parallelism} at a time, compiled by {GENERATOR}."
        ),
    )
    where = shlex.join(plan.location.arguments())
    command = (
        f"python -m compiler backfill {where} --schedule {schedule} --start {partitions[0]} "
        f"--end {partitions[-1]} --parallelism {parallelism}"
    )
    if keys:  # the range was given as time keys (--start/--end) and static keys
        command = (
            f"python -m compiler backfill {where} --schedule {schedule} --start {span[0]} "
            f"--end {span[1]} --keys {','.join(keys)} --parallelism {parallelism}"
        )
    text = ENVIRONMENT.get_template("backfill.yaml.j2").render(
        plan=plan,
        backfill=backfill,
        generator=GENERATOR,
        backfill_command=command,
        backfill_parameter=BACKFILL_PARAMETER,
    )
    [document] = parse_documents(text, name)
    known = {dag.name for dag in plan.dags} | {step.name for step in plan.steps} | {PLAN_TEMPLATE}
    problems = validate_manifest(document, {plan.name: known})
    if problems:
        raise UnsupportedInputError("; ".join(["the backfill Workflow is invalid (a compiler bug)", *problems]))
    return text


def upstream_warning(plan: Plan, schedule: str, keys: tuple[str, ...] = ()) -> list[str]:
    """The approximation a backfill across cadences makes, one `warning:` line (none without one): Argo's DAG
    waits for every upstream fan-out, so one failed upstream partition holds back the whole range, where Dagster's
    asset backfill still materializes the downstream partitions that do not read it. A time × static job's backfill
    restricted to some static keys (`keys`) does not build the other cadence first: warned instead."""
    [cron] = [c for c in plan.crons if c.schedule == schedule]
    built = [task.upstream for task in upstream_tasks(plan, cron.entrypoint, not keys) if task.upstream]
    unplanned = fanned_out_readers(plan, cron.entrypoint) if keys else []
    if unplanned:
        return [
            f"warning: backfill of schedule {schedule}: asset(s) {', '.join(unplanned)} fan out per static key and "
            "read partitions of another cadence, which a backfill restricted with --keys does not build first: "
            "each run loads them through the IO manager and fails naming a missing one, as Dagster's runs of the "
            "job do; build them first (their own job's backfill), or backfill every static key (no --keys)"
        ]
    if not built:
        return []
    return [
        f"warning: backfill of schedule {schedule}: the partitions of asset(s) {', '.join(built)} that the range "
        "reads (Dagster's partition mapping) are built first, each once; one that fails holds back every partition "
        "of the range, where Dagster's asset backfill still materializes the partitions that do not read it"
    ]


def fanned_out_readers(plan: Plan, entrypoint: str) -> list[str]:
    """The assets of a job's per-key DAGs (a time × static fan-out) that `main` plans upstream partitions of
    another cadence for: a backfill restricted to some static keys builds none of those (plan-partitions plans a
    range of whole windows, every static key)."""
    main = next((dag for dag in plan.dags if dag.name == MAIN_DAG), None)
    if main is None:
        return []
    readers = {t.asset for t in main.tasks if t.template == PLAN_TEMPLATE and t.upstream != t.asset}
    per_key = [dag for dag in plan.dags if dag.per_key and dag.name.startswith(f"{entrypoint}-")]
    return sorted({t.asset for dag in per_key for t in dag.tasks} & readers)
