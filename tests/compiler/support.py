"""Shared helpers: compile Definitions in-process, run the CLI as a real subprocess, check outputs."""

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.parse import parse_documents
from compiler.settings import Settings, parse_settings
from compiler.validate.events import is_events_kind
from tests.compiler.argo_schema import schema_errors
from tests.compiler.events.events_schema import events_schema_errors

REPO = Path(__file__).resolve().parents[2]
SETTINGS_TOML = """
[tool.compiler]
name = "demo"
image = "registry.example/demo"
image_tag = "1.0"
namespace = "argo"
service_account = "demo"
config_map = "demo-config"
config_keys = ["OPENAQ_BASE_URL", "MINIO_ENDPOINT", "MINIO_BUCKET"]
# Not secrets: the test projects' dagster-k8s/config tags give these literal values.
plain_env = ["A", "B", "MODE", "X"]

[tool.compiler.env]
HOME = "/tmp"

[tool.compiler.secrets]
OPENAQ_API_KEY = { name = "openaq", key = "api-key" }
MINIO_ACCESS_KEY = { name = "minio-credentials", key = "access-key" }
MINIO_SECRET_KEY = { name = "minio-credentials", key = "secret-key" }
"""


def demo_settings(**overrides: Any) -> Settings:
    import tomllib

    section = tomllib.loads(SETTINGS_TOML)["tool"]["compiler"]
    section.update(overrides)
    return parse_settings(section)


def compile_defs(defs: dg.Definitions, module: str = "project", **settings: Any) -> dict[str, Any]:
    """File name → parsed manifest, after asserting each passes Argo's strict JSON schema."""
    result = compile_project(project_from_definitions(module, defs), demo_settings(**settings))
    documents = {}
    for name, text in result.files.items():
        [document] = parse_documents(text, name)
        errors = events_schema_errors(document) if is_events_kind(document) else schema_errors(document)
        assert errors == [], (name, errors[:5])
        documents[name] = document
    return documents


def workflow_template(documents: dict[str, Any]) -> dict[str, Any]:
    [document] = [d for d in documents.values() if d["kind"] == "WorkflowTemplate"]
    return document


def dag(document: dict[str, Any], name: str = "main") -> dict[str, dict[str, Any]]:
    """Task name → task of the named DAG template."""
    [template] = [t for t in document["spec"]["templates"] if t["name"] == name]
    return {task["name"]: task for task in template["dag"]["tasks"]}


def write_project(directory: Path, module: str, source: str) -> None:
    """A code location on disk plus a pyproject with [tool.compiler], as a user's repository would have."""
    (directory / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    (directory / "pyproject.toml").write_text(SETTINGS_TOML, encoding="utf-8")


def compiler_process(
    arguments: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """`python -m compiler ARGUMENTS` as a real subprocess, output captured, its exit code left to the test."""
    return subprocess.run(
        [sys.executable, "-m", "compiler", *arguments],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_compiler(*arguments: str, cwd: Path, seed: str = "0") -> subprocess.CompletedProcess[str]:
    """The CLI run from `cwd` (a user's project folder) with this checkout importable and a fixed hash seed."""
    return compiler_process(arguments, cwd, {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)})
