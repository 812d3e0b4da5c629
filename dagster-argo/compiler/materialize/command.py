"""CLI of `materialize`: resolve asset and partition, run, and end with a one-line summary."""

import argparse
import contextlib
import sys
import traceback
from datetime import UTC, datetime

from compiler import exit_codes
from compiler.code_location import add_target_arguments
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import HelpFormatter, add_command
from compiler.materialize.asset_events import SensorSkipped, announce
from compiler.materialize.collection import start_up_without_collection
from compiler.materialize.console import debug_wanted, want_debug
from compiler.materialize.execution import materialize_asset
from compiler.materialize.fan_out_key import resolve_fan_out_key
from compiler.materialize.loading import (
    MaterializeUsageError,
    load_definitions,
    parse_asset_keys,
    pod_location,
    require_asset,
    require_one_op,
    require_own_task_check,
)
from compiler.materialize.missing_env import describe as describe_missing
from compiler.materialize.missing_env import missing_variables
from compiler.materialize.object_key import partition_for_object
from compiler.materialize.partition import parse_scheduled_time, resolve_partition_key
from compiler.materialize.reconstruction import without_test_utilities
from compiler.materialize.resume import attempt_from, created_time_from, resume_point
from compiler.materialize.run_config import ignored_entries, run_config_for
from compiler.materialize.termination import (
    describe_step,
    end_if_stopped,
    exit_promptly_on_sigterm,
    step_words,
    stopped_by_signal,
)
from compiler.user_text import shortened

DESCRIPTION = (
    "Materialize one asset of a Dagster code location in this process: the command each Argo step pod runs. "
    "Dagster's own retries are off, because Argo's retryStrategy owns retries; the exit code tells Argo whether "
    "another attempt can help. The partition is --partition, else the one the Dagster schedule --schedule picks for "
    "the tick --scheduled-time (a manual submit: --created-time). The run config is --run-config, else the schedule's "
    "for the tick, else the job's (--job) partitioned config, else defaults, validated by Dagster. The last line of "
    "output says what happened."
)
EXAMPLE = (
    "example (this project's assets are partitioned date x city, so a key names both):\n"
    "  python -m compiler materialize --module assets.definitions --asset openaq/raw_measurements "
    "--partition 'vienna|2026-11-27'\n\n"
)
PARTITION_HELP = (
    "partition key in Dagster's own string form: a daily key reads 2026-11-27, a static one vienna, a "
    "multi-dimensional key joins its dimensions' values with '|' in the order of the dimension names (Dagster sorts "
    "them: city x date reads vienna|2026-11-27); empty: the one the schedule picks"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Shared by `python -m compiler materialize` and `python -m compiler.materialize`."""
    add_target_arguments(parser, required_hint=" (e.g. assets.definitions); this or --python-file is required")
    parser.add_argument(
        "--asset",
        action="append",
        help="asset key, its parts joined by '/' (e.g. openaq/raw_measurements); repeat it or separate keys with ',' "
        "for several keys of one multi-asset, which run as one op",
    )
    parser.add_argument("--partition", default=None, help=PARTITION_HELP)
    parser.add_argument(
        "--static-key",
        default=None,
        help="a fan-out item (static or multi-dimensional partitions, compiler/builder/fan_out.py): the static key "
        "this pod materializes; the time key still comes from the schedule's tick",
    )
    parser.add_argument(
        "--schedule",
        default=None,
        help="the Dagster schedule whose tick this is (its CronWorkflow passes it); empty: the first by name "
        "that selects the asset",
    )
    parser.add_argument(
        "--scheduled-time",
        default=None,
        help="the tick's time (ISO 8601 with offset or Z); empty or '{{workflow.scheduledTime}}': the created time",
    )
    parser.add_argument(
        "--backfill-time",
        default=None,
        help="the date `argo cron backfill` passed (workflow parameter cronScheduleTime); wins over --scheduled-time",
    )
    parser.add_argument(
        "--created-time",
        default=None,
        help="the workflow's creation time (RFC 3339): the tick of a manual submit, the same in every pod; "
        "empty or '{{workflow.creationTimestamp}}': now",
    )
    parser.add_argument(
        "--object-key",
        default=None,
        help="an object a new_object_sensor saw (the workflow parameter object-key its Argo Events Sensor sets): "
        "the partition comes from the key with the sensor's partition_key; empty: not an object-triggered run",
    )
    parser.add_argument("--sensor", default=None, help="with --object-key: the new_object_sensor's name")
    parser.add_argument(
        "--object-key-encoding",
        default="",
        help="'url' when the key is URL-encoded, as S3 notifications through SQS carry it",
    )
    parser.add_argument(
        "--check",
        default="",
        help="run only this asset check of --asset (a standalone check with additional_deps, which has a task of "
        "its own after its asset and those assets); empty: the asset and its other checks",
    )
    parser.add_argument(
        "--fused",
        action="store_true",
        help="the keys are a chain of assets (step fusion) run in order in this process; skip the leading ones this "
        "workflow already materialized for the partition (a retry resumes)",
    )
    parser.add_argument(
        "--dagster-retries",
        action="store_true",
        help="with --fused: the assets hand values through pod-local storage (compiler/builder/pod_local.py), so "
        "Dagster applies their RetryPolicy in this process, as its executor on one machine does; Argo retries the "
        "pod only after infrastructure faults",
    )
    parser.add_argument(
        "--job",
        default=None,
        help="the Dagster job the workflow's DAG runs (job-<job> DAGs pass it); empty: the schedule's, else the "
        "implicit asset job: whose run config this run gets (compiler/materialize/run_config.py); without --asset "
        "and --check: an op/graph job, run whole in this process with Dagster's in-process execution "
        "(compiler/materialize/op_job.py)",
    )
    parser.add_argument(
        "--run-config",
        default=None,
        help="the run config of a manual submit (workflow parameter run_config), YAML or JSON; it replaces the "
        "schedule's and the partition's, as a launched run's config does; empty: built as Dagster builds it",
    )
    parser.add_argument(
        "--op",
        default=None,
        help="with --job: run only this op (its node handle) in this process, as Dagster's k8s executor runs one step "
        "(compiler/materialize/op_step.py)",
    )
    parser.add_argument("--mapping-key", default=None, help="with --op: the mapping key of a mapped op (.map())")
    parser.add_argument(
        "--known-state",
        default=None,
        help="with --op: the upstream ops' pods' known state (a JSON list of their known-state outputs)",
    )
    parser.add_argument("--run-id", default=None, help="with --op: the run id every op's pod shares (workflow uid)")
    parser.add_argument("--state-out", default=None, help="with --op: where to write this pod's known state")
    parser.add_argument(
        "--mapping-keys-out", default=None, help="with --op: where to write its DynamicOut's mapping keys (JSON)"
    )
    parser.add_argument(
        "--attempt",
        default=None,
        help="with --fused: Argo's '{{retries}}', 0 for the task's first pod, then 1, 2, ...; only a retry (> 0) "
        "resumes, a first attempt runs the whole chain (absent, empty or the literal '{{retries}}': 0)",
    )


def main(argv: list[str] | None = None) -> int:
    """Exit codes: see compiler.exit_codes (0 ok, 1 failed, 2 bad arguments, 3 not retryable); last line says why."""
    parser = argparse.ArgumentParser(
        prog="python -m compiler materialize",
        description=DESCRIPTION,
        epilog=EXAMPLE + EXIT_CODES_HELP,
        formatter_class=HelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Hook for `python -m compiler materialize` (compiler/cli.py lists it in SUBCOMMANDS)."""
    parser = add_command(
        subparsers,
        "materialize",
        help="materialize one asset (or run one op job), as an Argo step pod does",
        description=DESCRIPTION,
        epilog=EXAMPLE + EXIT_CODES_HELP,
        handler=run,
    )
    add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """The command body, shared by both entry points."""
    if args.job and args.op and not (args.asset or args.check):  # one op (compiler/materialize/op_step.py)
        from compiler.materialize.op_step import run_op_step

        return run_op_step(args)
    if args.job and not (args.asset or args.check):  # a whole op/graph job (compiler/materialize/op_job.py)
        from compiler.materialize.op_job import run_op_job

        return run_op_job(args)
    if not args.asset:
        print("materialize: bad usage: pass --asset KEY (or --job NAME for an op job)", flush=True)
        return exit_codes.USAGE
    asset_text, partition = ",".join(args.asset), args.partition or None
    exit_promptly_on_sigterm()  # a pod's SIGTERM ends the step within a grace period, whatever it waits on
    describe_step(asset_text, partition)  # what the last line of a stopped step names (termination.py)
    if getattr(args, "debug", False):
        want_debug()  # Dagster's console prints full tracebacks too (compiler/materialize/console.py)
    # Dagster's console logger writes to stderr; pods and run-local read one stream in order.
    # compiler/materialize/collection.py: no garbage collection until Dagster executes the step
    with contextlib.redirect_stderr(sys.stdout), start_up_without_collection():
        try:
            now = datetime.now(UTC)
            location = pod_location(args)
            defs = load_definitions(location)
            asset_keys = parse_asset_keys(args.asset)
            asset_text = ",".join(key.to_user_string() for key in asset_keys)
            for asset_key in asset_keys:
                require_asset(defs, asset_key)
            if not args.fused and not args.check:  # a check's task names only the checked key of its op
                require_one_op(defs, asset_keys)
            if args.check and (args.fused or len(asset_keys) != 1):
                raise MaterializeUsageError("--check runs a check of one asset: pass one --asset key, no --fused")
            if args.check:
                require_own_task_check(defs, asset_keys[0], args.check)
            if args.dagster_retries and not args.fused:
                raise MaterializeUsageError("--dagster-retries applies to --fused assets only: add --fused or drop it")
            if args.attempt is not None and not args.fused:
                raise MaterializeUsageError("--attempt applies to a fused chain only: add --fused or drop --attempt")
            attempt = attempt_from(args.attempt)
            scheduled_time = parse_scheduled_time(args.scheduled_time, now, args.created_time, args.backfill_time)
            if args.object_key and not args.object_key.startswith("{{"):  # compiler/materialize/object_key.py
                if args.partition:
                    raise MaterializeUsageError("pass --partition or --object-key, not both")
                object_key = args.object_key
                try:  # a new_object_sensor's object, or an @asset_sensor's marker (materialize/asset_events.py)
                    args.partition = partition_for_object(
                        defs, args.sensor, object_key, args.object_key_encoding, tuple(asset_keys[0].path)
                    )
                except SensorSkipped as skipped:
                    _summary(f"materialize: skipped asset={asset_text}: {skipped}")
                    return exit_codes.SUCCEEDED
                print(f"materialize: object {shortened(object_key)} of sensor {args.sensor}", flush=True)
            # the keys of one op share its partitions definition: the first one decides
            if args.static_key is not None:  # a fan-out item (compiler/materialize/fan_out_key.py)
                choice = resolve_fan_out_key(
                    defs, asset_keys[0], args.static_key, args.partition, scheduled_time, now, args.schedule
                )
                if choice.partition is None:
                    _summary(
                        f"materialize: skipped asset={asset_text} static-key={shortened(args.static_key)}: "
                        f"{choice.skipped_because}"
                    )
                    return exit_codes.SUCCEEDED
                partition = choice.partition
            else:
                partition = resolve_partition_key(
                    defs, asset_keys[0], args.partition, scheduled_time, now, args.schedule
                )
            describe_step(asset_text, partition)
            print(f"materialize: {step_words(asset_text, partition)}", flush=True)
            if args.dagster_retries:  # compiler/builder/pod_local.py: nothing resumes, Dagster retries
                print(
                    f"materialize: {len(asset_keys)} asset(s) in one Dagster run: they hand values through "
                    "storage only this pod holds; Dagster retries each by its RetryPolicy",
                    flush=True,
                )
            elif args.fused:  # compiler/materialize/resume.py
                created = created_time_from(args.created_time)
                resume = resume_point(defs, asset_keys, partition, created, attempt)
                print(f"materialize: {resume.how}", flush=True)
                asset_keys = asset_keys[len(resume.skipped) :]
            if args.check:
                print(f"materialize: check {args.check} only (its own task: compiler/check_tasks.py)", flush=True)
            job_config = run_config_for(
                defs,
                asset_keys[0],
                job_name=args.job,
                schedule_name=args.schedule,
                tick=scheduled_time,
                partition_key=partition,
                explicit_partition=bool((args.partition or "").strip()),
                submitted=args.run_config,
            )
            ignored = ignored_entries(*job_config)
            if ignored:
                print(
                    f"materialize: warning: run config {', '.join(ignored)} not applied: the pod runs its asset in "
                    "process (Argo owns retries and parallelism) and logs with its own console logger",
                    flush=True,
                )
            with without_test_utilities():  # Dagster rebuilds the pod's job from its pointer in there
                outcome = materialize_asset(
                    location, asset_keys, partition, args.check, job_config, dagster_retries=args.dagster_retries
                )
        except MaterializeUsageError as error:
            _traceback_if(args)
            _summary(f"materialize: bad usage: {error}")
            return exit_codes.USAGE
        except KeyboardInterrupt:  # SIGTERM (a pod being stopped) or Ctrl-C: one exit code, one last line
            if stopped_by_signal():
                end_if_stopped()  # 128 + the signal (compiler/materialize/termination.py)
            _summary(_failed(asset_text, partition, "interrupted (KeyboardInterrupt)"))
            return exit_codes.FAILED
        except Exception as error:  # the summary line must name any cause, including import errors
            _traceback_if(args)
            missing = missing_variables(error)  # an EnvVar a resource needs: the same in every attempt
            if missing:
                _summary(_failed(asset_text, partition, describe_missing(missing) + " (not retryable)"))
                return exit_codes.USAGE
            _summary(_failed(asset_text, partition, f"{type(error).__name__}: {error}"))
            return exit_codes.FAILED
    for warning in outcome.warnings:
        print(f"materialize: warning: {warning}", flush=True)
    if not outcome.success:
        verdict = "" if outcome.retryable else " (not retryable)"
        _summary(_failed(asset_text, partition, (outcome.cause or "unknown cause") + verdict))
        if outcome.interrupted:  # infrastructure stopped it: Argo may retry even an asset without a RetryPolicy
            return exit_codes.INTERRUPTED
        return exit_codes.FAILED if outcome.retryable else exit_codes.FAILED_PERMANENTLY
    if not args.check:  # an @asset_sensor watching this asset: its "asset materialized" event
        try:
            for marker in announce(defs, asset_keys, partition):
                print(f"materialize: wrote asset-materialized marker {shortened(marker)}", flush=True)
        except Exception as error:  # the store: a lost marker would silently drop the sensor's run
            _summary(_failed(asset_text, partition, f"materialized, but the asset sensor's marker: {error}"))
            return exit_codes.FAILED
    _summary(f"materialize: succeeded {step_words(asset_text, partition)}")
    return exit_codes.SUCCEEDED


def _traceback_if(args: argparse.Namespace) -> None:
    if debug_wanted(getattr(args, "debug", False)):
        traceback.print_exc(file=sys.stdout)


def _failed(asset: str, partition: str | None, cause: str) -> str:
    return f"materialize: FAILED {step_words(asset, partition)}: {cause}"


def _summary(line: str) -> None:
    """One line, last: flush everything Dagster wrote first so nothing lands after it. A step a signal stopped
    (however Dagster reported it) ends with termination.py's line and exit code instead."""
    if stopped_by_signal(wait="stopped by a signal" in line):
        end_if_stopped()
    sys.stderr.flush()
    print(" ".join(line.split()), flush=True)
