"""Reads the `dagster-k8s/config` op tag, the convention dagster-k8s users already write, into PodOverrides."""

import json
from collections.abc import Mapping
from typing import Any

from compiler.builder.k8s_config import read_extras
from compiler.builder.model import PodOverrides
from compiler.errors import UnsupportedInputError
from compiler.settings import DNS_SUBDOMAIN, plain_env_value
from compiler.user_text import reject_live_expressions

TAG = "dagster-k8s/config"
DEADLINE_KEYS = ("active_deadline_seconds", "activeDeadlineSeconds")
# Kubernetes objects read by compiler/builder/k8s_config.py, in both spellings dagster-k8s accepts
CONTAINER_OBJECT_KEYS = ("env_from", "envFrom", "volume_mounts", "volumeMounts", "security_context", "securityContext")
POD_OBJECT_KEYS = (
    "volumes",
    "affinity",
    "priority_class_name",
    "priorityClassName",
    "image_pull_secrets",
    "imagePullSecrets",
    "security_context",
    "securityContext",
)
TOLERATION_KEYS = {
    "key": "key",
    "operator": "operator",
    "value": "value",
    "effect": "effect",
    "toleration_seconds": "tolerationSeconds",
    "tolerationSeconds": "tolerationSeconds",
}


def read_pod_overrides(asset: str, tags: Mapping[str, Any]) -> PodOverrides:
    """Dagster returns dict-valued op tags as JSON strings; both forms are accepted."""
    raw = tags.get(TAG)
    if raw is None:
        return PodOverrides()
    where = f"asset {asset}: op tag {TAG}"
    config = _as_mapping(json.loads(raw) if isinstance(raw, str) else raw, where)
    reject_live_expressions(config, where)  # every string of the tag reaches the manifest in some form
    _reject_unknown(
        config, {"container_config", "pod_spec_config", "job_spec_config", "pod_template_spec_metadata"}, where
    )
    container = _as_mapping(config.get("container_config", {}), f"{where}.container_config")
    pod = _as_mapping(config.get("pod_spec_config", {}), f"{where}.pod_spec_config")
    job = _as_mapping(config.get("job_spec_config", {}), f"{where}.job_spec_config")
    _reject_unknown(container, {"resources", "env", "image", *CONTAINER_OBJECT_KEYS}, f"{where}.container_config")
    _reject_unknown(
        pod,
        {
            "node_selector",
            "nodeSelector",
            "tolerations",
            "service_account_name",
            "serviceAccountName",
            *DEADLINE_KEYS,
            *POD_OBJECT_KEYS,
        },
        f"{where}.pod_spec_config",
    )
    _reject_unknown(job, set(DEADLINE_KEYS), f"{where}.job_spec_config")
    service_account = pod.get("service_account_name", pod.get("serviceAccountName"))
    if service_account is not None and not (isinstance(service_account, str) and DNS_SUBDOMAIN.match(service_account)):
        raise UnsupportedInputError(f"{where}.pod_spec_config: service account {service_account!r} is not a valid name")
    image = container.get("image")
    if image is not None and not (isinstance(image, str) and image.strip() and "{{" not in image):
        raise UnsupportedInputError(f"{where}.container_config.image must be a non-empty image reference")
    return PodOverrides(
        image=image,
        resources=_read_resources(container.get("resources", {}), f"{where}.container_config.resources"),
        env=_read_env(container.get("env", []), f"{where}.container_config.env"),
        node_selector=_read_string_map(pod.get("node_selector", pod.get("nodeSelector", {})), f"{where}.node_selector"),
        tolerations=_read_tolerations(pod.get("tolerations", []), f"{where}.pod_spec_config.tolerations"),
        service_account=service_account,
        active_deadline_seconds=_read_deadline(job, pod, where),
        extras=read_extras(container, pod, config.get("pod_template_spec_metadata"), where),
    )


def _read_deadline(job: Mapping[str, Any], pod: Mapping[str, Any], where: str) -> int | None:
    """dagster-k8s's step deadline (the k8s Job's, or the pod's, activeDeadlineSeconds) → the template's; with
    both, the shorter one ends the pod first, as on Kubernetes."""
    found = [
        (f"{where}.{section}.{key}", value)
        for section, mapping in (("job_spec_config", job), ("pod_spec_config", pod))
        for key, value in mapping.items()
        if key in DEADLINE_KEYS
    ]
    for at, value in found:
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise UnsupportedInputError(f"{at} must be a positive number of seconds, got {value!r}")
    return min((value for _, value in found), default=None)


def _as_mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UnsupportedInputError(f"{where} must be a mapping, got {type(value).__name__}")
    return value


def _reject_unknown(section: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise UnsupportedInputError(
            f"{where}: unsupported key(s) {', '.join(unknown)}; the compiler supports {', '.join(sorted(allowed))}"
        )


def _read_string_map(value: Any, where: str) -> dict[str, str]:
    mapping = _as_mapping(value, where)
    for key, item in mapping.items():
        if not isinstance(item, str) or "{{" in f"{key}{item}":
            raise UnsupportedInputError(f"{where}.{key} must be a plain string without '{{{{'")
    return dict(sorted(mapping.items()))


def _read_resources(value: Any, where: str) -> dict[str, dict[str, str]]:
    resources = _as_mapping(value, where)
    _reject_unknown(resources, {"requests", "limits"}, where)
    return {kind: _read_string_map(amounts, f"{where}.{kind}") for kind, amounts in sorted(resources.items())}


def _read_env(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise UnsupportedInputError(f"{where} must be a list of {{name, value}} entries")
    env: dict[str, str] = {}
    for entry in value:
        entry = _as_mapping(entry, where)
        if "valueFrom" in entry or "value_from" in entry:
            continue  # secretKeyRef/configMapKeyRef/fieldRef: compiler/builder/k8s_config.py
        _reject_unknown(entry, {"name", "value"}, f"{where} entry {entry.get('name')!r}")
        name = entry.get("name")
        env[str(name)] = plain_env_value(name, entry.get("value"), where)
    return tuple(sorted(env.items()))


def _read_tolerations(value: Any, where: str) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list):
        raise UnsupportedInputError(f"{where} must be a list")
    tolerations = []
    for entry in value:
        entry = _as_mapping(entry, where)
        _reject_unknown(entry, set(TOLERATION_KEYS), where)
        tolerations.append({TOLERATION_KEYS[key]: item for key, item in sorted(entry.items())})
    return tuple(tolerations)
