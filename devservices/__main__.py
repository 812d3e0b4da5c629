"""Local development entry points: `python -m devservices dev` (make dev) and `... demo` (make demo)."""

import argparse
import sys
import traceback

from devservices.dagster_dev import CLIS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devservices", description=__doc__)
    parser.add_argument(
        "command", choices=["dev", "demo"], help="dev: dagster dev with local services; demo: end to end"
    )
    parser.add_argument(
        "--cli", choices=CLIS, default="dagster", help="dev: serve with `dagster dev` (default) or `dg dev`"
    )
    parser.add_argument("--debug", action="store_true", help="on an error, also print the Python traceback")
    args = parser.parse_args(argv)
    try:  # these import the project (assets/city.py): a bad setting there is the user's to fix, not a crash
        from devservices.demo import run_demo
        from devservices.dev import DevUsageError, run_dev
        from devservices.local_stack import LocalStackUsageError
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
        return run_dev(args.cli) if args.command == "dev" else run_demo()
    except (LocalStackUsageError, DevUsageError) as error:  # before anything started: one line, exit 2
        if args.debug:
            traceback.print_exc()
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
