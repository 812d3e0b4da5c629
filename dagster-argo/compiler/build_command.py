"""`python -m compiler build`: compile the code location to argo_out/, or check that argo_out/ is current."""

import argparse
import sys
from pathlib import Path

from compiler.builder.write import diff_manifests, write_manifests
from compiler.collector import collector_paused
from compiler.errors import UnsupportedInputError
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command
from compiler.settings import load_settings
from compiler.validate.structure_worker import structure_check_in_child
from compiler.workspace import add_location_arguments, chosen_code_location


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = add_command(
        subparsers,
        "build",
        help="compile the Dagster Definitions to Argo manifests and the deploy bundle",
        description="Compile a Dagster code location to a WorkflowTemplate, one CronWorkflow per schedule, and the "
        "deploy bundle (ServiceAccount, executor Role and RoleBinding, ConfigMap, kustomization.yaml) for "
        "`kubectl apply -k`.",
        epilog=EXIT_CODES_HELP,
        handler=run_build,
    )
    parser.add_argument("--out", type=Path, default=Path("argo_out"), help="output directory (default: argo_out)")
    parser.add_argument("--check", action="store_true", help="do not write; print a diff and exit 1 when stale")
    add_location_arguments(parser)


def run_build(arguments: argparse.Namespace) -> int:
    if arguments.out.exists() and not arguments.out.is_dir():
        raise UnsupportedInputError(f"--out {arguments.out} is a file, not a directory: pass a directory")
    settings = load_settings(arguments.settings)
    # The child starts before anything imports Dagster, so hera's models load there while Dagster and the project
    # load here; the compiler's own modules (and Dagster's workspace readers) come after the fork for the same reason.
    # The collector is paused from before the fork (the child inherits it) to the end of the compile.
    with collector_paused(), structure_check_in_child() as structure:
        from compiler.builder.load import load_project
        from compiler.builder.pipeline import compile_project

        location = chosen_code_location(arguments)
        result = compile_project(load_project(location), settings, structure)
    for renaming in result.renamings:
        print(f"note: {renaming.source} → {renaming.name} ({renaming.reason})", file=sys.stderr)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if arguments.check:
        diff = diff_manifests(result.all_files, arguments.out)
        if diff:
            sys.stdout.write(diff)
            print(f"{arguments.out} is stale: run `python -m compiler build` and commit the result", file=sys.stderr)
            return 1
        print(f"{arguments.out} is up to date ({len(result.all_files)} files)", file=sys.stderr)
        return 0
    removed = write_manifests(result.all_files, arguments.out)
    for name in removed:
        print(f"removed stale {arguments.out / name}", file=sys.stderr)
    print(f"wrote {len(result.all_files)} files to {arguments.out}", file=sys.stderr)
    return 0
