"""`python -m compiler` subcommands. Each command module offers `register(subparsers)` and sets `handler`."""

import argparse
import importlib
import sys
import traceback
from collections.abc import Callable, Sequence

from compiler.errors import InvalidManifestError, SettingsError, UnsupportedInputError
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import HelpFormatter

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

# To add a command: name the module whose `register` adds it. A module is imported only when its command can run:
# a step pod (`materialize`) must not pay for the build, validate and run-local machinery on every cold start.
SUBCOMMANDS: dict[str, str] = {
    "init": "compiler.init_command",
    "build": "compiler.build_command",
    "validate": "compiler.validate_command",
    "materialize": "compiler.materialize",
    "schedule-gate": "compiler.materialize.gate",
    "plan-partitions": "compiler.materialize.plan_partitions",
    "run-status-sensor": "compiler.materialize.run_status",
    "freshness-checks": "compiler.materialize.freshness",
    "run-local": "compiler.run_local",
    "run-events": "compiler.run_events",
    "backfill": "compiler.backfill_command",
}

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DISTRIBUTION = "dagster-argo"
SETTINGS_HINT = (
    "`python -m compiler init --print` shows a complete [tool.compiler] with values inferred from the project"
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole CLI, or (`only`) just one command's parser: the same arguments, help and errors for that command."""
    parser = argparse.ArgumentParser(
        prog="python -m compiler",
        description="Compile a Dagster asset graph to Argo Workflows manifests, validate them, and run steps.",
        epilog=EXIT_CODES_HELP,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        if only in (None, name):
            register: Register = importlib.import_module(module).register
            register(subparsers)
    for command in subparsers.choices.values():
        command.add_argument("--debug", action="store_true", help="on an error, also print the Python traceback")
    return parser


class _VersionAction(argparse._VersionAction):
    """`--version`, the distribution's version looked up only when asked: importlib.metadata and the lookup cost
    every command (each pod, each run-local) about 30 ms of CPU otherwise."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        self.version = f"%(prog)s (dagster-argo) {distribution_version()}"
        super().__call__(parser, *args, **kwargs)  # type: ignore[arg-type]


def distribution_version() -> str:
    """The installed dagster-argo distribution's version (the compiler ships only inside it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "unknown (not installed)"


def one_line(error: BaseException) -> str:
    """A user error is one line: Dagster's and the project's messages may span several."""
    return " ".join(str(error).split())


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    only = given[0] if given and given[0] in SUBCOMMANDS else None  # a command named first: import only its module
    arguments = build_parser(only).parse_args(given)
    handler: Callable[[argparse.Namespace], int] = arguments.handler
    try:
        return handler(arguments)
    except SettingsError as error:  # every problem of [tool.compiler], one line each
        _traceback_if(arguments.debug)
        for problem in error.problems:
            print(f"error: {' '.join(problem.split())}", file=sys.stderr)
        if any(" is required " in problem for problem in error.problems):
            print(f"note: {SETTINGS_HINT}", file=sys.stderr)
        return EXIT_USAGE
    except UnsupportedInputError as error:
        _traceback_if(arguments.debug)
        print(f"error: {one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidManifestError as error:
        _traceback_if(arguments.debug)
        for problem in error.problems:
            print(f"invalid: {problem}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as error:  # a path that cannot be read or written: the user's to fix, not a compiler bug
        _traceback_if(arguments.debug)
        where = f": {error.filename}" if error.filename else ""
        print(f"error: {error.strerror or one_line(error)}{where}", file=sys.stderr)
        return EXIT_USAGE


def _traceback_if(debug: bool) -> None:
    if debug:
        traceback.print_exc()
