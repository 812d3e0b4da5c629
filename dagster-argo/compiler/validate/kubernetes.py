"""The deploy bundle's Kubernetes kinds, so `validate argo_out/*.yaml` checks the whole folder `kubectl apply -k` reads.

ServiceAccount, Role, RoleBinding and ConfigMap are checked against Kubernetes' own OpenAPI schemas (strict) by the
`kubernetes-validate` package when it is installed (`make venv` installs it; pods never run `validate`). A
Kustomization is checked for what `kubectl apply -k` needs of it: a list of resource files that exist beside it.
"""

from pathlib import Path
from typing import Any

BUNDLE_KINDS = frozenset({"ServiceAccount", "Role", "RoleBinding", "ConfigMap"})
KUSTOMIZATION_KIND = "Kustomization"


def is_kubernetes_kind(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") in BUNDLE_KINDS | {KUSTOMIZATION_KIND}


def kubernetes_problems(document: dict[str, Any], path: Path) -> tuple[list[str], list[str]]:
    """(problems, notes) for one bundle resource; a note says what could not be checked on this machine."""
    if document.get("kind") == KUSTOMIZATION_KIND:
        return _kustomization_problems(document, path.parent), []
    try:
        from kubernetes_validate import utils as kubernetes_validate  # a dev-only package: imported when needed
    except ImportError:
        return [], [f"{document.get('kind')} not checked against Kubernetes' schemas: install kubernetes-validate"]
    try:
        kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)
    except kubernetes_validate.ValidationError as error:
        return [str(error.message)], []
    return [], []


def _kustomization_problems(document: dict[str, Any], folder: Path) -> list[str]:
    resources = document.get("resources")
    if not isinstance(resources, list) or not all(isinstance(entry, str) for entry in resources):
        return ["resources: expected a list of file names"]
    return [
        f"resources: {entry} does not exist beside the kustomization"
        for entry in resources
        if not (folder / entry).is_file()
    ]
