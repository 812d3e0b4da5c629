"""`[tool.compiler.instance]`: which Dagster instance the pods record their runs in, and the env that carries it.

Absent (or `kind = "ephemeral"`): each pod runs on a throw-away instance, nothing is kept (the default).
`kind = "postgres"`: each pod records its run, materializations and check results in a shared Dagster instance on
PostgreSQL (`dagster-postgres`), tagged with the Argo workflow, task and pod, so a Dagster UI on the same database
shows what Argo ran. Host, port, database and user are non-secret keys of the `config_map`; the password comes only
from a Secret (`secretKeyRef`). The names below are the contract between the compiler (which emits them) and
`compiler/materialize/instance.py` (which reads them in the pod).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.errors import UnsupportedInputError
from compiler.settings import DNS_SUBDOMAIN, SECRET_KEY, SecretRef, Settings
from compiler.settings_reader import TableReader as _Reader

KINDS = ("ephemeral", "postgres")
# Set to "postgres" in the pod: the step must use the shared instance and fails rather than fall back.
INSTANCE_KIND_ENV = "DAGSTER_ARGO_INSTANCE"
# Non-secret connection settings, read from the ConfigMap `[tool.compiler] config_map`.
PG_HOST_ENV = "DAGSTER_PG_HOST"
PG_PORT_ENV = "DAGSTER_PG_PORT"
PG_DB_ENV = "DAGSTER_PG_DB"
PG_USER_ENV = "DAGSTER_PG_USER"
PG_CONFIG_KEYS = (PG_DB_ENV, PG_HOST_ENV, PG_PORT_ENV, PG_USER_ENV)
PG_PASSWORD_ENV = "DAGSTER_PG_PASSWORD"  # noqa: S105 - the variable name; the value comes from a Secret only
ARGO_UI_URL_ENV = "ARGO_UI_URL"
CRON_WORKFLOW_PARAMETER = "cron-workflow"
# Run tag → env variable → the Argo variable Argo substitutes into it (the pod name could also come from the
# downward API; `{{pod.name}}` is the same value and run-local can substitute it).
RUN_TAG_ENV = {
    "argo/workflow": ("ARGO_WORKFLOW", "{{workflow.name}}"),
    "argo/workflow-uid": ("ARGO_WORKFLOW_UID", "{{workflow.uid}}"),
    "argo/namespace": ("ARGO_NAMESPACE", "{{workflow.namespace}}"),
    "argo/node": ("ARGO_NODE", "{{inputs.parameters.task}}"),
    "argo/pod": ("ARGO_POD", "{{pod.name}}"),
    # The tick (set by the cron controller; literal on a manual submit, then left out).
    "argo/scheduled-time": ("ARGO_SCHEDULED_TIME", "{{workflow.scheduledTime}}"),
    # The CronWorkflow passes its own name as this workflow parameter (empty on a manual submit, then left out).
    # Not `{{workflow.labels.workflows.argoproj.io/cron-workflow}}`: Argo refuses to submit a template naming a
    # label the Workflow lacks (argo-workflows issue 8837), which a manual submit would.
    "argo/cron-workflow": ("ARGO_CRON_WORKFLOW", "{{workflow.parameters.cron-workflow}}"),
}
_URL = re.compile(r"^https?://[^\s/@{}]+(/[^\s{}]*)?$")


@dataclass(frozen=True)
class InstanceSettings:
    kind: str
    password: SecretRef
    argo_ui_url: str | None = None


def read_instance(section: Mapping[str, Any]) -> InstanceSettings | None:
    """None for the default throw-away instance; otherwise the postgres settings, checked by name."""
    reader = _Reader("tool.compiler.instance", section)
    kind = reader.choice("kind", KINDS, default="ephemeral")
    if kind == "ephemeral":
        reader.reject_unknown()
        return None
    password = reader.table("password")
    password_reader = _Reader("tool.compiler.instance.password", password)
    if not password:
        raise UnsupportedInputError(
            '[tool.compiler.instance] kind = "postgres" needs password = { name = SECRET, key = KEY } '
            "(the PostgreSQL password comes only from a Secret)"
        )
    ref = SecretRef(
        name=password_reader.text("name", pattern=DNS_SUBDOMAIN, hint="a Secret name (DNS-1123 subdomain)"),
        key=password_reader.text("key", pattern=SECRET_KEY, hint="a Secret data key"),
    )
    password_reader.reject_unknown()
    url = reader.text("argo_ui_url", default="", pattern=_URL, hint="an http(s) URL without user:password@")
    reader.reject_unknown()
    return InstanceSettings(kind=kind, password=ref, argo_ui_url=url.rstrip("/") or None)


def instance_config_keys(settings: Settings) -> tuple[str, ...]:
    """The ConfigMap keys the shared instance's connection is read from (none for the throw-away instance)."""
    return PG_CONFIG_KEYS if settings.instance is not None else ()


def check_instance_env(settings: Settings) -> None:
    """The instance's variables have one source: the compiler. The same name elsewhere would be ambiguous."""
    if settings.instance is None:
        return
    ours = {INSTANCE_KIND_ENV, PG_PASSWORD_ENV, ARGO_UI_URL_ENV, *PG_CONFIG_KEYS}
    ours.update(env for env, _ in RUN_TAG_ENV.values())
    theirs = {name for name, _ in settings.env} | set(settings.config_keys) | {name for name, _ in settings.secrets}
    clash = sorted(ours & theirs)
    if clash:
        raise UnsupportedInputError(
            f'[tool.compiler] {", ".join(clash)} set by hand while [tool.compiler.instance] kind = "postgres" '
            "sets it; remove it from env/config_keys/secrets"
        )
