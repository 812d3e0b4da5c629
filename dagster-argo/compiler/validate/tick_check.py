"""`build`'s tick check: every CronWorkflow must fire exactly when its Dagster schedule ticks (exit 2 otherwise)."""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from dagster._check import CheckError

from compiler.builder.model import ScheduleSpec
from compiler.errors import UnsupportedInputError
from compiler.validate.ticks import TickDifference, affected_dates, explain, tick_differences


def check_cron_ticks(crons: Sequence[Any], schedules: Sequence[ScheduleSpec], documents: Mapping[str, Any]) -> None:
    """Argo's side is read from the rendered CronWorkflow (`schedules`, `timezone`), exactly what the controller
    sees; Dagster's from the schedule's own cron and zone. Every Dagster tick must be an Argo tick (the added DST
    entries, compiler/validate/tick_cover.py); an Argo tick Dagster would not fire is allowed only when the DAG has
    the schedule-gate that skips it. Anything else is refused with the dates and the fix."""
    by_name = {schedule.name: schedule for schedule in schedules}
    messages = []
    for cron in crons:
        spec = (documents[cron.file_name].get("spec") or {}) if cron.file_name in documents else {}
        schedule = by_name[cron.schedule]
        argo_crons = [str(entry) for entry in spec.get("schedules") or schedule.crons]
        argo_zone = str(spec.get("timezone") or "UTC")
        differences = tick_differences(argo_crons, argo_zone, schedule.crons, schedule.timezone)
        if schedule.gated:  # the schedule-gate skips every Argo tick that is not a Dagster tick
            differences = [d for d in differences if not d.argo]
        if differences:
            messages.append(explain(schedule.name, schedule.crons, schedule.timezone, differences))
    if messages:
        raise UnsupportedInputError("\n".join(messages))


SCHEDULE_ANNOTATION = "dagster.io/schedule"  # set by `build` on every CronWorkflow it emits
CRONS_ANNOTATION = "dagster.io/cron-schedule"  # the Dagster schedule's crons (JSON list) when `schedules` has more
TICK_FILTER_ANNOTATION, TICK_FILTER = "dagster.io/tick-filter", "schedule-gate"


def _first_dates(differences: Sequence[TickDifference], timezone: str) -> list[str]:
    return affected_dates(differences, timezone)[:3]


def _annotated_crons(raw: object) -> list[str]:
    """The JSON list of `dagster.io/cron-schedule`; anything unreadable is ignored (the `schedules` are compared)."""
    try:
        value = json.loads(str(raw)) if raw else []
    except ValueError:
        return []
    return [str(entry) for entry in value] if isinstance(value, list) else []


def cron_workflow_tick_problems(document: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one CronWorkflow, as `validate` reports them.

    A CronWorkflow annotated with a Dagster schedule claims Dagster's ticks (its crons are in the annotation
    `dagster.io/cron-schedule` when `schedules` has DST entries added), so a difference is an error; with the
    annotation `dagster.io/tick-filter: schedule-gate` (its DAG's gate skips the ticks Dagster would not fire) only a
    Dagster tick Argo never fires is. Any other
    CronWorkflow has no Dagster schedule to compare with; it is held to the same reference (Dagster's reading of the
    same cron and zone: each matching wall time once, a skipped one moved past the gap) and a difference is a
    warning, since a hand-written schedule may mean robfig's behaviour.
    """
    if document.get("kind") != "CronWorkflow":
        return [], []
    spec = document.get("spec") or {}
    crons = [str(entry) for entry in spec.get("schedules") or []]
    timezone = str(spec.get("timezone") or "UTC")
    annotations = (document.get("metadata") or {}).get("annotations") or {}
    dagster_crons = _annotated_crons(annotations.get(CRONS_ANNOTATION)) or crons
    try:
        differences = tick_differences(crons, timezone, dagster_crons) if crons else []
    except (ValueError, KeyError, CheckError):
        return [], []  # a cron or zone robfig or Dagster cannot read: lint reports those
    if annotations.get(TICK_FILTER_ANNOTATION) == TICK_FILTER:
        differences = [d for d in differences if not d.argo]
    if not differences:
        return [], []
    name = str(annotations.get(SCHEDULE_ANNOTATION) or (document.get("metadata") or {}).get("name"))
    message = explain(name, dagster_crons, timezone, differences)
    if CRONS_ANNOTATION in annotations and all(d.argo for d in differences):
        dates = ", ".join(_first_dates(differences, timezone))
        message = (
            f"schedule {name}: its `schedules` fire where Dagster does not ({dates}...) and the CronWorkflow "
            f"lacks `{TICK_FILTER_ANNOTATION}: {TICK_FILTER}` (its DAG's gate skips those ticks); regenerate it "
            "with `build`"
        )
    return ([message], []) if SCHEDULE_ANNOTATION in annotations else ([], [message])
