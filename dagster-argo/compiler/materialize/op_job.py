"""`materialize --job NAME`: run a whole op/graph job in this pod, with Dagster's own in-process execution.

The compiler maps an op job to one task (compiler/builder/op_jobs.py): `execute_in_process` in the pod decides what
Dagster decides (dynamic outputs and their `.map()`/`.collect()`, conditional outputs skipping downstream ops, op
retries by `RetryPolicy`/`op_retry_policy`, the IO managers' handoffs), so the run matches Dagster's in process.

Which run: a CronWorkflow names its schedule (`--schedule`): the schedule is evaluated for the tick as Dagster's
daemon would, so a `SkipReason` skips the run (exit 0, `skipped`), a partitioned job gets the requested key and the
request's tags go on the run. A manual submit runs the job as a launch from the UI does: with `--partition` when
given, else (a partitioned job) the key the job's first schedule picks for the creation time, else its last key.
The run's config is built as Dagster builds it for that run (compiler/materialize/op_run_config.py): `--run-config`,
else the fired schedule's request config, else the partition's, else the defaults; invalid config is exit 2.
"""

import argparse
import contextlib
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from compiler import exit_codes
from compiler.materialize.loading import MaterializeUsageError
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import Definitions, JobDefinition, RepositoryDefinition


@dataclass(frozen=True)
class JobRun:
    """What the tick asks for: a partition (or None), the schedule's run tags, or a skip with its reason."""

    partition: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    skipped_because: str | None = None
    run_config: dict[str, Any] | None = None  # the fired schedule's request config for the tick


def job_words(job: str, partition: str | None) -> str:
    return f"job={shortened(job)} partition={shortened(partition or '-')}"


def run_op_job(args: argparse.Namespace) -> int:
    """The `--job` body of `materialize` (compiler/materialize/command.py hands over to it)."""
    from datetime import UTC

    from compiler.materialize.collection import start_up_without_collection
    from compiler.materialize.console import debug_wanted, want_debug
    from compiler.materialize.loading import load_definitions, pod_location
    from compiler.materialize.op_run_config import execution_warning, op_job_run_config
    from compiler.materialize.partition import parse_scheduled_time
    from compiler.materialize.termination import (
        describe_step,
        end_if_stopped,
        exit_promptly_on_sigterm,
        stopped_by_signal,
    )

    name, partition = args.job, args.partition or None
    exit_promptly_on_sigterm()
    describe_step(f"job {name}", partition)
    if getattr(args, "debug", False):
        want_debug()
    with contextlib.redirect_stderr(sys.stdout), start_up_without_collection():
        try:
            if args.fused or args.static_key or args.object_key:
                raise MaterializeUsageError(
                    "--job without --asset runs a whole op job: drop --fused, --static-key and --object-key"
                )
            now = datetime.now(UTC)
            defs = load_definitions(pod_location(args))
            job = require_op_job(defs, name)
            scheduled_time = parse_scheduled_time(args.scheduled_time, now, args.created_time, args.backfill_time)
            chosen = choose_run(defs, job, args.partition, args.schedule, scheduled_time, now)
            if chosen.skipped_because is not None:
                _summary(f"materialize: skipped {job_words(name, None)}: {chosen.skipped_because}")
                return exit_codes.SUCCEEDED
            partition = chosen.partition
            describe_step(f"job {name}", partition)
            run_config = op_job_run_config(job, partition, chosen.run_config, args.run_config)
            unapplied = execution_warning(job, run_config)
            if unapplied:
                print(f"materialize: warning: {unapplied}", flush=True)
            print(f"materialize: {job_words(name, partition)} (the whole job in this pod)", flush=True)
            success, cause = execute_op_job(job, partition, chosen.tags, run_config)
        except MaterializeUsageError as error:
            _traceback_if(args, debug_wanted)
            _summary(f"materialize: bad usage: {error}")
            return exit_codes.USAGE
        except KeyboardInterrupt:
            if stopped_by_signal():
                end_if_stopped()
            _summary(f"materialize: FAILED {job_words(name, partition)}: interrupted (KeyboardInterrupt)")
            return exit_codes.FAILED
        except Exception as error:  # the summary line must name any cause, including import errors
            _traceback_if(args, debug_wanted)
            _summary(f"materialize: FAILED {job_words(name, partition)}: {type(error).__name__}: {error}")
            return exit_codes.FAILED
    if not success:
        _summary(f"materialize: FAILED {job_words(name, partition)}: {cause}")
        return exit_codes.INTERRUPTED if cause == _interrupted_cause() else exit_codes.FAILED
    _summary(f"materialize: succeeded {job_words(name, partition)}")
    return exit_codes.SUCCEEDED


def require_op_job(defs: "Definitions", name: str) -> "JobDefinition":
    """The job as Dagster resolves it for a launch; an unknown name or an asset job is a usage error."""
    repository = defs.get_repository_def()
    op_jobs = sorted(job.name for job in repository.get_all_jobs() if not _is_asset_job(job))
    if name not in op_jobs:
        known = ", ".join(op_jobs) or "(none)"
        raise MaterializeUsageError(f"no op job named {shortened(name, quoted=True)}; op jobs: {known}")
    return repository.get_job(name)


def _is_asset_job(job: "JobDefinition") -> bool:
    return bool(job.asset_layer.selected_asset_keys) or job.name.startswith("__ASSET_JOB")


def choose_run(
    defs: "Definitions",
    job: "JobDefinition",
    explicit: str | None,
    schedule_name: str | None,
    scheduled_time: datetime,
    now: datetime,
) -> JobRun:
    """The run a tick or a manual submit asks for (see the module docstring)."""
    named = (schedule_name or "").strip()
    if named.startswith("{{"):
        named = ""
    if explicit and explicit.strip():
        return JobRun(partition=_existing_partition(job, explicit.strip(), now))
    repository = defs.get_repository_def()
    schedules = [s for s in sorted(repository.schedule_defs, key=lambda s: s.name) if s.job_name == job.name]
    if named:
        schedules = [s for s in schedules if s.name == named]
        if not schedules:
            raise MaterializeUsageError(f"schedule {shortened(named, quoted=True)} does not start job {job.name!r}")
    elif job.partitions_def is None:
        return JobRun()  # a manual launch: no schedule is consulted
    for schedule in schedules[:1]:
        return _evaluate(repository, schedule, scheduled_time, fired=bool(named))
    assert job.partitions_def is not None
    keys = job.partitions_def.get_partition_keys(current_time=scheduled_time)
    if not keys:
        raise MaterializeUsageError(f"job {job.name!r} has no partition yet at {scheduled_time.isoformat()}")
    return JobRun(partition=keys[-1])


def _existing_partition(job: "JobDefinition", key: str, now: datetime) -> str | None:
    if job.partitions_def is None:
        raise MaterializeUsageError(f"job {job.name!r} is not partitioned: drop --partition")
    keys = job.partitions_def.get_partition_keys(current_time=now)
    if key not in keys:
        raise MaterializeUsageError(
            f"partition {shortened(key, quoted=True)} does not exist for job {job.name!r} (as of {now.isoformat()})"
        )
    return key


def _evaluate(repository: "RepositoryDefinition", schedule: Any, tick: datetime, fired: bool) -> JobRun:
    """Dagster's own schedule evaluation for the tick: one RunRequest runs, none skips. `fired`: the schedule
    started this run (its CronWorkflow), so the request's run config is the run's; a manual submit only borrows the
    first schedule's partition key, its config then comes from the partition, as for a launch from the UI."""
    from dagster import build_schedule_context

    with build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
        result = schedule.evaluate_tick(context)
    requests = result.run_requests or []
    if not requests:
        return JobRun(skipped_because=f"schedule {schedule.name} skipped the tick ({result.skip_message or 'no run'})")
    if len(requests) > 1:
        raise MaterializeUsageError(
            f"schedule {schedule.name} requested {len(requests)} runs for one tick; one pod runs one"
        )
    request = requests[0]
    tags = {"dagster/schedule_name": schedule.name, **{k: str(v) for k, v in (request.tags or {}).items()}}
    tags.pop("dagster/partition", None)  # execute_in_process sets it from partition_key
    config = dict(request.run_config or {}) if fired else None
    return JobRun(partition=request.partition_key, tags=tags, run_config=config)


def execute_op_job(
    job: "JobDefinition", partition: str | None, tags: dict[str, str], run_config: Mapping[str, Any] | None = None
) -> tuple[bool, str | None]:
    """`execute_in_process`, as Dagster runs a job in process, on the pod's instance (materialize/instance.py).
    `run_config`: the run's config (compiler/materialize/op_run_config.py), validated; the pod's logger config is
    merged in."""
    from compiler.materialize.collection import start_up_done
    from compiler.materialize.execution import _root_error
    from compiler.materialize.instance import open_instance
    from compiler.materialize.op_run_config import for_execution
    from compiler.materialize.run_tags import argo_run_tags
    from compiler.materialize.termination import allow_unwinding

    job, config = for_execution(job, run_config or {})
    with open_instance() as instance:
        start_up_done()
        allow_unwinding()
        result = job.execute_in_process(
            instance=instance,
            partition_key=partition,
            tags={**argo_run_tags(), **tags},
            run_config=config,
            raise_on_error=False,
        )
        events = result.all_events
    if result.success:
        return True, None
    return False, _root_error(events)


def _interrupted_cause() -> str:
    from compiler.materialize.execution import INTERRUPTED_CAUSE

    return INTERRUPTED_CAUSE


def _traceback_if(args: argparse.Namespace, debug_wanted: Any) -> None:
    if debug_wanted(getattr(args, "debug", False)):
        traceback.print_exc(file=sys.stdout)


def _summary(line: str) -> None:
    from compiler.materialize.termination import end_if_stopped, stopped_by_signal

    if stopped_by_signal(wait="stopped by a signal" in line):
        end_if_stopped()
    sys.stderr.flush()
    print(" ".join(line.split()), flush=True)
