"""Argo `{{...}}` variable substitution for the variables a compiled step template uses."""

import re
import secrets
import string
import uuid
from collections.abc import Mapping

from compiler.argo import CREATION_TIMESTAMP, RETRIES, SCHEDULED_TIME
from compiler.run_local.errors import RunLocalError

_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
POD_NAME = "pod.name"
# An upstream task's output parameter in a task's arguments: Argo resolves it when the task starts, so planning leaves
# it as written and run_local/executor.py resolves it from the outputs of the tasks that finished (task_outputs).
TASK_OUTPUT = re.compile(r"^tasks\.[^.]+\.outputs\.parameters\.[^.]+$")
MAX_POD_NAME_PREFIX = 253 - 10 - 1  # Kubernetes' name limit, less the hash's 10 digits and the dash before them


# Left literal when the scope has no value, as Argo leaves them: scheduledTime outside a CronWorkflow, and `retries`,
# bound per attempt (`with_retries`) and kept as written on a template without a retryStrategy.
_LEFT_LITERAL = (SCHEDULED_TIME, RETRIES)


def substitute(text: str, scope: Mapping[str, str], where: str) -> str:
    """Replace every `{{name}}` from scope; an absent scheduledTime or retries stays literal, as Argo leaves it."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in scope:
            return scope[name]
        if name in _LEFT_LITERAL or TASK_OUTPUT.match(name):
            return match.group(0)
        known = ", ".join(sorted(scope)) or "(none)"
        raise RunLocalError(f"{where}: unresolved variable {{{{{name}}}}}; known here: {known}")

    return _VARIABLE.sub(replace, text)


def with_attempt(text: str, retries: int, pod: str) -> str:
    """`{{retries}}` and `{{pod.name}}` as Argo sets them for one attempt of a template with a retryStrategy:
    `retries` is 0 for the first pod, then 1, 2, ... (the retry node's child count before this one) and `pod` that
    attempt's own pod name (`attempt_node`). Argo substitutes both after the inputs, so one arriving through an input
    parameter's value is bound too, as here."""
    values = {RETRIES: str(retries), POD_NAME: pod}
    return _VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def workflow_scope(
    parameters: Mapping[str, str | None], scheduled_time: str | None, created_time: str
) -> dict[str, str]:
    """Variables visible everywhere: workflow parameters with a value, the run's creation time (one value for
    every task, as in Argo) and scheduledTime when given."""
    scope = {f"workflow.parameters.{name}": value for name, value in parameters.items() if value is not None}
    scope[CREATION_TIMESTAMP] = created_time
    if scheduled_time is not None:
        scope[SCHEDULED_TIME] = scheduled_time
    return scope


def apply_overrides(defaults: Mapping[str, str | None], overrides: Mapping[str, str]) -> dict[str, str | None]:
    """`-p NAME=VALUE` over spec.arguments defaults; a name the workflow does not declare is a usage error."""
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        declared = ", ".join(sorted(defaults)) or "(none)"
        raise RunLocalError(f"-p {', '.join(unknown)}: not a workflow parameter; declared: {declared}")
    return {**defaults, **overrides}


def identity_scope(template_name: str, namespace: str) -> dict[str, str]:
    """workflow.name/uid/namespace of a Workflow submitted from the template: `<template>-<5 random>` as Argo's
    generateName gives it, a fresh uid, the manifest's namespace."""
    suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(5))
    return {
        "workflow.name": f"{template_name}-{suffix}",
        "workflow.uid": str(uuid.uuid4()),
        "workflow.namespace": namespace,
    }


def task_node(workflow_name: str, task: str) -> str:
    """Argo's node name of a DAG task: `<workflow>.<task>`, `task` being its path below the entrypoint (a nested
    DAG's task reads `<outer task>(<index>:<item>).<task>`)."""
    return f"{workflow_name}.{task}"


def attempt_node(node: str, retries: int) -> str:
    """The node of one attempt of a template with a retryStrategy: the retry node's child `<node>(<retries>)`, whose
    name Argo hashes into that attempt's pod name (its operator's `fmt.Sprintf("%s(%d)", retryNodeName, retryNum)`)."""
    return f"{node}({retries})"


def pod_name(workflow_name: str, template: str, node: str) -> str:
    """Argo's pod name (POD_NAMES v2, its default): `<workflow>-<template>-<fnv32a of the node name>`, the prefix cut
    to 242 characters so the name fits Kubernetes' 253 (Argo's `GeneratePodName`/`ensurePodNamePrefixLength`)."""
    digest = 0x811C9DC5
    for byte in node.encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{f'{workflow_name}-{template}'[:MAX_POD_NAME_PREFIX]}-{digest}"


def task_outputs(text: str, outputs: Mapping[str, str], where: str) -> str:
    """`{{tasks.T.outputs.parameters.P}}` left by planning, from the finished tasks' outputs; others stay."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if not TASK_OUTPUT.match(name):
            return match.group(0)
        if name in outputs:
            return outputs[name]
        raise RunLocalError(f"{where}: unable to resolve {{{{{name}}}}} (Argo fails the workflow too)")

    return _VARIABLE.sub(replace, text)
