"""`python -m compiler` subcommands. Each command module offers `register(subparsers)` and sets `handler`."""

import argparse
import sys
from collections.abc import Callable, Sequence

from compiler.backfill import register as register_backfill
from compiler.build_command import register as register_build
from compiler.errors import InvalidManifestError, UnsupportedInputError
from compiler.materialize import register as register_materialize
from compiler.run_local import register as register_run_local
from compiler.validate_command import register as register_validate

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

# To add a command: import its `register` above and list it here.
SUBCOMMANDS: tuple[Register, ...] = (
    register_build,
    register_validate,
    register_materialize,
    register_run_local,
    register_backfill,
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m compiler",
        description="Compile a Dagster asset graph to Argo Workflows manifests, validate them, and run steps.",
        epilog="Exit codes: 0 fine, 1 stale or invalid manifests, 2 usage error or unsupported input.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = arguments.handler
    try:
        return handler(arguments)
    except UnsupportedInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidManifestError as error:
        for problem in error.problems:
            print(f"invalid: {problem}", file=sys.stderr)
        return EXIT_INVALID
