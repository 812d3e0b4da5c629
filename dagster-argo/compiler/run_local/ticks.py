"""`run-local CRONWORKFLOW --from T1 --to T2`: the ticks Argo would fire and the partition each pod would build.

Nothing runs. The ticks are robfig's (compiler/validate/robfig.py, the cron library Argo's controller uses) for the
CronWorkflow's `schedules` and `timezone` as written; the partition is what the pod itself would resolve for that
`{{workflow.scheduledTime}}` (compiler/materialize/partition.py, called, not copied), with the schedule name the
CronWorkflow passes. A tick the DAG's schedule-gate skips (it is no Dagster tick: a daylight-saving entry on another
day, robfig's second tick in a fall-back overlap; compiler/validate/tick_cover.py) is listed as skipped and builds
nothing. A daylight-saving day Argo gets wrong shows up as a partition built twice or one no tick builds.
"""

import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from compiler.argo import STATIC_KEY_PARAMETER as STATIC_KEY
from compiler.parse import ManifestParseError, parse_documents
from compiler.run_local.errors import RunLocalError
from compiler.run_local.manifest import load_workflow
from compiler.validate.robfig import CronParseError, argo_schedules, argo_ticks

if TYPE_CHECKING:
    from dagster import AssetKey, Definitions

    from compiler.code_location import CodeLocation

SCHEDULE_ANNOTATION = "dagster.io/schedule"
SENSOR_ANNOTATION = "dagster.io/sensor"  # a freshness-check sensor's CronWorkflow (compiler/builder/freshness.py)
GATE_COMMAND = "schedule-gate"  # the gate step's `python -m compiler schedule-gate` (compiler/materialize/gate.py)
FRESHNESS_COMMAND = "freshness-checks"  # a freshness-check sensor's pod (compiler/materialize/freshness.py)


@dataclass(frozen=True)
class Tick:
    instant: datetime  # UTC
    partitions: Mapping[str, str | None]  # asset key → partition the pod resolves (None: unpartitioned)
    skipped: bool = False  # the DAG's schedule-gate skips every task: Dagster has no tick at this instant
    runs: str = ""  # what a tick runs that builds no partition (a freshness-check sensor's pod)


def find_cron_workflow(path: Path, schedule: str | None) -> Path:
    """`path` itself, or in a directory the CronWorkflow named `schedule` (its name or its Dagster schedule)."""
    if path.is_file():
        return path
    if not path.is_dir():
        raise RunLocalError(f"{path}: no such file or directory")
    if not schedule:
        raise RunLocalError(f"{path} is a directory: pass --schedule NAME (a CronWorkflow or Dagster schedule name)")
    found = []
    for candidate in sorted(path.glob("*.yaml")):
        document = _single_document(candidate)
        metadata = document.get("metadata") or {}
        annotations = metadata.get("annotations") or {}
        names = {metadata.get("name"), annotations.get(SCHEDULE_ANNOTATION), annotations.get(SENSOR_ANNOTATION)}
        if document.get("kind") == "CronWorkflow" and schedule in names:
            found.append(candidate)
    if len(found) != 1:
        raise RunLocalError(f"{path}: {len(found)} CronWorkflows named or scheduling {schedule!r}; pass the file")
    return found[0]


def list_ticks(
    cron_path: Path, start_text: str, end_text: str, templates: Sequence[Path], out: TextIO = sys.stdout
) -> int:
    """Print one line per tick in [start, end], then the partitions built twice or by no tick. Exit code 0.
    `templates`: the WorkflowTemplate files the DAG's templateRefs resolve against, as a replay takes them."""
    document = _single_document(cron_path)
    if document.get("kind") != "CronWorkflow":
        raise RunLocalError(f"{cron_path}: --from/--to list a CronWorkflow's ticks; this is a {document.get('kind')}")
    spec = document.get("spec") or {}
    timezone = str(spec.get("timezone") or "UTC")
    try:
        zone = ZoneInfo(timezone)
        schedules = argo_schedules([str(s) for s in spec.get("schedules") or []], spec.get("timezone"))
    except (ZoneInfoNotFoundError, ValueError, CronParseError) as error:
        raise RunLocalError(f"{cron_path}: cannot read the schedule: {error}") from None
    start, end = _parse_time(start_text, zone, "--from"), _parse_time(end_text, zone, "--to")
    if end < start:
        raise RunLocalError(f"--to {end_text!r} is before --from {start_text!r}")
    instants = argo_ticks(schedules, int(start.timestamp()) - 1, int(end.timestamp()) + 1)
    ticks = _resolve(cron_path, document, [datetime.fromtimestamp(i, UTC) for i in instants], templates)
    name = (document.get("metadata") or {}).get("name")
    print(f"run-local: {name}: {len(ticks)} tick(s) Argo fires from {start.isoformat()} to {end.isoformat()}", file=out)
    for tick in ticks:
        local = tick.instant.astimezone(zone).isoformat()
        utc = tick.instant.strftime("%Y-%m-%dT%H:%M:%SZ")
        what = "skipped by the schedule-gate: no Dagster tick" if tick.skipped else _describe(tick.partitions)
        what = tick.runs or what
        print(f"{local}  ({utc})  {what}", file=out)
    _report_anomalies([tick for tick in ticks if not tick.skipped], out)
    return 0


def _single_document(path: Path) -> dict[str, Any]:
    try:
        documents = parse_documents(path.read_text(encoding="utf-8"), str(path))
    except (OSError, ManifestParseError) as error:
        raise RunLocalError(str(error)) from None
    if len(documents) != 1 or not isinstance(documents[0], dict):
        raise RunLocalError(f"{path}: expected one manifest")
    return documents[0]


def _parse_time(text: str, zone: ZoneInfo, option: str) -> datetime:
    """ISO 8601; a date or a time without offset is read in the CronWorkflow's zone (a date: its local midnight)."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RunLocalError(
            f"{option} {text!r} is not ISO 8601 (e.g. 2026-10-24 or 2026-10-24T02:00:00+02:00)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _resolve(
    cron_path: Path, document: Mapping[str, Any], instants: list[datetime], templates: Sequence[Path]
) -> list[Tick]:
    """The pod's partition for every asset of the CronWorkflow's DAG, at each tick."""
    from dagster import AssetKey

    from compiler.materialize.loading import MaterializeUsageError, load_definitions

    workflow_spec = document.get("spec", {}).get("workflowSpec") or {}
    reference = (workflow_spec.get("workflowTemplateRef") or {}).get("name")
    template_path = cron_path.parent / f"{reference}.workflowtemplate.yaml"
    if not reference or not template_path.is_file():
        raise RunLocalError(f"{cron_path}: its WorkflowTemplate {reference!r} is not beside it ({template_path})")
    workflow = load_workflow(template_path, workflow_spec.get("entrypoint"), templates)
    sensors = [task.arguments.get("sensor") for task in workflow.tasks if FRESHNESS_COMMAND in task.template.command]
    if sensors:  # a freshness-check sensor's CronWorkflow: each tick runs the checks its sensor finds due
        runs = f"the freshness checks sensor {sensors[0]} finds due (read from the shared instance at the tick)"
        return [Tick(instant, {}, runs=runs) for instant in instants]
    # a fanned-out task (compiler/builder/fan_out.py) carries its item as static-key: one entry per (asset, key)
    pairs = sorted(
        {
            (task.arguments["asset"], task.arguments.get(STATIC_KEY))
            for task in workflow.tasks
            if "asset" in task.arguments
        },
        key=lambda pair: (pair[0], pair[1] or ""),
    )
    assets = [asset for asset, _ in pairs]
    # op jobs: `--job` without `--asset` (an asset step of a project reading run config passes both)
    jobs = {
        task.arguments["asset"]
        for task in workflow.tasks
        if "--job" in task.template.args and "--asset" not in task.template.args
    }
    location = next((_location(task.template.args) for task in workflow.tasks if _location(task.template.args)), None)
    if not assets or location is None:
        raise RunLocalError(f"{template_path}: no task names a code location and an asset; was it made by build?")
    parameters = {p.get("name"): p.get("value") for p in (workflow_spec.get("arguments") or {}).get("parameters") or []}
    schedule = parameters.get("schedule")
    gated = any(GATE_COMMAND in task.template.command for task in workflow.tasks)
    try:
        defs = load_definitions(location)
        skipped = _gate_skips(defs, str(schedule), instants) if gated and schedule else set()
        return [
            Tick(
                instant,
                {
                    (asset if static is None else f"{asset}[{static}]"): (
                        _job_partition(defs, asset, instant, str(schedule) if schedule else None)
                        if asset in jobs
                        else _partition(
                            defs, AssetKey(asset.split("/")), static, instant, str(schedule) if schedule else None
                        )
                    )
                    for asset, static in pairs
                },
            )
            if instant not in skipped
            else Tick(instant, {}, skipped=True)
            for instant in instants
        ]
    except MaterializeUsageError as error:
        raise RunLocalError(str(error)) from None


def _gate_skips(defs: "Definitions", schedule_name: str, instants: list[datetime]) -> set[datetime]:
    """The ticks the DAG's schedule-gate skips as no tick of the Dagster schedule (compiler/materialize/gate.py asks
    the same function with `{{workflow.scheduledTime}}`)."""
    from compiler.materialize.dagster_tick import is_dagster_tick, tick_schedule
    from compiler.materialize.loading import MaterializeUsageError

    schedule = tick_schedule(defs, schedule_name)  # an on_cron CronWorkflow's: its cron and zone
    if schedule is None:
        raise MaterializeUsageError(f"the CronWorkflow names schedule {schedule_name!r}, which the code location lacks")
    return {instant for instant in instants if not is_dagster_tick(schedule, instant)}


def _partition(
    defs: "Definitions", asset: "AssetKey", static: str | None, at: datetime, schedule: str | None
) -> str | None:
    """What the pod would build at the tick: its fan-out key's partition (None: nothing, skipped), or its key."""
    from compiler.materialize.dynamic_keys import is_dynamic
    from compiler.materialize.fan_out_key import resolve_fan_out_key
    from compiler.materialize.loading import MaterializeUsageError
    from compiler.materialize.partition import resolve_partition_key

    if is_dynamic(defs.resolve_asset_graph().get(asset).partitions_def):  # materialize/dynamic_schedule.py
        raise MaterializeUsageError(
            f"asset {asset.to_user_string()!r} has dynamic partitions: the keys a tick builds are what the schedule's "
            "body requests from the shared instance when it runs, not known from the cron alone; replay one tick "
            "instead (run-local WORKFLOWTEMPLATE --entrypoint job-<job> --scheduled-time T -p schedule=S)"
        )
    if static is not None:
        return resolve_fan_out_key(defs, asset, static, None, at, at, schedule).partition
    return resolve_partition_key(defs, asset, None, at, at, schedule)


def _job_partition(defs: "Definitions", job: str, at: datetime, schedule: str | None) -> str | None:
    """What an op job's pod would run at the tick (compiler/materialize/op_job.py): its partition, or None."""
    from compiler.materialize.op_job import choose_run, require_op_job

    return choose_run(defs, require_op_job(defs, job), None, schedule, at, at).partition


def _location(args: tuple[str, ...]) -> "CodeLocation | None":
    """The code location a step's `materialize` arguments name (compiler/code_location.py), or None."""
    import argparse

    from compiler.code_location import add_target_arguments, location_from_flags

    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    add_target_arguments(parser)
    known, _ = parser.parse_known_args(list(args))
    return location_from_flags(known, Path.cwd())


def _describe(partitions: Mapping[str, str | None]) -> str:
    keys = set(partitions.values()) - {None}
    if not keys:
        return "no partitioned asset"
    if len(keys) == 1:
        return f"partition {next(iter(keys))}"
    return ", ".join(f"{asset}: {key}" for asset, key in partitions.items() if key is not None)


def _day_of(key: str) -> date | None:
    """The day of a daily key, also inside a date × static key (`vienna|2026-11-27`, Dagster's `|` form)."""
    for part in key.split("|"):
        try:
            return datetime.strptime(part, "%Y-%m-%d").date()
        except ValueError:
            continue
    return None


def _report_anomalies(ticks: list[Tick], out: TextIO) -> None:
    """Partitions built by more than one tick, and daily partitions between the first and last that none builds."""
    built = Counter(key for tick in ticks for key in set(tick.partitions.values()) if key is not None)
    twice = sorted(key for key, count in built.items() if count > 1)
    if twice:
        print(f"built by more than one tick: {', '.join(twice)}", file=out)
    days = []
    for key in built:
        day = _day_of(key)
        if day is None:
            return  # not daily partitions: gaps are not meaningful
        days.append(day)
    if days:
        first, last = min(days), max(days)
        every = {(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)}
        missing = sorted(every - {day.isoformat() for day in days})
        if missing and len(missing) < len(built):  # a daily schedule: a day without its tick stands out
            print(f"built by no tick: {', '.join(missing)}", file=out)
