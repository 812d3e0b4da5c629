"""`python -m compiler backfill`: the command line of compiler/builder/backfill.py.

Kept apart so that importing the CLI imports neither Dagster nor the templates (`build` forks its structure-check
child before Dagster loads); the backfill machinery is imported when the command runs.
"""

import argparse
import sys
from pathlib import Path

from compiler.errors import UnsupportedInputError
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command
from compiler.workspace import add_location_arguments, chosen_code_location

DESCRIPTION = (
    "Write one Argo Workflow that runs a schedule's DAG from the deployed WorkflowTemplate for every partition from "
    "--start to --end, at most --parallelism at a time, in date order; a failed partition does not stop the others. "
    "Partitions of another cadence the range reads (Dagster's partition mapping) are built first, each once. "
    "Works on any Argo version (argo cron backfill needs Argo >= 3.7). Submit it with `argo submit FILE`."
)


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = add_command(
        subparsers,
        "backfill",
        help="write one Argo Workflow that materializes a range of partitions",
        description=DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        handler=run_backfill,
    )
    parser.add_argument("--schedule", required=True, help="the Dagster schedule whose job to backfill")
    parser.add_argument("--start", required=True, help="first partition key, e.g. 2026-10-24")
    parser.add_argument("--end", required=True, help="last partition key (inclusive)")
    parser.add_argument(
        "--keys",
        default="",
        help="time × static multi-partitions: comma-separated static keys to backfill (default: all of them); "
        "--start/--end are then keys of the time dimension",
    )
    parser.add_argument("--parallelism", type=int, default=1, help="partitions running at once (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="write the Workflow here instead of stdout")
    add_location_arguments(parser)


def run_backfill(arguments: argparse.Namespace) -> int:
    from compiler.builder.backfill import partition_range, render_backfill, upstream_warning
    from compiler.builder.load import load_definitions, project_from_definitions
    from compiler.builder.plan import make_plan
    from compiler.settings import load_settings

    if arguments.parallelism < 1:
        raise UnsupportedInputError(f"--parallelism must be at least 1, got {arguments.parallelism}")
    settings = load_settings(arguments.settings)
    location = chosen_code_location(arguments)
    defs = load_definitions(location)
    plan = make_plan(project_from_definitions(location, defs), settings)
    keys = tuple(key.strip() for key in arguments.keys.split(",") if key.strip())
    partitions = partition_range(defs, arguments.schedule, arguments.start, arguments.end, keys)
    span = (arguments.start, arguments.end)
    text = render_backfill(plan, arguments.schedule, partitions, arguments.parallelism, keys, span)
    for line in upstream_warning(plan, arguments.schedule, keys):
        print(line, file=sys.stderr)
    if arguments.out is None:
        sys.stdout.write(text)
        return 0
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    partial = arguments.out.with_name(f".{arguments.out.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(arguments.out)
    print(
        f"wrote {arguments.out}: {len(partitions)} partition(s) {partitions[0]}..{partitions[-1]}, at most "
        f"{arguments.parallelism} at a time; submit it with `argo submit {arguments.out}`",
        file=sys.stderr,
    )
    return 0
