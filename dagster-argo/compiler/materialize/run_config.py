"""The run config of a pod's run, built as Dagster builds it for the run the workflow stands for.

Every pod of a workflow builds the same run config on its own, deterministically, as it picks the partition
(compiler/materialize/partition.py): no gate task hands it on, so nothing runs into Argo's output-parameter size
limit and no config value is ever written into a workflow's status. The sources, in Dagster's order:

1. `run_config` (the workflow parameter a manual `argo submit -p run_config=...` sets, YAML or JSON): what the
   launchpad's config is to a run launched by hand. It replaces the others, as a launched run's config does.
2. the schedule that fired (workflow parameter `schedule`), evaluated for the tick: its `RunRequest.run_config`,
   which Dagster's `evaluate_tick` already resolves to the job's `PartitionedConfig` for the request's partition when
   the function gave none (`RunRequest.with_resolved_tags_and_config`).
3. the partition (a manual or backfill key): the job's `PartitionedConfig` for it, as a backfill's runs get it.
4. nothing: the config schema's defaults (a job's `config=` dict is a config mapping with those defaults).

The job is the one the workflow's DAG runs (`--job`, which `job-<job>` DAGs pass), else the schedule's, else
Dagster's implicit asset job (the `main` DAG materializes every asset). The config is validated against that job,
so an invalid config fails the pod with exit 2 and Dagster's own error; then the job's config mapping is applied and
what the pod's one-asset job needs (its ops' and resources' entries) is kept. `EnvVar`s (`{"env": "NAME"}`) stay
unresolved until the pod's run processes them: a credential never enters the YAML, an argument or a log line.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from compiler.materialize.loading import MaterializeUsageError
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import AssetKey, Definitions, JobDefinition

RunConfig = Mapping[str, Any]

# Where an invalid run config came from, for the one-line error.
SUBMITTED, SCHEDULE, PARTITION, DEFAULTS = "run_config parameter", "schedule", "partitioned config", "defaults"


def parse_submitted(text: str | None) -> RunConfig | None:
    """The `run_config` workflow parameter: YAML (JSON is YAML); empty means none was given."""
    if text is None or not text.strip() or text.strip() == "{{workflow.parameters.run_config}}":
        return None
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        problem = getattr(error, "problem", None) or "not YAML"
        raise MaterializeUsageError(
            f"run_config is neither YAML nor JSON ({problem}{at}); pass a mapping, e.g. "
            '-p run_config=\'{"ops": {"my_asset": {"config": {"n": 1}}}}\''
        ) from None
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MaterializeUsageError(
            f"run_config must be a mapping (ops:, resources:), not a {type(value).__name__}; "
            'e.g. -p run_config=\'{"ops": {"my_asset": {"config": {"n": 1}}}}\''
        )
    return value


def job_for_run(
    defs: "Definitions", asset_key: "AssetKey", job_name: str | None, schedule_name: str | None
) -> "JobDefinition":
    """The Dagster job the workflow's run stands for."""
    repository = defs.get_repository_def()
    if job_name and job_name.strip():
        name = job_name.strip()
        if not repository.has_job(name):
            raise MaterializeUsageError(f"no job named {shortened(name, quoted=True)} in the code location")
        return repository.get_job(name)
    if schedule_name and schedule_name.strip() and repository.has_schedule_def(schedule_name.strip()):
        return repository.get_job(repository.get_schedule_def(schedule_name.strip()).job_name)
    return defs.resolve_implicit_job_def_def_for_assets([asset_key]) or defs.resolve_implicit_global_asset_job_def()


def run_config_for(
    defs: "Definitions",
    asset_key: "AssetKey",
    *,
    job_name: str | None,
    schedule_name: str | None,
    tick: datetime,
    partition_key: str | None,
    explicit_partition: bool,
    submitted: str | None,
) -> tuple["JobDefinition", RunConfig]:
    """The job and the run config Dagster would give its run (before the job's config mapping), validated."""
    job = job_for_run(defs, asset_key, job_name, schedule_name)
    given = parse_submitted(submitted)
    if given is not None:
        raw, source = given, SUBMITTED
    elif schedule_name and schedule_name.strip() and not explicit_partition:
        raw, source = _from_schedule(defs, asset_key, schedule_name.strip(), tick, partition_key), SCHEDULE
    elif partition_key is not None:
        raw, source = job.get_run_config_for_partition_key(partition_key), PARTITION
    else:
        raw, source = {}, DEFAULTS
    validate(job, raw, source)
    return job, raw


def validate(job: "JobDefinition", run_config: RunConfig, source: str) -> None:
    """Dagster's own validation; its errors (which field, what type) on one line, exit 2."""
    problems = config_errors(job, run_config)
    if problems:
        raise MaterializeUsageError(f"invalid run config for job {job.name!r} (from the {source}): {problems}")


def config_errors(job: "JobDefinition", run_config: RunConfig) -> str:
    """Dagster's validation of a run config against the job's schema (after its config mapping), its errors joined
    on one line; empty when valid. Validation only, as `ResolvedRunConfig.build` does before post-processing:
    `EnvVar`s stay unresolved (they resolve when the pod's run processes its config), so no value of one is read
    or shown here, and `build` needs none of them set."""
    from dagster import DagsterInvalidConfigError
    from dagster._config import validate_config

    schema = job.run_config_schema
    try:
        inner = (
            schema.config_mapping.resolve_from_unvalidated_config(run_config) if schema.config_mapping else run_config
        )
    except DagsterInvalidConfigError as error:
        return "; ".join(" ".join(e.message.split()) for e in error.errors) or " ".join(str(error).split())
    result = validate_config(schema.run_config_schema_type, inner)
    return "" if result.success else "; ".join(" ".join(e.message.split()) for e in result.errors or ())


def _mapped(job: "JobDefinition", run_config: RunConfig) -> dict[str, Any]:
    """The run config after the job's config mapping (a `config=` dict is one: its values are the defaults)."""
    mapping = job.run_config_schema.config_mapping
    return dict(mapping.resolve_from_unvalidated_config(run_config) if mapping is not None else run_config)


def ignored_entries(job: "JobDefinition", run_config: RunConfig) -> list[str]:
    """Top-level entries the pod does not apply: `execution` and `loggers` (the pod runs its asset in process with
    Argo owning retries, and logs with its own console logger); the pod warns naming them."""
    return sorted(key for key, value in _mapped(job, run_config).items() if key not in ("ops", "resources") and value)


def for_pod(job: "JobDefinition", run_config: RunConfig, pod_job: "JobDefinition") -> dict[str, Any]:
    """The entries of the job's run config (after its config mapping) that the pod's one-asset job has: its ops'
    and its resources'. The pod's own executor (in process, retries off) and loggers replace the job's."""
    inner = _mapped(job, run_config)
    ops = {name: value for name, value in (inner.get("ops") or {}).items() if pod_job.graph.has_node_named(name)}
    resources = {key: value for key, value in (inner.get("resources") or {}).items() if key in pod_job.resource_defs}
    return {**({"ops": ops} if ops else {}), **({"resources": resources} if resources else {})}


def _from_schedule(
    defs: "Definitions", asset_key: "AssetKey", schedule_name: str, tick: datetime, partition_key: str | None
) -> RunConfig:
    """The run config of the schedule's request for this tick that runs this asset (and partition)."""
    from dagster import build_schedule_context

    repository = defs.get_repository_def()
    if not repository.has_schedule_def(schedule_name):
        return {}  # materialize's partition lookup already named the unknown schedule
    schedule = repository.get_schedule_def(schedule_name)
    with build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
        requests = schedule.evaluate_tick(context).run_requests or []
    for request in requests:
        selected = request.asset_selection is None or asset_key in request.asset_selection
        if selected and (partition_key is None or request.partition_key in (None, partition_key)):
            return request.run_config or {}
    return {}
