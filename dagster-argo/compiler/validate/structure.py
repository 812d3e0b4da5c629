"""Structural validation against hera's Argo 4.x models, with unknown fields rejected at any depth."""

from typing import Any

import pydantic
from hera.workflows import models

KINDS: dict[str, type[pydantic.BaseModel]] = {
    "WorkflowTemplate": models.WorkflowTemplate,
    "CronWorkflow": models.CronWorkflow,
    "Workflow": models.Workflow,
    "ClusterWorkflowTemplate": models.ClusterWorkflowTemplate,
}
API_VERSION = "argoproj.io/v1alpha1"


def check_structure(document: Any) -> list[str]:
    if not isinstance(document, dict):
        return [f"manifest must be a mapping, got {type(document).__name__}"]
    kind = document.get("kind")
    if kind not in KINDS:
        return [f"kind: {kind!r} is not one of {', '.join(KINDS)}"]
    if document.get("apiVersion") != API_VERSION:
        return [f"apiVersion: {document.get('apiVersion')!r} must be {API_VERSION!r}"]
    try:
        instance = KINDS[kind].model_validate(document)
    except pydantic.ValidationError as error:
        return [f"{'.'.join(str(part) for part in item['loc']) or '(root)'}: {item['msg']}" for item in error.errors()]
    problems: list[str] = []
    _compare(instance, document, kind, problems)
    return problems


def unknown_fields(instance: pydantic.BaseModel, raw: Any, path: str) -> list[str]:
    """Keys of `raw` that the validated `instance` dropped (e.g. a dagster-k8s tag's Kubernetes objects)."""
    problems: list[str] = []
    _compare(instance, raw, path, problems)
    return problems


def _compare(value: Any, raw: Any, path: str, problems: list[str]) -> None:
    """Walks the validated model alongside the input; a key the model dropped is an unknown field."""
    if isinstance(value, pydantic.RootModel):
        _compare(value.root, raw, path, problems)
        return
    if isinstance(value, pydantic.BaseModel):
        if not isinstance(raw, dict):
            return
        fields = type(value).model_fields
        by_alias = {(info.alias or name): name for name, info in fields.items()}
        for key, item in raw.items():
            if key not in by_alias:
                problems.append(f"{path}.{key}: unknown field (not in Argo's {type(value).__name__})")
                continue
            _compare(getattr(value, by_alias[key]), item, f"{path}.{key}", problems)
        return
    if isinstance(value, list) and isinstance(raw, list):
        for index, (item, raw_item) in enumerate(zip(value, raw, strict=False)):
            _compare(item, raw_item, f"{path}[{index}]", problems)
        return
    if isinstance(value, dict) and isinstance(raw, dict):
        for key, item in value.items():
            if key in raw:
                _compare(item, raw[key], f"{path}.{key}", problems)


__all__ = ["KINDS", "check_structure", "unknown_fields"]
