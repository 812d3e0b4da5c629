"""Turn the workflow model into concrete processes, resolving every variable and env ref up front."""

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from compiler.argo import placeholder
from compiler.run_local.backoff import Backoff
from compiler.run_local.environment import container_environment, missing_references
from compiler.run_local.errors import RunLocalError
from compiler.run_local.manifest import DagTask, WorkflowModel
from compiler.run_local.retry_rule import RetryRule
from compiler.run_local.substitute import (
    POD_NAME,
    apply_overrides,
    attempt_node,
    identity_scope,
    pod_name,
    substitute,
    task_node,
    with_attempt,
    workflow_scope,
)
from compiler.run_local.when import keep_task_outputs

PYTHON_COMMANDS = ("python", "python3")


@dataclass(frozen=True)
class PlannedTask:
    """Exactly what one pod would run: argv, env, upstream tasks and retry budget."""

    name: str
    depends: frozenset[str]
    argv: tuple[str, ...]
    env: Mapping[str, str]
    attempts: int
    backoff: Backoff | None  # Argo's retry backoff (compiler/run_local/backoff.py)
    secret_values: frozenset[str]
    retry_rule: RetryRule | None = None  # retryStrategy.expression: may a failed attempt be retried
    group: str = ""  # the entrypoint's fan-out child it runs in (see run_local/groups.py)
    when: str = ""  # workflow and input variables substituted; `tasks.*` outputs resolve when it is ready
    needs_success: frozenset[str] = frozenset()
    outputs: Mapping[str, Path] = field(default_factory=dict)  # output parameter → the local file it is read from
    semaphores: tuple[tuple[str, int], ...] = ()  # (configmap/key, limit) held while the task runs
    prefix: str = ""
    outer_whens: tuple[tuple[str, str], ...] = ()  # enclosing nested-DAG tasks' `when`s (run_local/manifest.py)
    retry_strategy: bool = False  # `{{retries}}`, `{{pod.name}}` are bound per attempt (retries else left literal)
    yaml_env: frozenset[str] = frozenset()  # env names whose value the YAML spells out (Secret/ConfigMap refs are not)
    pod_name_parts: tuple[str, str, str] = ("", "", "")  # workflow name, template name, node name
    with_param: str = ""  # withParam, `tasks.*` outputs left to resolve when ready (compiler/run_local/with_param.py)

    def for_attempt(self, number: int) -> tuple[tuple[str, ...], dict[str, str]]:
        """argv and env of attempt `number` (1 = the first pod). On a template with a retryStrategy Argo makes each
        attempt a child node of its own: `{{retries}}` is `number - 1` there and `{{pod.name}}` that child's pod."""
        if not self.retry_strategy:
            return self.argv, dict(self.env)
        retries = number - 1
        workflow_name, template_name, node = self.pod_name_parts
        pod = pod_name(workflow_name, template_name, attempt_node(node, retries))
        argv = tuple(with_attempt(part, retries, pod) for part in self.argv)
        env = {
            name: with_attempt(value, retries, pod) if name in self.yaml_env else value
            for name, value in self.env.items()
        }
        return argv, env


def plan_workflow(
    workflow: WorkflowModel,
    overrides: Mapping[str, str],
    scheduled_time: str | None,
    local_env: Mapping[str, str],
    created_time: str,
    outputs_dir: Path | None = None,
    exact_name: bool = False,
    extra_scope: Mapping[str, str] | None = None,
) -> list[PlannedTask]:
    """Every error (unknown -p, unresolved variable, missing secret env) surfaces here, before any task runs.

    `exact_name`: the Workflow is named as written (an Argo Events trigger sets `metadata.name`), not generated."""
    if not workflow.tasks:
        raise RunLocalError(f"{workflow.name}: the entrypoint DAG has no tasks")
    parameters = apply_overrides(workflow.parameters, overrides)
    identity = identity_scope(workflow.name, workflow.namespace)
    if exact_name:
        identity["workflow.name"] = workflow.name
    # extra_scope: what only an exit handler sees (workflow.status; run_local/exit_handler.py)
    scope = {**workflow_scope(parameters, scheduled_time, created_time), **identity, **(extra_scope or {})}
    missing = sorted({m for task in workflow.tasks for m in missing_references(task.template.env, local_env)})
    if missing:
        raise RunLocalError(
            "set these environment variables before running (run-local maps secretKeyRef and "
            f"configMapKeyRef to local variables of the same name): {'; '.join(missing)}"
        )
    planned = [_plan_task(task, scope, local_env, outputs_dir) for task in workflow.tasks]
    return [
        replace(task, semaphores=tuple((name, workflow.semaphore_limits[name]) for name in source.template.semaphores))
        for task, source in zip(planned, workflow.tasks, strict=True)
    ]


def _plan_task(
    task: DagTask, workflow_vars: Mapping[str, str], local_env: Mapping[str, str], outputs_dir: Path | None = None
) -> PlannedTask:
    template = task.template
    where = f"task {task.name!r} (template {template.name!r})"
    inputs: dict[str, str] = {}
    for name, default in template.inputs.items():
        value = task.arguments.get(name, default)
        if value is None:
            raise RunLocalError(f"{where}: input parameter {name!r} has no value and no default")
        inputs[f"inputs.parameters.{name}"] = substitute(value, workflow_vars, f"{where} argument {name}")
    scope = {**workflow_vars, **inputs}
    workflow_name = workflow_vars["workflow.name"]
    node = task_node(workflow_name, task.name)
    # With a retryStrategy each attempt has its own pod, named in `for_attempt`; until then the variable stays.
    retried = template.retry_strategy
    scope[POD_NAME] = placeholder(POD_NAME) if retried else pod_name(workflow_name, template.name, node)
    outputs = _output_files(task, outputs_dir)
    scope.update({f"outputs.parameters.{name}.path": str(path) for name, path in outputs.items()})
    argv = [substitute(part, scope, f"{where} command/args") for part in (*template.command, *template.args)]
    if argv[0] in PYTHON_COMMANDS:
        argv[0] = sys.executable
    env, secrets = container_environment(template.env, scope, local_env, where)
    return PlannedTask(
        name=task.name,
        depends=task.depends,
        argv=tuple(argv),
        env=env,
        attempts=template.retry_limit + 1 if template.retry_on_failure else 1,
        backoff=template.backoff,
        secret_values=secrets,
        retry_rule=template.retry_rule,
        group=task.group,
        when=keep_task_outputs(task.when, scope, where) if task.when else "",
        needs_success=task.needs_success,
        outputs=outputs,
        prefix=task.prefix,
        outer_whens=tuple((keep_task_outputs(when, scope, where), prefix) for when, prefix in task.outer_whens),
        retry_strategy=retried,
        yaml_env=frozenset(entry.name for entry in template.env if entry.source is None),
        pod_name_parts=(workflow_name, template.name, node),
        with_param=keep_task_outputs(task.with_param, scope, where) if task.with_param else "",
    )


def _output_files(task: DagTask, outputs_dir: Path | None) -> dict[str, Path]:
    """Each output parameter's file, under this run's own directory rather than the container path (two replays
    on one machine must not read each other's outputs)."""
    if not task.template.outputs:
        return {}
    if outputs_dir is None:
        raise RunLocalError(f"task {task.name!r}: declares output parameters; run-local needs an outputs directory")
    folder = outputs_dir / task.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)  # a container's /tmp exists; the file is the command's to write
    return {name: folder / name for name in task.template.outputs}
