"""What one schedule tick asks for, in the terms the compiled DAG can honour: nothing (Dagster's `SkipReason`, or
no request), the whole job, or a subset of its assets (`RunRequest(asset_selection=[...])`).

`build` evaluates each schedule with code of its own (`@schedule` functions, `should_execute=`) for sample ticks
(compiler/builder/fidelity/schedule_ticks.py) and the `schedule-gate` step of each run evaluates the tick that fired
(compiler/materialize/gate.py); both reduce the result here, so they can never disagree.
"""

from __future__ import annotations  # Dagster's types as annotations only: `build` must not import Dagster early

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster import AssetKey, RunRequest, ScheduleDefinition


_PARTITIONED_SCHEDULE_FN = (
    "_get_schedule_evaluation_fn."  # dagster/_core/definitions/partitions/partitioned_schedule.py
)


class SeveralRunRequests(Exception):
    """A tick asked for several runs that are not partition fan-out (one Argo workflow is one run), or for what the
    DAG cannot run (stale assets only, a check subset, another job)."""


@dataclass(frozen=True)
class TickSelection:
    skip_message: str | None  # set when the tick requests no run: every task is skipped
    keys: frozenset[AssetKey] | None = None  # None: every asset of the job; else only these (asset_selection)

    def selects(self, keys: Sequence[AssetKey], schedule_name: str = "", group: str = "") -> bool:
        """Whether a task materializing `keys` (one op, or the `group` that runs them: "fused chain", "fan-out")
        runs for this tick; a request for only some of them is refused: the task runs the keys together, where
        Dagster would run the subset."""
        if self.skip_message is not None:
            return False
        if self.keys is None:
            return True
        chosen = [key for key in keys if key in self.keys]
        if chosen and len(chosen) < len(keys):
            listed = ", ".join(key.to_user_string() for key in keys)
            named = ", ".join(k.to_user_string() for k in chosen)
            if group:
                hint = ', or tag one of them argo/fuse = "false"' if group == "fused chain" else ""
                raise SeveralRunRequests(
                    f"schedule {schedule_name}: asset_selection names only {named} of the {group} {listed}, which "
                    f"runs as one task; select all of them or none{hint}"
                )
            raise SeveralRunRequests(
                f"schedule {schedule_name}: asset_selection names only {named} "
                f"of the multi-asset whose keys {listed} run as one task; select all of them or none"
            )
        return bool(chosen)


def has_own_code(schedule: ScheduleDefinition) -> bool:
    """A decorated `@schedule` function or `should_execute=` can skip a tick or pick assets; a plain cron schedule
    (or build_schedule_from_partitioned_job) always requests its whole job."""
    from dagster._core.definitions.schedule_definition import DecoratedScheduleFunction

    function = getattr(schedule, "_execution_fn", None)
    if isinstance(function, DecoratedScheduleFunction):
        # build_schedule_from_partitioned_job's own function requests the tick's partition: the pods pick it
        return not getattr(function.decorated_fn, "__qualname__", "").startswith(_PARTITIONED_SCHEDULE_FN)
    should_execute = getattr(schedule, "_should_execute", None)
    # Dagster's default is a lambda defined in ScheduleDefinition.__init__
    return should_execute is not None and not getattr(should_execute, "__qualname__", "").startswith(
        "ScheduleDefinition.__init__"
    )


def tick_selection(
    schedule_name: str, requests: Sequence[RunRequest], skip_message: str | None, job_name: str | None = None
) -> TickSelection:
    """One request: its asset_selection (or the whole job). None: skipped. Several: partition fan-out (distinct
    partition keys) selects the union; anything else raises SeveralRunRequests."""
    if not requests:
        return TickSelection(skip_message or "the schedule returned no run request")
    for request in requests:
        unsupported = [
            what
            for what, used in (
                ("stale_assets_only", request.stale_assets_only),  # Argo cannot see staleness
                ("asset_check_keys", request.asset_check_keys is not None),  # checks run with their asset's step
                ("job_name", request.job_name is not None and request.job_name != job_name),
            )
            if used
        ]
        if unsupported:
            raise SeveralRunRequests(
                f"schedule {schedule_name}: a RunRequest sets {', '.join(unsupported)}, which the compiled DAG cannot "
                "honour; request assets of the schedule's own job with asset_selection"
            )
    if len(requests) > 1:
        partitions = [request.partition_key for request in requests]
        if None in partitions or len(set(partitions)) != len(partitions):
            raise SeveralRunRequests(
                f"schedule {schedule_name}: one tick returned {len(requests)} RunRequests that are not distinct "
                "partitions of one partitioned job; an Argo workflow is one run, so return one RunRequest per tick "
                "(or one per partition key)"
            )
    selections = [request.asset_selection for request in requests]
    if any(selection is None for selection in selections):
        return TickSelection(None)
    return TickSelection(None, frozenset(key for selection in selections for key in selection or ()))
