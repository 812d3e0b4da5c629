"""Argo `{{...}}` variable substitution for the variables a compiled step template uses."""

import re
from collections.abc import Mapping

from compiler.argo import CREATION_TIMESTAMP, SCHEDULED_TIME
from compiler.run_local.errors import RunLocalError

_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def substitute(text: str, scope: Mapping[str, str], where: str) -> str:
    """Replace every `{{name}}` from scope; an absent scheduledTime stays literal, as Argo leaves it."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in scope:
            return scope[name]
        if name == SCHEDULED_TIME:
            return match.group(0)
        known = ", ".join(sorted(scope)) or "(none)"
        raise RunLocalError(f"{where}: unresolved variable {{{{{name}}}}}; known here: {known}")

    return _VARIABLE.sub(replace, text)


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
