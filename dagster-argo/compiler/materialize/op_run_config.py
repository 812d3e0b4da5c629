"""The run config of an op/graph job's run, built in its pod(s) as Dagster builds it for that run.

Both mappings share it: one pod running the whole job (`materialize --job`, compiler/materialize/op_job.py) and one
pod per op (`materialize --job J --op STEP`, compiler/materialize/op_step.py). Every op's pod builds the same config
on its own, from what every pod of the workflow sees alike (the `run_config` parameter, the schedule and its tick, the
partition), as the asset pods do (compiler/materialize/run_config.py); no pod hands config to another, so no config
value lands in the Workflow's status. The sources, in Dagster's order:

1. `run_config` (a manual `argo submit -p run_config=...`, YAML or JSON): the launchpad's config, replacing the rest.
2. the schedule that fired (`--schedule`), evaluated for the tick: its `RunRequest.run_config`, which Dagster's
   `evaluate_tick` already resolves to the job's `PartitionedConfig` for the request's partition when it gave none.
3. the partition (manual or backfill): the job's `PartitionedConfig` for it, as a backfill's runs get it.
4. nothing: `{}`, which Dagster completes with the config defaults (a job's `config=` dict is a config mapping whose
   defaults are that dict).

The config is validated with Dagster's own code against the job (its config mapping included): an invalid one is
a usage error (exit 2) with Dagster's one-line message. `EnvVar`s (`{"env": "NAME"}`) stay unresolved until the run
processes its config in the pod.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from compiler.materialize.run_config import (
    DEFAULTS,
    PARTITION,
    SCHEDULE,
    SUBMITTED,
    RunConfig,
    parse_submitted,
    validate,
)

if TYPE_CHECKING:
    from dagster import JobDefinition


def op_job_run_config(
    job: "JobDefinition", partition: str | None, tick_config: RunConfig | None, submitted: str | None
) -> RunConfig:
    """The run's config (before the job's config mapping), validated; `tick_config` is the fired schedule's request
    config for the tick (None when no schedule fired)."""
    given = parse_submitted(submitted)
    if given is not None:
        raw, source = given, SUBMITTED
    elif tick_config is not None:
        raw, source = tick_config, SCHEDULE
    elif partition is not None:
        raw, source = job.get_run_config_for_partition_key(partition), PARTITION
    else:
        raw, source = {}, DEFAULTS
    validate(job, raw, source)
    return dict(raw)


def for_execution(job: "JobDefinition", run_config: RunConfig) -> tuple["JobDefinition", dict[str, Any]]:
    """The job the pod executes and the config it passes: the pod's console logger (unless the job has loggers of
    its own) needs an entry under `loggers`, which a user's `ConfigMapping` schema would reject; so such a mapping
    is applied here, as Dagster applies it (`resolve_from_unvalidated_config`: the outer config validated with its
    defaults, then the mapping's function), and the job runs the resulting config without the mapping. A `config=`
    dict is a mapping over the full run config schema (loggers included): it stays and applies itself."""
    from compiler.materialize.console import pod_logger_run_config, pod_loggers

    inner: Mapping[str, Any] = run_config
    mapping = job.config_mapping
    if mapping is not None and job.run_config is None:  # a user's ConfigMapping, not a config= dict
        inner = mapping.resolve_from_unvalidated_config(dict(run_config))
        job = job._copy(config=None)  # Dagster's own copy: the mapping is applied above
    loggers = pod_loggers(job._loggers)  # the job's own loggers, not Dagster's defaults
    job = job.with_logger_defs(loggers) if loggers else job
    return job, {**pod_logger_run_config(job.loggers), **inner}


def execution_warning(job: "JobDefinition", run_config: RunConfig) -> str | None:
    """The run config's `execution` entry (after the job's config mapping) is validated but not applied: one pod runs
    Dagster's in-process execution, which ignores it as `execute_in_process` does; one task per op takes Argo's
    parallelism and the executor definition's own `retries`. Said in the pod's output, not dropped silently."""
    mapping = job.config_mapping
    if mapping is not None and job.run_config is None:  # a user's ConfigMapping: what its function returns
        given = [mapping.resolve_from_unvalidated_config(dict(run_config))]
    else:  # as given, and a config= dict's defaults (processed config would fill the executor's own defaults)
        given = [run_config, job.run_config or {}]
    if not any(isinstance(config, Mapping) and config.get("execution") for config in given):
        return None
    return (
        "run config execution not applied: the ops run under Argo (one pod in process, or one pod per op with the "
        "DAG's parallelism and the executor definition's retries); set the executor with executor_def="
    )
