"""`python -m compiler` subcommands. Each command module offers `register(subparsers)` and sets `handler`."""

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence

from compiler.backfill_command import register as register_backfill
from compiler.build_command import register as register_build
from compiler.errors import InvalidManifestError, UnsupportedInputError
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import HelpFormatter
from compiler.materialize import register as register_materialize
from compiler.materialize.gate import register as register_schedule_gate
from compiler.run_local import register as register_run_local
from compiler.validate_command import register as register_validate

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

# To add a command: import its `register` above and list it here.
SUBCOMMANDS: tuple[Register, ...] = (
    register_build,
    register_validate,
    register_materialize,
    register_schedule_gate,
    register_run_local,
    register_backfill,
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m compiler",
        description="Compile a Dagster asset graph to Argo Workflows manifests, validate them, and run steps.",
        epilog=EXIT_CODES_HELP,
        formatter_class=HelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in SUBCOMMANDS:
        register(subparsers)
    for command in subparsers.choices.values():
        command.add_argument("--debug", action="store_true", help="on an error, also print the Python traceback")
    return parser


def one_line(error: BaseException) -> str:
    """A user error is one line: Dagster's and the project's messages may span several."""
    return " ".join(str(error).split())


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = arguments.handler
    try:
        return handler(arguments)
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
