"""The partitions a schedule's tick requests of a dynamically partitioned asset, evaluated against the shared instance.

Dagster cannot build a schedule from a dynamically partitioned job (`build_schedule_from_partitioned_job` refuses a
DynamicPartitionsDefinition), so such a schedule is a `@schedule` whose body reads the instance's keys
(`context.instance.get_dynamic_partitions(...)`) and returns one `RunRequest(partition_key=...)` per partition of the
tick, or a `SkipReason`. Dagster's daemon evaluates the body once per tick against its instance and launches one run
per request, after checking each key exists there (`RunRequest.with_resolved_tags_and_config`). The compiled job DAG
lists a dynamic asset's keys in its planning task (compiler/builder/dynamic_partitions.py); for a cron tick that task
calls this module instead of listing every key: it evaluates the same body, at the tick Argo passed, against the
same shared instance (compiler/materialize/instance.py) and returns the requested keys, which the asset's step fans
out over (`withParam`). A cron entry that is no Dagster tick (compiler/materialize/dagster_tick.py) requests nothing.
"""

from __future__ import annotations  # Dagster's types as annotations only: `build` must not import Dagster early

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from compiler.materialize.dagster_tick import is_dagster_tick
from compiler.materialize.loading import MaterializeUsageError
from compiler.materialize.partition import cron_tick, parse_scheduled_time, schedules_selecting
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import AssetKey, DagsterInstance, Definitions, PartitionsDefinition

# The schedule function's own error text: whatever it raised, one readable line (as compiler/materialize/gate.py).
CAUSE_CHARACTERS = 400


class ScheduleTickFailed(Exception):
    """The schedule body raised, or requested a key the instance does not hold: Dagster fails the tick (exit 1)."""


def scheduled_dynamic_keys(
    defs: Definitions,
    asset_key: AssetKey,
    partitions: PartitionsDefinition,
    instance: DagsterInstance,
    schedule_name: str,
    times: tuple[str | None, str | None, str | None],
) -> tuple[str, list[str]]:
    """What the tick requests of `asset_key` (`times`: scheduled, created and backfill time, as the pods get them):
    a description of the tick for the log, and the requested keys, each once, in the order the body returned them.
    Every asset of the job with this definition fans out over that one list, so a request whose `asset_selection`
    leaves one of them out is a usage error (exit 2) rather than a silently different run."""
    from dagster import build_schedule_context

    scheduled, created, backfill = times
    repository = defs.get_repository_def()
    schedule = next(iter(schedules_selecting(repository, asset_key, schedule_name)), None)
    if schedule is None:  # an unknown name is a usage error there; this is a schedule of another job
        raise MaterializeUsageError(f"no schedule {schedule_name!r} selects asset {asset_key.to_user_string()!r}")
    fired = cron_tick(scheduled, backfill)
    if fired is not None and not is_dagster_tick(schedule, fired):
        return f"no tick of schedule {schedule.name} at {fired.isoformat()}", []
    tick = parse_scheduled_time(scheduled, datetime.now(UTC), created, backfill)
    where = f"schedule {schedule.name} at {tick.isoformat()}"
    try:
        with build_schedule_context(
            instance=instance, scheduled_execution_time=tick, repository_def=repository
        ) as context:
            result = schedule.evaluate_tick(context)
    except Exception as error:  # the body's own error (Dagster wraps it), or Dagster refusing a requested key
        cause = error.__cause__ or error
        text = shortened(" ".join(str(cause).split()), CAUSE_CHARACTERS)
        raise ScheduleTickFailed(f"{where}: evaluating it failed: {type(cause).__name__}: {text}") from None
    if result.skip_message is not None or not result.run_requests:
        return f"{where} skipped ({result.skip_message or 'no run request'})", []
    existing = set(partitions.get_partition_keys(dynamic_partitions_store=instance))
    job = repository.get_job(schedule.job_name)
    graph = defs.resolve_asset_graph()
    listed = {key for key in job.asset_layer.executable_asset_keys if graph.get(key).partitions_def == partitions}
    keys: list[str] = []
    for request in result.run_requests:
        if request.asset_selection is not None and not listed <= set(request.asset_selection):
            shown = ", ".join(sorted(key.to_user_string() for key in request.asset_selection))
            raise MaterializeUsageError(
                f"{where} requested asset_selection [{shown}], which leaves out some of the job's assets of this "
                "dynamic definition: each of their steps fans out over one list of keys, so a request for part "
                "of them is not mapped; request the whole job"
            )
        if not request.partition_key:
            raise MaterializeUsageError(
                f"{where} requested a run without partition_key, and asset {asset_key.to_user_string()!r} has "
                "dynamic partitions (Dagster's run would fail in every step): return RunRequest(partition_key=...)"
            )
        key = str(request.partition_key)
        if key not in existing:
            raise ScheduleTickFailed(
                f"{where} requested partition {shortened(key, quoted=True)} of asset "
                f"{asset_key.to_user_string()!r}, which the shared instance does not hold (Dagster fails the tick "
                "with DagsterUnknownPartitionError): add it first (instance.add_dynamic_partitions)"
            )
        if key not in keys:
            keys.append(key)
    return where, keys
