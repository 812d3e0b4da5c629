"""Local development entry points: `python -m devservices dev` (make dev), `... demo` (make demo) and
`... services [-- COMMAND ...]` (make services: the local services for a shell)."""

import argparse
import sys
import traceback
from pathlib import Path

from devservices.dagster_dev import CLIS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devservices", description=__doc__)
    parser.add_argument(
        "command",
        choices=["dev", "demo", "services"],
        help="dev: dagster dev with local services; demo: end to end; services: the local services for a shell",
    )
    parser.add_argument(
        "run",
        nargs="*",
        metavar="-- COMMAND",
        help="services: run COMMAND with the services' variables, then stop them (e.g. -- dg launch ...)",
    )
    parser.add_argument(
        "--cli", choices=CLIS, default="dagster", help="dev: serve with `dagster dev` (default) or `dg dev`"
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help="services without a command: where to write the variables (default .dev/services.env)",
    )
    parser.add_argument("--debug", action="store_true", help="on an error, also print the Python traceback")
    args = parser.parse_args(argv)
    if args.run and args.command != "services":
        parser.error(f"unexpected arguments for {args.command}: {' '.join(args.run)}")
    try:  # these import the project (assets/city.py): a bad setting there is the user's to fix, not a crash
        from devservices.demo import run_demo
        from devservices.dev import DevUsageError, run_dev
        from devservices.local_stack import LocalStackUsageError
        from devservices.postgres.reachable import UnreachableForPostgres
        from devservices.services import ENV_FILE, run_services
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        reason = " ".join(str(error).split())
        print(
            f"error: the project failed to import: {reason} ({type(error).__name__}; --debug shows where)",
            file=sys.stderr,
        )
        return 2
    try:
        if args.command == "services":
            return run_services(args.run, args.env_file or ENV_FILE)
        return run_dev(args.cli) if args.command == "dev" else run_demo()
    except (LocalStackUsageError, DevUsageError, UnreachableForPostgres) as error:  # what to change: one line, exit 2
        if args.debug:
            traceback.print_exc()
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
