"""CLI of `run-local`: load the manifest, resolve everything, then run the DAG and summarise."""

import argparse
import os
import shutil
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import HelpFormatter, add_command
from compiler.run_local.environment import PROCESS_ESSENTIALS
from compiler.run_local.errors import RunLocalError
from compiler.run_local.executor import DagRunner, RunReport
from compiler.run_local.exit_handler import ExitRun, run_exit_handler, workflow_succeeded
from compiler.run_local.groups import ScopeGate
from compiler.run_local.manifest import WorkflowModel, load_workflow
from compiler.run_local.plan import plan_workflow
from compiler.run_local.synchronization import held_mutexes
from compiler.user_text import shortened

DESCRIPTION = (
    "Replay a generated WorkflowTemplate (or Workflow) on this machine, without a cluster: each DAG task runs as a "
    "local process with the command, arguments and environment the YAML gives its pod, in dependency order, "
    "retried by the YAML's retryStrategy."
)
ENVIRONMENT_HELP = (
    "Each task gets only the container env the YAML declares: literal values as written, and each "
    "secretKeyRef/configMapKeyRef entry from the local variable of the same name. Of the rest of the local "
    f"environment only {', '.join(PROCESS_ESSENTIALS)} pass through. "
    "{{workflow.creationTimestamp}} is this run's start time (UTC), the same for every task."
)
EPILOG = (
    "example:\n  python -m compiler run-local argo_out/air-quality.workflowtemplate.yaml "
    "--scheduled-time 2026-11-28T00:00:00Z\n\n" + ENVIRONMENT_HELP + "\n\n" + EXIT_CODES_HELP
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Shared by `python -m compiler run-local` and `python -m compiler.run_local`."""
    parser.add_argument(
        "file",
        type=Path,
        help="a generated WorkflowTemplate or Workflow YAML file; with --from/--to a CronWorkflow, or a directory "
        "and --schedule",
    )
    parser.add_argument(
        "--scheduled-time",
        default=None,
        help="value for {{workflow.scheduledTime}} (RFC 3339); when absent the literal stays, as in Argo",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a workflow parameter (repeatable)",
    )
    parser.add_argument("--max-parallel", type=int, default=2, help="tasks running at once (default 2)")
    parser.add_argument("--entrypoint", default=None, help="DAG template to run instead of spec.entrypoint")
    parser.add_argument(
        "--backoff-scale",
        type=float,
        default=1.0,
        metavar="S",
        help="multiply every retry backoff wait (and maxDuration) of the YAML by S; default 1: wait as Argo's "
        "controller waits (duration * factor^(n-1), at most cap); e.g. 0.01 for tests, 0 for no wait",
    )
    parser.add_argument(
        "--from",
        dest="ticks_from",
        metavar="T1",
        help="list, without running anything, the CronWorkflow's ticks from T1 (ISO date/time; no offset: its "
        "timezone) and the partition each would build",
    )
    parser.add_argument("--to", dest="ticks_to", metavar="T2", help="end of the --from interval (inclusive)")
    parser.add_argument(
        "--schedule", help="with --from/--to and a directory: the CronWorkflow or Dagster schedule name to list"
    )
    parser.add_argument(
        "--templates",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="WorkflowTemplate file or directory of *.yaml that templateRefs resolve against (repeatable; default: "
        "the *.workflowtemplate.yaml files beside the manifest)",
    )


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when every task succeeded, 1 when one failed, 2 for a bad manifest or usage."""
    parser = argparse.ArgumentParser(
        prog="python -m compiler run-local",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Hook for `python -m compiler run-local` (compiler/cli.py lists it in SUBCOMMANDS)."""
    parser = add_command(
        subparsers,
        "run-local",
        help="replay a generated WorkflowTemplate's DAG as local processes",
        description=DESCRIPTION,
        epilog=EPILOG,
        handler=run,
    )
    add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """The command body, shared by both entry points."""
    try:
        if args.ticks_from or args.ticks_to or args.schedule:
            if not (args.ticks_from and args.ticks_to):
                raise RunLocalError("list ticks with both --from T1 and --to T2")
            # only here: a replay does not pay for the cron machinery (robfig) it never uses
            from compiler.run_local.ticks import find_cron_workflow, list_ticks

            cron = find_cron_workflow(args.file, args.schedule)
            return list_ticks(cron, args.ticks_from, args.ticks_to, _template_files(args.templates, cron))
        if args.max_parallel < 1:
            raise RunLocalError(f"--max-parallel must be at least 1, got {args.max_parallel}")
        if not 0 <= args.backoff_scale <= 1:
            raise RunLocalError(
                f"--backoff-scale must be between 0 and 1 (it only shortens waits), got {args.backoff_scale}"
            )
        overrides = _parse_overrides(args.parameter)
        workflow = load_workflow(args.file, args.entrypoint, _template_files(args.templates, args.file))
    except (RunLocalError, UnicodeDecodeError) as error:
        if isinstance(error, UnicodeDecodeError):
            error = RunLocalError(f"{args.file}: not UTF-8 text; pass a generated WorkflowTemplate or Workflow YAML")
        return _usage_error(args, error)
    return execute(
        workflow,
        overrides,
        args.scheduled_time,
        args.max_parallel,
        debug=getattr(args, "debug", False),
        backoff_scale=args.backoff_scale,
    )


def _usage_error(args: argparse.Namespace | None, error: Exception) -> int:
    if args is not None and getattr(args, "debug", False):
        traceback.print_exc()
    print(f"run-local: error: {' '.join(str(error).split())}", file=sys.stderr, flush=True)
    return 2


def execute(
    workflow: WorkflowModel,
    overrides: dict[str, str],
    scheduled_time: str | None,
    max_parallel: int,
    *,
    exact_name: bool = False,
    debug: bool = False,
    backoff_scale: float = 1.0,
) -> int:
    """Plan and run one loaded workflow (run-local, and run-events for each Workflow a Sensor creates)."""
    try:
        created_time = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        outputs_dir = Path(tempfile.mkdtemp(prefix="run-local-outputs-"))  # output parameters (run_local/when.py)
        tasks = plan_workflow(
            workflow, overrides, scheduled_time, dict(os.environ), created_time, outputs_dir, exact_name=exact_name
        )
    except RunLocalError as error:
        if debug:
            traceback.print_exc()
        print(f"run-local: error: {' '.join(str(error).split())}", file=sys.stderr, flush=True)
        return 2
    print(f"run-local: {workflow.name}: {len(tasks)} task(s), max parallel {max_parallel}", flush=True)
    gate = ScopeGate(tasks, workflow.scopes)  # parallelism and failFast of every DAG node
    with held_mutexes(workflow.mutexes, workflow.namespace, lambda line: print(f"run-local: {line}", flush=True)):
        try:
            runner = DagRunner(
                tasks, max_parallel, workflow.fail_fast, sys.stdout, gate, workflow.namespace, backoff_scale
            )
            report = runner.run()
            print(_summary(report), flush=True)
            # spec.onExit: after the DAG, whatever its outcome, in the same Workflow (run_local/exit_handler.py)
            workflow_name = tasks[0].pod_name_parts[0]
            exit_run = ExitRun(
                workflow_name, overrides, scheduled_time, created_time, outputs_dir, max_parallel, backoff_scale
            )
            exit_report = run_exit_handler(workflow, report, exit_run)
        except RunLocalError as error:  # the exit handler's planning: as any other plan error
            if debug:
                traceback.print_exc()
            print(f"run-local: error: {' '.join(str(error).split())}", file=sys.stderr, flush=True)
            return 2
        finally:
            shutil.rmtree(outputs_dir, ignore_errors=True)
    if exit_report is not None:
        print(_summary(exit_report).replace("run-local: ", "run-local: exit handler: ", 1), flush=True)
    return 0 if workflow_succeeded(report, exit_report) else 1


def _template_files(paths: list[Path], manifest: Path) -> list[Path]:
    """The files templateRefs resolve against: those given with --templates, else the WorkflowTemplates beside the
    manifest (a split output's chunks and steps, compiler/builder/split.py)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return files or sorted(manifest.parent.glob("*.workflowtemplate.yaml"))


def _parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise RunLocalError(f"-p {shortened(pair, quoted=True)}: write it as NAME=VALUE")
        overrides[name] = value
    return overrides


def _summary(report: RunReport) -> str:
    failed = [o.name for o in report.outcomes if not o.succeeded]
    ok = sum(1 for o in report.outcomes if o.succeeded)
    parts = [f"{ok} succeeded"]
    if failed:
        parts.append(f"{len(failed)} failed ({', '.join(failed)})")
    if report.skipped_by_when:
        parts.append(f"{len(report.skipped_by_when)} skipped by when ({', '.join(report.skipped_by_when)})")
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped ({', '.join(report.skipped)})")
    return "run-local: " + ", ".join(parts)
