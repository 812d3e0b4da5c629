"""Argo `{{...}}` variable substitution for the variables a compiled step template uses."""

import re
import secrets
import string
import uuid
from collections.abc import Mapping

from compiler.argo import CREATION_TIMESTAMP, RETRIES, SCHEDULED_TIME
from compiler.run_local.errors import RunLocalError

_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


# Left literal when the scope has no value, as Argo leaves them: scheduledTime outside a CronWorkflow, and `retries`,
# bound per attempt (`with_retries`) and kept as written on a template without a retryStrategy.
_LEFT_LITERAL = (SCHEDULED_TIME, RETRIES)


def substitute(text: str, scope: Mapping[str, str], where: str) -> str:
    """Replace every `{{name}}` from scope; an absent scheduledTime or retries stays literal, as Argo leaves it."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in scope:
            return scope[name]
        if name in _LEFT_LITERAL:
            return match.group(0)
        known = ", ".join(sorted(scope)) or "(none)"
        raise RunLocalError(f"{where}: unresolved variable {{{{{name}}}}}; known here: {known}")

    return _VARIABLE.sub(replace, text)


def with_retries(text: str, retries: int) -> str:
    """`{{retries}}` as Argo sets it for one attempt of a template with a retryStrategy: 0 for the first pod, then 1,
    2, ... (the retry node's child count before this one). Argo substitutes it after the inputs, so a `{{retries}}`
    arriving through an input parameter's value is bound too, as here."""
    return _VARIABLE.sub(lambda match: str(retries) if match.group(1) == RETRIES else match.group(0), text)


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


def pod_name(workflow_name: str, template: str, task: str) -> str:
    """Argo's pod name (POD_NAMES v2): `<workflow>-<template>-<fnv32a of the node name>`, the node being
    `<workflow>.<task>` in a DAG (the retry attempt's own node is not modelled)."""
    digest = 0x811C9DC5
    for byte in f"{workflow_name}.{task}".encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{workflow_name}-{template}-{digest}"
