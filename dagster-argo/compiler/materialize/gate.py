"""`python -m compiler schedule-gate`: the first task of a DAG whose schedule has code of its own.

Dagster evaluates a `@schedule` function (or `should_execute=`) once per tick and starts a run only for what it
requests: nothing after a `SkipReason`, only the listed assets after `RunRequest(asset_selection=[...])`. A fused
task (`--fused`, compiler/builder/fusion.py) or a fan-out's `withItems` task (`--fan-out`, its per-key DAG's assets)
runs when the tick selects all its assets; a tick selecting part of them fails the gate with exit 2, as a partial
selection of a multi-asset does (nothing runs); so does a chunk task of a split DAG (`--whole-job`, standing for the
whole job) at a tick selecting only part of the job. A cron tick Dagster would not fire (the DST entries of
compiler/validate/tick_cover.py on other days, robfig's second tick in a fall-back overlap) skips every task. Argo's
CronWorkflow always starts the whole DAG, so this step evaluates the Dagster schedule for the tick, exactly as the
pods pick partitions (compiler/materialize/partition.py), and writes one output parameter per task, `true` or
`false`; each task's `when` reads its own, so an unselected task ends Skipped on the controller and nothing is
materialized. A manual submit (no `schedule` parameter) or an explicit partition runs every task. A schedule of
dynamically partitioned assets reads the shared instance in its body: the gate only skips non-ticks, and the job's
planning task evaluates the body (compiler/materialize/dynamic_schedule.py).
"""

import argparse
import contextlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from compiler import exit_codes
from compiler.code_location import add_target_arguments
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command
from compiler.materialize.dagster_tick import is_dagster_tick, tick_schedule
from compiler.materialize.loading import MaterializeUsageError, load_definitions, parse_asset_keys, pod_location
from compiler.materialize.partition import cron_tick, parse_scheduled_time
from compiler.materialize.termination import sigterm_as_interrupt
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import Definitions

    from compiler.builder.fidelity.tick_selection import TickSelection

# The schedule function's own error text: whatever it raised, one readable line (compiler/user_text.py).
CAUSE_CHARACTERS = 400

DESCRIPTION = (
    "Evaluate the Dagster schedule for the tick that started this workflow and write, for each task of the DAG, "
    "whether the tick selects its asset ('true'/'false') to the task's output file. Run by the compiled "
    "schedule-gate task; the other tasks' `when` read its outputs."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser, required_hint="; this or --python-file is required")
    parser.add_argument("--schedule", default="", help="the Dagster schedule whose tick this is; empty: run all")
    parser.add_argument("--scheduled-time", default=None, help="the tick's time (as materialize)")
    parser.add_argument("--created-time", default=None, help="the workflow's creation time (as materialize)")
    parser.add_argument("--backfill-time", default=None, help="the `argo cron backfill` date (as materialize)")
    parser.add_argument("--partition", default="", help="an explicit partition: every task runs")
    parser.add_argument(
        "--task",
        nargs=3,
        action="append",
        default=[],
        metavar=("NAME", "ASSETS", "OUTPUT"),
        help="a task, its asset keys (a/b,c/d) and the file its output parameter is read from (repeatable)",
    )
    for flag, what in (
        ("--fused", "a fused chain of assets"),
        ("--fan-out", "a fan-out's per-key DAG"),
        ("--whole-job", "a chunk of a split DAG, standing for the schedule's whole job"),
    ):
        parser.add_argument(
            flag,
            action="append",
            default=[],
            metavar="NAME",
            help=f"a --task that runs {what}: a tick selecting only part of its assets fails (repeatable)",
        )


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Hook for `python -m compiler schedule-gate` (compiler/cli.py lists it in SUBCOMMANDS)."""
    parser = add_command(
        subparsers,
        "schedule-gate",
        help="evaluate the Dagster schedule for this tick; skip the tasks it does not select",
        description=DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        handler=run,
    )
    add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    # a pod stopped mid-evaluation exits 143, which Argo retries as an infrastructure fault
    with contextlib.redirect_stderr(sys.stdout), sigterm_as_interrupt():
        try:
            decisions, reason = _decide(args)
        except KeyboardInterrupt:
            print("schedule-gate: FAILED: stopped by a signal (SIGTERM/SIGINT)", flush=True)
            return exit_codes.INTERRUPTED
        except MaterializeUsageError as error:
            print(f"schedule-gate: bad usage: {' '.join(str(error).split())}", flush=True)
            return exit_codes.USAGE
        except Exception as error:  # the schedule function raised: Dagster fails the tick; another try may pass
            cause = error.__cause__ or error
            text = shortened(" ".join(str(cause).split()), CAUSE_CHARACTERS)
            print(f"schedule-gate: FAILED: {type(cause).__name__}: {text}", flush=True)
            return exit_codes.FAILED
    for (name, assets, output), selected in zip(args.task, decisions, strict=True):
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text("true" if selected else "false", encoding="utf-8")
        if not selected:
            print(f"schedule-gate: skipped task={shortened(name)} asset={shortened(assets)}: {reason}", flush=True)
    ran = sum(decisions)
    print(f"schedule-gate: {ran} of {len(decisions)} task(s) run for this tick ({reason})", flush=True)
    return exit_codes.SUCCEEDED


def _decide(args: argparse.Namespace) -> tuple[list[bool], str]:
    """One decision per --task, and why."""
    everything = [True] * len(args.task)
    schedule_name = (args.schedule or "").strip()
    if not schedule_name:
        return everything, "no schedule: a manual submit runs every task"
    if (args.partition or "").strip():
        return everything, f"partition {shortened(args.partition.strip())} was given: every task runs"
    from dagster import build_schedule_context

    from compiler.builder.fidelity.tick_selection import SeveralRunRequests, has_own_code, tick_selection

    defs = load_definitions(pod_location(args))
    repository = defs.get_repository_def()
    schedule = tick_schedule(defs, schedule_name)  # an on_cron CronWorkflow's: its cron and zone
    if schedule is None:
        known = ", ".join(sorted(s.name for s in repository.schedule_defs)) or "(none)"
        raise MaterializeUsageError(
            f"no schedule named {shortened(schedule_name, quoted=True)}; known schedules: {known}"
        )
    fired = cron_tick(args.scheduled_time, args.backfill_time)
    if fired is not None and not is_dagster_tick(schedule, fired):
        return [False] * len(args.task), (
            f"Argo's cron fired at {fired.isoformat()}, which is no tick of schedule {schedule_name} "
            "(a daylight-saving entry on another day, or robfig's second tick in a fall-back overlap)"
        )
    if not has_own_code(schedule):
        return everything, f"schedule {schedule_name} requests its whole job every tick"
    if _selects_dynamic(defs, schedule.job_name):  # its body reads the instance: materialize/dynamic_schedule.py
        return everything, f"schedule {schedule_name}: the planning task evaluates it against the shared instance"
    tick = parse_scheduled_time(args.scheduled_time, datetime.now(UTC), args.created_time, args.backfill_time)
    with build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
        result = schedule.evaluate_tick(context)
    try:
        selection = tick_selection(schedule_name, result.run_requests or [], result.skip_message, schedule.job_name)
        whole = _selects_whole_job(selection, defs, schedule_name, schedule.job_name) if args.whole_job else False
        decisions = [
            whole
            if name in args.whole_job
            else selection.selects(parse_asset_keys([assets]), schedule_name, _group(args, name))
            for name, assets, _ in args.task
        ]
    except SeveralRunRequests as error:
        raise MaterializeUsageError(str(error)) from None
    if selection.skip_message is not None:
        return decisions, f"schedule {schedule_name} skipped the tick at {tick.isoformat()}: {selection.skip_message}"
    if selection.keys is None:
        return decisions, f"schedule {schedule_name} requested the whole job at {tick.isoformat()}"
    chosen = ", ".join(sorted(key.to_user_string() for key in selection.keys))
    return decisions, f"schedule {schedule_name} requested asset_selection [{chosen}] at {tick.isoformat()}"


def _selects_whole_job(selection: "TickSelection", defs: "Definitions", schedule_name: str, job_name: str) -> bool:
    """Whether the tick selects the whole job (its chunks run) or none of it; part of it raises SeveralRunRequests:
    the job's DAG is split into chunks whose steps this gate does not reach one by one."""
    from compiler.builder.fidelity.tick_selection import SeveralRunRequests

    if selection.skip_message is not None:
        return False
    if selection.keys is None:
        return True
    job_keys = set(defs.get_repository_def().get_job(job_name).asset_layer.executable_asset_keys)
    chosen = job_keys & selection.keys
    if chosen and chosen != job_keys:
        raise SeveralRunRequests(
            f"schedule {schedule_name}: asset_selection names {len(chosen)} of the {len(job_keys)} assets of job "
            f"{job_name}, whose DAG is split into chunks (too large for one manifest) that this gate runs whole or "
            "not at all; request the whole job or none of it, or split the job into smaller jobs"
        )
    return bool(chosen)


def _selects_dynamic(defs: "Definitions", job_name: str) -> bool:
    """Whether the job runs dynamically partitioned assets, whose planning task evaluates the schedule's body."""
    from compiler.materialize.dynamic_keys import is_dynamic

    job = defs.get_repository_def().get_job(job_name)
    graph = defs.resolve_asset_graph()
    return any(is_dynamic(graph.get(key).partitions_def) for key in job.asset_layer.executable_asset_keys)


def _group(args: argparse.Namespace, task: str) -> str:
    """What runs the task's assets together, as the refusal of a partial selection names it ("": one op)."""
    if task in args.fused:
        return "fused chain"
    return "fan-out" if task in args.fan_out else ""
