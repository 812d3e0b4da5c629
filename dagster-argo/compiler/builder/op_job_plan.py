"""Op/graph jobs in the plan (compiler/builder/op_jobs.py reads them): one `job-<name>` DAG each, holding one task
that runs the whole job in one pod (`materialize --job`), and the step templates those tasks use.

Jobs with the default pod settings share one step template, `op-job`; a job with its own `dagster-k8s/config` tag
gets `op-job-<task>`. Retries: Dagster applies the ops' `RetryPolicy` and the job's `op_retry_policy` inside the pod,
as `execute_in_process` does, so the step keeps Argo's infrastructure-only retry (a pod lost, evicted or stopped):
Argo retrying a failed op job too would rerun ops Dagster already retried.
"""

import dataclasses

from compiler.builder.model import AssetSpec, OpJobSpec, RetrySpec
from compiler.builder.naming import NAME_LIMIT, fit_name, sanitise, with_hash
from compiler.builder.plan_types import Dag, StepTemplate, Task, free_text
from compiler.builder.steps import step_template
from compiler.settings import Settings

OP_JOB_STEP = "op-job"


def op_job_steps(jobs: tuple[OpJobSpec, ...], settings: Settings) -> tuple[list[StepTemplate], dict[str, str]]:
    """The step templates of the op jobs (each distinct pod setting once) and each job's template name."""
    used: dict[str, StepTemplate] = {}
    names: dict[str, str] = {}
    for job in jobs:
        name = OP_JOB_STEP if job.pod.is_empty else fit_name(f"{OP_JOB_STEP}-{sanitise(job.name)}")
        if name in used and name != OP_JOB_STEP:  # two job names that sanitise alike
            name = with_hash(name, job.name, NAME_LIMIT)
        stand_in = AssetSpec(key=(job.name,), deps=(), description=None, owners=(), retry=None, pod=job.pod)
        step = step_template(name, stand_in if not job.pod.is_empty else None, settings, None)
        step = dataclasses.replace(step, op_job=True, retry=_infrastructure_only(step.retry))
        used.setdefault(step.name, step)
        names[job.name] = step.name
    return [used[name] for name in sorted(used)], names


def _infrastructure_only(retry: RetrySpec | None) -> RetrySpec | None:
    return dataclasses.replace(retry, failures=False) if retry else None


def op_job_dag(dag_name: str, job: OpJobSpec, step: str) -> Dag:
    """`job-<name>`: one task, named after the job, running it in one pod."""
    task = Task(
        name=fit_name(sanitise(job.name, fallback="job")),
        template=step,
        asset=job.name,
        depends=(),
        description=free_text(job.description.strip()) if job.description else "",
    )
    return Dag(dag_name, (task,))
