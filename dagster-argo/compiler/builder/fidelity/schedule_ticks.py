"""`build` evaluates each schedule as Dagster's scheduler would, to refuse what the pods cannot honour.

Every schedule is evaluated at one fixed instant. A schedule with code of its own (`@schedule` function,
`should_execute=`) is evaluated for sample ticks: its first ticks from that instant, at least 8 and at least 8 days'
worth (a weekday rule shows), at most 200. A tick returning several RunRequests that are not distinct partitions is
refused (exit 2, naming the schedule and the tick); a rarer tick doing so fails its `schedule-gate` pod with exit 2.
Such schedules get a `schedule-gate` task (compiler/materialize/gate.py). The evaluated ticks' run config is
validated against the job, as the pods will build it (compiler/builder/run_config.py): invalid at every evaluated
tick is refused, at some warned.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

import dagster as dg
from dagster._core.definitions.repository_definition import RepositoryDefinition
from dagster._core.definitions.schedule_definition import DecoratedScheduleFunction
from dagster._core.storage.tags import (
    MULTIDIMENSIONAL_PARTITION_PREFIX,
    PARTITION_NAME_TAG,
    PARTITION_SET_TAG,
    SCHEDULE_NAME_TAG,
)
from dagster._utils.schedules import schedule_execution_time_iterator

from compiler.builder.fidelity.tick_selection import SeveralRunRequests, has_own_code, tick_selection
from compiler.builder.run_config import schedule_config_verdict, tick_config_problem
from compiler.errors import UnsupportedInputError

SAMPLE_MIN_TICKS = 8
SAMPLE_MIN_SPAN = timedelta(days=8)
SAMPLE_MAX_TICKS = 200


@dataclass(frozen=True)
class ScheduleVerdict:
    gated: bool  # the schedule needs a `schedule-gate` task
    warnings: tuple[str, ...] = ()
    selections: tuple[tuple[str, frozenset[tuple[str, ...]]], ...] = ()  # distinct asset_selections, first tick each


def check_schedule_ticks(
    schedule: dg.ScheduleDefinition,
    at: datetime,
    repository: Callable[[], RepositoryDefinition],
    op_key_groups: Sequence[Sequence[dg.AssetKey]] = (),
    check_config: bool = False,
) -> ScheduleVerdict:
    """Refuses several requests per tick, and with `check_config` (the project reads run config) a tick whose run
    config is invalid for the job (compiler/builder/run_config.py); warns about run tags the pods never receive."""
    gated = has_own_code(schedule)
    tagged = False
    selections: dict[frozenset[tuple[str, ...]], str] = {}
    custom = isinstance(getattr(schedule, "_execution_fn", None), DecoratedScheduleFunction)
    ticks = list(sample_ticks(schedule, at)) if gated else [at]
    config_problems: list[tuple[datetime, str]] = []
    ticks_with_runs = 0
    for tick in ticks:
        try:
            with dg.build_schedule_context(
                scheduled_execution_time=tick, repository_def=repository() if custom else None
            ) as context:
                result = schedule.evaluate_tick(context)
        except Exception as error:
            cause = error.__cause__ or error  # Dagster wraps the schedule function's own error
            raise UnsupportedInputError(
                f"schedule {schedule.name}: evaluating its tick at {tick.isoformat()} failed ({type(cause).__name__}: "
                f"{cause}); the pods evaluate it for every tick, so it must run without a Dagster instance or sensors"
            ) from None
        requests = result.run_requests or []
        tagged = tagged or (any(_user_tags(request) for request in requests) and gated)
        if requests and (check_config or any(request.run_config for request in requests)):
            job = repository().get_job(schedule.job_name)
            ticks_with_runs += 1  # the pods build the same config for this tick (materialize/run_config.py)
            problems = [tick_config_problem(job, request.run_config) for request in requests]
            config_problems.extend((tick, problem) for problem in problems[:1] if problem)
        try:
            selection = tick_selection(schedule.name, requests, result.skip_message, schedule.job_name)
            for keys in op_key_groups:
                selection.selects(keys, schedule.name)
        except SeveralRunRequests as error:
            raise UnsupportedInputError(f"{error} (tick at {tick.isoformat()})") from None
        if selection.skip_message is None and selection.keys is not None:
            selections.setdefault(frozenset(tuple(key.path) for key in selection.keys), tick.isoformat())
    warning = f"schedule {schedule.name}: RunRequest tags are not passed to the pods' runs (sample ticks set some)"
    config = schedule_config_verdict(schedule.name, schedule.job_name, config_problems, ticks_with_runs)
    warnings = (*((warning,) if tagged else ()), *((config,) if config else ()))
    return ScheduleVerdict(gated, warnings, tuple((tick, keys) for keys, tick in selections.items()))


def _user_tags(request: dg.RunRequest) -> set[str]:
    """The request's own tags: Dagster adds the partition (and each dimension's key), partition set and schedule
    name to every partitioned request, and the pods pick the same partition themselves
    (compiler/materialize/partition.py)."""
    own = {PARTITION_NAME_TAG, PARTITION_SET_TAG, SCHEDULE_NAME_TAG}
    return {tag for tag in request.tags if tag not in own and not tag.startswith(MULTIDIMENSIONAL_PARTITION_PREFIX)}


def sample_ticks(schedule: dg.ScheduleDefinition, start: datetime) -> Iterator[datetime]:
    """Dagster's own tick iterator (its cron and zone) from `start`."""
    ticks = schedule_execution_time_iterator(start.timestamp(), schedule.cron_schedule, schedule.execution_timezone)
    for count, tick in enumerate(islice(ticks, SAMPLE_MAX_TICKS)):
        if count >= SAMPLE_MIN_TICKS and tick - start > SAMPLE_MIN_SPAN:
            return
        yield tick
