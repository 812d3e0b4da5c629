"""The step's security contexts and env once a `dagster-k8s/config` tag's Kubernetes objects meet the settings."""

from collections.abc import Mapping
from typing import Any

from compiler.builder.k8s_config import CONTAINER_DEFAULTS, PodExtras, merged_security
from compiler.errors import UnsupportedInputError
from compiler.settings import Settings


def pod_defaults(settings: Settings) -> dict[str, Any]:
    """The pod-level context workflow_spec.j2 gives every pod."""
    user = settings.defaults.run_as_user
    return {
        "runAsNonRoot": True,
        "runAsUser": user,
        "runAsGroup": user,
        "fsGroup": user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def pod_security_for(
    asset: str, extras: PodExtras, env: Mapping[str, object], settings: Settings
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(container, pod) security contexts to render; empty when the tag sets none (the defaults stay as written).
    An env `valueFrom` entry may not replace an entry the settings give (ConfigMap, Secret, plain)."""
    where = f"asset {asset}: op tag dagster-k8s/config"
    for entry in extras.env:
        if entry["name"] in env:
            raise UnsupportedInputError(
                f"{where}.container_config.env {entry['name']}: [tool.compiler] already sets it; remove one of them"
            )
    allow = settings.defaults.security_context == "user"
    container = (
        merged_security(
            CONTAINER_DEFAULTS, extras.container_security, allow, f"{where}.container_config.security_context"
        )
        if extras.container_security
        else {}
    )
    pod = (
        merged_security(pod_defaults(settings), extras.pod_security, allow, f"{where}.pod_spec_config.security_context")
        if extras.pod_security
        else {}
    )
    return container, pod
