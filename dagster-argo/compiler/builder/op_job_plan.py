"""Op/graph jobs in the plan (compiler/builder/op_jobs.py reads them): one `job-<name>` DAG each, holding one task
that runs the whole job in one pod (`materialize --job`), and the step templates those tasks use.

Jobs with the same pod settings share one step template: the default settings are `op-job`, other settings (a
job's own `dagster-k8s/config` tag, or other Secrets under `secrets_per_asset`) `op-job-<job>`, after the first job
by name that has them. Retries: Dagster applies the ops' `RetryPolicy` and the job's `op_retry_policy` inside the
pod, as `execute_in_process` does, so the step keeps Argo's infrastructure-only retry (a pod lost, evicted or
stopped): Argo retrying a failed op job too would rerun ops Dagster already retried.
"""

import dataclasses
from collections.abc import Mapping

from compiler.builder.fidelity.pools import check_pool_limits
from compiler.builder.model import AssetSpec, OpJobSpec, PodOverrides, RetrySpec
from compiler.builder.naming import NAME_LIMIT, fit_name, sanitise, with_hash
from compiler.builder.op_steps import OpStep, on_shared_storage, task_name
from compiler.builder.plan_types import Dag, StepTemplate, Task, free_text
from compiler.builder.steps import instance_env, settings_key, step_template
from compiler.errors import UnsupportedInputError
from compiler.settings import Settings

OP_JOB_STEP = "op-job"
OP_STEP = "op-step"  # one op per pod (compiler/builder/op_steps.py, materialize --job J --op STEP)


def per_op(job: OpJobSpec, settings: Settings) -> bool:
    """One task per op: its shape allows it and every handoff is on shared storage (as for assets)."""
    return bool(job.steps) and on_shared_storage(job.handoffs, settings)


def op_job_warnings(jobs: tuple[OpJobSpec, ...], settings: Settings) -> list[str]:
    """Each job's warnings for the mapping it got."""
    return [w for job in jobs for w in (job.per_op_warnings if per_op(job, settings) else job.one_pod_warnings)]


def op_job_steps(
    jobs: tuple[OpJobSpec, ...], settings: Settings
) -> tuple[list[StepTemplate], dict[str, str], dict[tuple[str, str], str]]:
    """The step templates of the op jobs (each distinct pod setting once: jobs alike share `op-job`, or the
    template of the first job by name with those settings), each job's template name, and (one task per op) the
    template of each op with its own `dagster-k8s/config` tag, by (job, op handle) (compiler/builder/op_pods.py)."""
    default = settings_key(_op_job_step(step_template(OP_JOB_STEP, None, settings, {})))
    by_settings: dict[str, StepTemplate] = {}
    names: dict[str, str] = {}
    op_names: dict[tuple[str, str], str] = {}

    def named(step: StepTemplate, wanted: str, source: str) -> str:
        key = settings_key(step)
        if key not in by_settings:
            name = wanted
            if any(s.name == name for s in by_settings.values()):  # two names that sanitise alike
                name = with_hash(name, source, NAME_LIMIT)
            by_settings[key] = dataclasses.replace(step, name=name)
        return by_settings[key].name

    for job in sorted(jobs, key=lambda j: j.name):
        check_job_env(job, settings)
        check_pool_limits((((job.name,), job.pools),), dict(settings.pools), what=f"job {job.name}")
        needed = {job.name: frozenset(variable for variable, _resource in job.env_vars)}  # secrets_per_asset
        one_op = per_op(job, settings)
        step = _job_step(job, job.pod, settings, needed, one_op)
        base = OP_STEP if one_op else OP_JOB_STEP
        plain = settings_key(dataclasses.replace(step, op_step=False)) == default
        wanted = base if plain else fit_name(f"{base}-{sanitise(job.name)}")
        own = dict(job.op_pods) if one_op else {}
        every_op_own = bool(own) and all(op.handle in own for op in job.steps)  # no task runs the job's template
        names[job.name] = wanted if every_op_own else named(step, wanted, job.name)
        for handle, pod in own.items():
            wanted = fit_name(f"{OP_STEP}-{sanitise(job.name)}-{sanitise(handle)}")
            op_names[(job.name, handle)] = named(
                _job_step(job, pod, settings, needed, True), wanted, f"{job.name}/{handle}"
            )
    return sorted(by_settings.values(), key=lambda s: s.name), names, op_names


def _job_step(
    job: OpJobSpec, pod: PodOverrides, settings: Settings, needed: dict[str, frozenset[str]], one_op: bool
) -> StepTemplate:
    """The step template for the job's pods (or one op's pod) with these pod settings."""
    stand_in = AssetSpec(key=(job.name,), deps=(), description=None, owners=(), retry=None, pod=pod)
    step = _op_job_step(step_template(OP_JOB_STEP, stand_in, settings, needed))
    return dataclasses.replace(step, pools=job.pools, op_step=one_op)


def check_job_env(job: OpJobSpec, settings: Settings) -> None:
    """As for assets (compiler/builder/fidelity/resource_env.py): a variable the manifests never set would fail
    every run of the job in its pod with "not set", after the build said nothing."""
    provided = {name for name, _ in settings.env} | set(settings.config_keys) | {name for name, _ in settings.secrets}
    provided |= set(instance_env(settings)) | {name for name, _ in job.pod.env}
    missing = [f"{variable} (resource {resource!r})" for variable, resource in job.env_vars if variable not in provided]
    if missing:
        raise UnsupportedInputError(
            f"job {job.name}: resources read EnvVar(s) that [tool.compiler] maps to nothing: {'; '.join(missing)}; "
            "add each to config_keys (a ConfigMap), env (a plain value) or secrets (a Secret), or the pod fails "
            "with 'not set'"
        )


def _op_job_step(step: StepTemplate) -> StepTemplate:
    return dataclasses.replace(step, op_job=True, retry=_infrastructure_only(step.retry))


def _infrastructure_only(retry: RetrySpec | None) -> RetrySpec | None:
    return dataclasses.replace(retry, failures=False) if retry else None


def op_job_dag(
    dag_name: str, job: OpJobSpec, step: str, settings: Settings, op_steps: Mapping[tuple[str, str], str] | None = None
) -> Dag:
    """`job-<name>`: one task per op (compiler/builder/op_steps.py), each running the job's step template or its
    op's own (`op_steps`), or one task, named after the job, running it in one pod."""
    if per_op(job, settings):
        own = op_steps or {}
        tasks = tuple(_op_task(job, op, own.get((job.name, op.handle), step)) for op in job.steps)
        return Dag(dag_name, tasks, parallelism=job.parallelism)
    task = Task(
        name=fit_name(sanitise(job.name, fallback="job")),
        template=step,
        asset=job.name,
        depends=(),
        description=free_text(job.description.strip()) if job.description else "",
    )
    return Dag(dag_name, (task,))


def _op_task(job: OpJobSpec, op: OpStep, step: str) -> Task:
    """One op's task: `depends` on the ops it reads; a mapped op fans out with `withParam` over the mapping keys its
    dynamic op's pod wrote. `known_state` names the tasks whose pods' known state (outputs stored, mapping keys) it
    needs: its direct upstream ops, a mapped one replaced by the op it is mapped over (the collect reads every mapped
    output, which Argo's `depends` on the whole fan-out says succeeded)."""
    mapped = {o.handle: o.mapped_over for o in job.steps if o.mapped_over}
    sources = sorted({mapped.get(up, up) for up in (*op.upstream, *([op.mapped_over] if op.mapped_over else []))})
    return Task(
        name=task_name(op.handle),
        template=step,
        asset=job.name,
        depends=tuple(task_name(up) for up in op.upstream),
        with_param=(
            f"{{{{tasks.{task_name(op.mapped_over)}.outputs.parameters.mapping-keys}}}}" if op.mapped_over else ""
        ),
        op_step=op.handle,
        known_state=tuple(task_name(source) for source in sources),
    )
