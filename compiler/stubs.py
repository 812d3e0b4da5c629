"""Placeholders for commands another module will provide (`materialize`, `run-local`)."""

import argparse
import sys


def _not_implemented(arguments: argparse.Namespace) -> int:
    print(f"error: `{arguments.command}` is not implemented yet", file=sys.stderr)
    return 2


def register_materialize(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser("materialize", help="materialize one asset in this pod (not implemented yet)")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(handler=_not_implemented)


def register_run_local(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser("run-local", help="replay a generated manifest locally (not implemented yet)")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(handler=_not_implemented)
