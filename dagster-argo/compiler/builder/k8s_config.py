"""The Kubernetes-object parts of a `dagster-k8s/config` tag: env `valueFrom`, `env_from`, `volume_mounts`,
`volumes`, `affinity`, `priority_class_name`, `image_pull_secrets`, `security_context` and
`pod_template_spec_metadata`.

Like dagster-k8s (which deserialises the tag into the Kubernetes client's models), keys are accepted in snake_case or
camelCase at any depth, except inside free-form maps (labels, annotations, matchLabels...), whose keys are data. Each
object is checked against the Kubernetes model Argo's schema embeds (hera's models): an unknown key is an error naming
it, and the same key given in both spellings is a conflict.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.errors import UnsupportedInputError
from compiler.shared_volume import VOLUME_NAME

# Maps whose keys are user data, not field names: never camelised.
FREE_FORM = frozenset({"labels", "annotations", "matchLabels", "nodeSelector", "volumeAttributes", "options"})
RESERVED_VOLUME = "tmp"  # the compiler's emptyDir at /tmp (read-only root file system)
TMP_MOUNT = "/tmp"  # noqa: S108  (the pod's own emptyDir, not a shared host directory)
RESERVED_LABELS = frozenset({"app.kubernetes.io/part-of", "dagster.io/asset"})
RESERVED_ANNOTATIONS = frozenset({"dagster.io/asset-key", "dagster.io/description", "dagster.io/owners"})
VALUE_SOURCES = frozenset({"secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"})

# What the compiler's pods run with (step.j2 / workflow_spec.j2); a tag may only tighten these.
CONTAINER_DEFAULTS: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
}
TIGHTER_PROFILES = frozenset({"RuntimeDefault", "Localhost"})


@dataclass(frozen=True)
class PodExtras:
    """Already camelCase and checked; plan.py merges the security contexts with the compiler's defaults."""

    env: tuple[Mapping[str, Any], ...] = ()  # entries with valueFrom
    env_from: tuple[Mapping[str, Any], ...] = ()
    volume_mounts: tuple[Mapping[str, Any], ...] = ()
    volumes: tuple[Mapping[str, Any], ...] = ()
    affinity: Mapping[str, Any] = field(default_factory=dict)
    priority_class_name: str | None = None
    image_pull_secrets: tuple[Mapping[str, Any], ...] = ()
    container_security: Mapping[str, Any] = field(default_factory=dict)
    pod_security: Mapping[str, Any] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)

    @property
    def pod_spec_patch(self) -> str:
        """Argo templates have no imagePullSecrets field; a podSpecPatch sets it on this step's pod only."""
        return json.dumps({"imagePullSecrets": list(self.image_pull_secrets)}) if self.image_pull_secrets else ""


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camelize(value: Any, where: str, parent: str | None = None) -> Any:
    """snake_case → camelCase keys, refusing a key given in both spellings (dagster-k8s would keep one silently)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = key if parent in FREE_FORM or not isinstance(key, str) else camel(key)
            if name in out:
                raise UnsupportedInputError(f"{where}: {key} conflicts with {name} (the same field twice); keep one")
            out[name] = camelize(item, f"{where}.{key}", name)
        return out
    if isinstance(value, list):
        return [camelize(item, f"{where}[{index}]") for index, item in enumerate(value)]
    return value


def checked(model: str, value: Any, where: str) -> Any:
    """Validated against the Kubernetes model of that name; returns the camelCase input unchanged."""
    import pydantic
    from hera.workflows import models

    from compiler.validate.structure import unknown_fields

    raw = camelize(value, where)
    try:
        instance = getattr(models, model).model_validate(raw)
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        at = ".".join(str(part) for part in first["loc"])
        raise UnsupportedInputError(f"{where}{'.' + at if at else ''}: {first['msg']}") from None
    problems = unknown_fields(instance, raw, where)
    if problems:
        found = re.search(r"\.([^.\[]+): unknown field", problems[0])
        written = _spellings(value).get(found.group(1), found.group(1)) if found else ""
        as_written = f" (written {written})" if found and written != found.group(1) else ""
        raise UnsupportedInputError(
            f"{problems[0]}{as_written}; the tag takes Kubernetes' {model} fields (snake_case or camelCase)"
        )
    return raw


def _spellings(value: Any) -> dict[str, str]:
    """camelCase → the key as the user wrote it, at any depth (for error messages)."""
    found: dict[str, str] = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                found.setdefault(camel(key), key)
            found = {**_spellings(item), **found}
    elif isinstance(value, list):
        for item in value:
            found = {**_spellings(item), **found}
    return found


def pick(section: Mapping[str, Any], snake: str, where: str) -> Any:
    """The value under `snake` or its camelCase spelling; both at once is a conflict."""
    spelled = [key for key in dict.fromkeys((snake, camel(snake))) if key in section]
    if len(spelled) > 1:
        raise UnsupportedInputError(f"{where}: {spelled[0]} conflicts with {spelled[1]} (the same field twice)")
    return section[spelled[0]] if spelled else None


def read_extras(container: Mapping[str, Any], pod: Mapping[str, Any], metadata: Any, where: str) -> PodExtras:
    env_refs = tuple(
        checked("EnvVar", entry, f"{where}.container_config.env[{entry.get('name')!r}]")
        for entry in container.get("env", [])
        if isinstance(entry, Mapping) and ("valueFrom" in entry or "value_from" in entry)
    )
    for entry in env_refs:
        if "value" in entry:
            raise UnsupportedInputError(
                f"{where}.container_config.env {entry['name']}: give value or valueFrom, not both"
            )
        if len(set(entry["valueFrom"]) & VALUE_SOURCES) != 1 or set(entry["valueFrom"]) - VALUE_SOURCES:
            raise UnsupportedInputError(
                f"{where}.container_config.env {entry['name']}: valueFrom needs exactly one of "
                f"{', '.join(sorted(VALUE_SOURCES))}"
            )
    volumes = _list("Volume", pick(pod, "volumes", where), f"{where}.pod_spec_config.volumes")
    mounts = _list("VolumeMount", pick(container, "volume_mounts", where), f"{where}.container_config.volume_mounts")
    _check_volumes(volumes, mounts, where)
    priority = pick(pod, "priority_class_name", where)
    if priority is not None and not (
        isinstance(priority, str) and re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", priority)
    ):
        raise UnsupportedInputError(f"{where}.pod_spec_config.priority_class_name: {priority!r} is not a valid name")
    affinity = pick(pod, "affinity", where)
    labels, annotations = _read_metadata(metadata, f"{where}.pod_template_spec_metadata")
    return PodExtras(
        env=env_refs,
        env_from=_list("EnvFromSource", pick(container, "env_from", where), f"{where}.container_config.env_from"),
        volume_mounts=mounts,
        volumes=volumes,
        affinity=checked("Affinity", affinity, f"{where}.pod_spec_config.affinity") if affinity is not None else {},
        priority_class_name=priority,
        image_pull_secrets=_list(
            "LocalObjectReference",
            pick(pod, "image_pull_secrets", where),
            f"{where}.pod_spec_config.image_pull_secrets",
        ),
        container_security=_object(
            "SecurityContext", pick(container, "security_context", where), f"{where}.container_config.security_context"
        ),
        pod_security=_object(
            "PodSecurityContext", pick(pod, "security_context", where), f"{where}.pod_spec_config.security_context"
        ),
        labels=labels,
        annotations=annotations,
    )


def _object(model: str, value: Any, where: str) -> dict[str, Any]:
    return dict(checked(model, value, where)) if value is not None else {}


def _list(model: str, value: Any, where: str) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise UnsupportedInputError(f"{where} must be a list")
    return tuple(checked(model, item, f"{where}[{index}]") for index, item in enumerate(value))


def _check_volumes(volumes: tuple[Mapping[str, Any], ...], mounts: tuple[Mapping[str, Any], ...], where: str) -> None:
    names = [volume["name"] for volume in volumes]
    if {RESERVED_VOLUME, VOLUME_NAME} & set(names) or len(set(names)) != len(names):
        raise UnsupportedInputError(
            f"{where}.pod_spec_config.volumes: names must be unique and not {RESERVED_VOLUME!r} (the compiler's /tmp) "
            f"or {VOLUME_NAME!r} ([tool.compiler.shared_volume])"
        )
    for mount in mounts:
        if mount["name"] not in names:
            raise UnsupportedInputError(
                f"{where}.container_config.volume_mounts {mount['name']}: no such volume in pod_spec_config.volumes"
            )
        if mount["mountPath"].rstrip("/") == TMP_MOUNT:
            raise UnsupportedInputError(
                f"{where}.container_config.volume_mounts {mount['name']}: /tmp is the compiler's writable emptyDir"
            )


def _read_metadata(value: Any, where: str) -> tuple[dict[str, str], dict[str, str]]:
    if value is None:
        return {}, {}
    if not isinstance(value, Mapping):
        raise UnsupportedInputError(f"{where} must be a mapping")
    unknown = sorted(set(value) - {"labels", "annotations"})
    if unknown:
        raise UnsupportedInputError(
            f"{where}: unsupported key(s) {', '.join(unknown)}; the step template's metadata takes labels, annotations"
        )
    found = []
    for kind, reserved in (("labels", RESERVED_LABELS), ("annotations", RESERVED_ANNOTATIONS)):
        entries = value.get(kind, {})
        if not isinstance(entries, Mapping) or not all(isinstance(v, str) for v in entries.values()):
            raise UnsupportedInputError(f"{where}.{kind} must map names to strings")
        taken = sorted(set(entries) & reserved)
        if taken:
            raise UnsupportedInputError(f"{where}.{kind}: {', '.join(taken)} is set by the compiler; use another key")
        found.append(dict(sorted(entries.items())))
    return found[0], found[1]


def merged_security(
    defaults: Mapping[str, Any], user: Mapping[str, Any], allow_override: bool, where: str
) -> dict[str, Any]:
    """The compiler's pod-security defaults with the user's fields on top. Unless `[tool.compiler.defaults]
    security_context = "user"`, a field may only keep or tighten what the default allows."""
    if not allow_override:
        for key, value in user.items():
            problem = _loosens(key, value)
            if problem:
                raise UnsupportedInputError(
                    f"{where}.{key}: {problem}; the compiler's pods only tighten their defaults "
                    '(set [tool.compiler.defaults] security_context = "user" to take the tag as written)'
                )
    result = {**defaults, **user}
    if not allow_override and "capabilities" in defaults:
        result["capabilities"] = {"drop": ["ALL"]}  # whatever else the tag drops, ALL is already gone
    return result


def _loosens(key: str, value: Any) -> str | None:
    must_be = {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
    }
    if key in must_be:
        return None if value is must_be[key] else f"must stay {str(must_be[key]).lower()}"
    if key in ("runAsUser", "runAsGroup"):
        return None if isinstance(value, int) and value > 0 else "root (0) is not allowed"
    if key == "capabilities":
        return "adding capabilities is not allowed" if value.get("add") else None
    if key in ("seccompProfile", "appArmorProfile"):
        return None if value.get("type") in TIGHTER_PROFILES else "only RuntimeDefault or Localhost profiles"
    if key == "procMount":
        return None if value == "Default" else "only the Default proc mount"
    if key in ("fsGroup", "fsGroupChangePolicy", "supplementalGroups"):
        return None if key != "supplementalGroups" or 0 not in value else "group 0 is not allowed"
    return "the compiler cannot judge whether this loosens its defaults"
