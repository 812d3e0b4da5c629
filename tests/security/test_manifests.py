"""The generated manifests of the real project: no credential value anywhere, credentials only as secretKeyRef, and
every pod non-root, without privilege escalation, on a read-only root filesystem."""

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FAKE = {
    "OPENAQ_API_KEY": "fake-openaq-key-SECURITY-3f9a",
    "MINIO_ACCESS_KEY": "fake-access-key-SECURITY-77c1",
    "MINIO_SECRET_KEY": "fake-secret-key-SECURITY-b40e",
    "OPENAQ_BASE_URL": "http://fake-openaq.invalid:9",
    "MINIO_ENDPOINT": "http://fake-minio.invalid:9",
    "MINIO_BUCKET": "fake-bucket-security",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """`python -m compiler build` of the real code location into a tmp dir, with fake credentials exported."""
    out = tmp_path_factory.mktemp("argo_out")
    finished = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--out", str(out)],
        cwd=REPO,
        env={**os.environ, **FAKE},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    for value in FAKE.values():
        assert value not in finished.stdout + finished.stderr
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}
    assert files
    return files


def documents(built: dict[str, str]) -> list[dict[str, Any]]:
    return [doc for text in built.values() for doc in yaml.safe_load_all(text) if doc]


def containers(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if "spec" not in document:  # the deploy bundle's ServiceAccount, Role, ConfigMap, ...: no pods
        return
    spec = document["spec"].get("workflowSpec", document["spec"])
    for template in spec.get("templates", []):
        for kind in ("container", "script"):
            if kind in template:
                yield template[kind]
        yield from template.get("initContainers", [])
        yield from template.get("sidecars", [])


def test_no_credential_value_in_any_generated_file(built: dict[str, str]) -> None:
    for name, text in built.items():
        for variable, value in FAKE.items():
            assert value not in text, f"{variable}'s value leaked into {name}"


def test_credentials_reach_pods_only_as_secret_key_refs(built: dict[str, str]) -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["compiler"]
    secrets = settings["secrets"]
    assert set(secrets) == {"OPENAQ_API_KEY", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"}
    seen = 0
    for document in documents(built):
        for container in containers(document):
            env = {entry["name"]: entry for entry in container.get("env", [])}
            for variable, ref in secrets.items():
                assert env[variable] == {"name": variable, "valueFrom": {"secretKeyRef": ref}}
                seen += 1
            for entry in container.get("envFrom", []):
                assert "secretRef" not in entry  # a whole Secret would expose keys we did not name
    assert seen >= len(secrets)  # at least one step container was found and checked


def test_every_pod_is_non_root_read_only_and_cannot_escalate(built: dict[str, str]) -> None:
    checked = 0
    for document in documents(built):
        if document["kind"] != "WorkflowTemplate":
            continue
        assert document["spec"]["securityContext"]["runAsNonRoot"] is True
        for container in containers(document):
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context.get("privileged", False) is False
            checked += 1
    assert checked >= 1
