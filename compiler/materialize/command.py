"""CLI of `materialize`: resolve asset and partition, run, and end with a one-line summary."""

import argparse
import contextlib
import sys
from datetime import UTC, datetime

from compiler import exit_codes
from compiler.materialize.execution import materialize_asset
from compiler.materialize.loading import (
    MaterializeUsageError,
    load_definitions,
    parse_asset_key,
    require_asset,
)
from compiler.materialize.partition import parse_scheduled_time, resolve_partition_key
from compiler.materialize.termination import exit_promptly_on_sigterm


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Shared by `python -m compiler materialize` and `python -m compiler.materialize`."""
    parser.add_argument("--module", required=True, help="python module holding the dagster Definitions")
    parser.add_argument("--asset", required=True, help="asset key, path joined with '/' (e.g. openaq/raw)")
    parser.add_argument("--partition", default=None, help="explicit partition key; empty = from the tick")
    parser.add_argument(
        "--schedule",
        default=None,
        help="the Dagster schedule whose tick this is (its CronWorkflow passes it); empty = the first by name "
        "that selects the asset",
    )
    parser.add_argument(
        "--scheduled-time",
        default=None,
        help="tick time (ISO 8601 with offset or Z); empty or '{{workflow.scheduledTime}}' = the created time",
    )
    parser.add_argument(
        "--created-time",
        default=None,
        help="workflow creation time (RFC 3339), the tick of a manual submit so all tasks agree; "
        "empty or '{{workflow.creationTimestamp}}' = now",
    )


def main(argv: list[str] | None = None) -> int:
    """Exit codes: see compiler.exit_codes (0 ok, 1 failed, 2 bad arguments, 3 not retryable); last line says why."""
    parser = argparse.ArgumentParser(prog="python -m compiler materialize", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Hook for `python -m compiler materialize` (compiler/cli.py lists it in SUBCOMMANDS)."""
    parser = subparsers.add_parser(
        "materialize", help="materialize one asset in this pod (in-process, Dagster retries off)", description=__doc__
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """The command body, shared by both entry points."""
    asset_text, partition = args.asset, None
    exit_promptly_on_sigterm()  # a pod's SIGTERM ends the step within a grace period, whatever it waits on
    # Dagster's console logger writes to stderr; pods and run-local read one stream in order.
    with contextlib.redirect_stderr(sys.stdout):
        try:
            now = datetime.now(UTC)
            defs = load_definitions(args.module)
            asset_key = parse_asset_key(args.asset)
            asset_text = asset_key.to_user_string()
            require_asset(defs, asset_key)
            scheduled_time = parse_scheduled_time(args.scheduled_time, now, args.created_time)
            partition = resolve_partition_key(defs, asset_key, args.partition, scheduled_time, now, args.schedule)
            print(f"materialize: asset={asset_text} partition={partition or '-'}", flush=True)
            outcome = materialize_asset(args.module, asset_key, partition)
        except MaterializeUsageError as error:
            _summary(f"materialize: bad usage: {error}")
            return exit_codes.USAGE
        except KeyboardInterrupt:  # SIGTERM (a pod being stopped) or Ctrl-C: another attempt may succeed
            _summary(_failed(asset_text, partition, "stopped by a signal (SIGTERM/SIGINT)"))
            return exit_codes.FAILED
        except Exception as error:  # the summary line must name any cause, including import errors
            _summary(_failed(asset_text, partition, f"{type(error).__name__}: {error}"))
            return exit_codes.FAILED
    for warning in outcome.warnings:
        print(f"materialize: warning: {warning}", flush=True)
    if not outcome.success:
        verdict = "" if outcome.retryable else " (not retryable)"
        _summary(_failed(asset_text, partition, (outcome.cause or "unknown cause") + verdict))
        return exit_codes.FAILED if outcome.retryable else exit_codes.FAILED_PERMANENTLY
    _summary(f"materialize: succeeded asset={asset_text} partition={partition or '-'}")
    return exit_codes.SUCCEEDED


def _failed(asset: str, partition: str | None, cause: str) -> str:
    return f"materialize: FAILED asset={asset} partition={partition or '-'}: {cause}"


def _summary(line: str) -> None:
    """One line, last: flush everything Dagster wrote first so nothing lands after it."""
    sys.stderr.flush()
    print(" ".join(line.split()), flush=True)
