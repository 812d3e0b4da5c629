"""Build a test project, replay it with run-local, and ask Dagster in process for the same run: the keys each
materialized are the files Dagster's FilesystemIOManager wrote into SHAPES_DIR (the directory all steps share)."""

import importlib
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

from tests.compiler.support import REPO, compiler_process

RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SETTINGS = """
[tool.compiler]
name = "shapes"
image = "registry.example/shapes"
image_tag = "1.0"
namespace = "argo"
service_account = "shapes"
config_map = "shapes-config"
config_keys = ["SHAPES_DIR"]
# The projects' filesystem IO manager writes under SHAPES_DIR, one directory every "pod" (process) sees.
shared_io_managers = ["io_manager"]

[tool.compiler.env]
HOME = "/tmp"
"""


def shapes_env(shapes_dir: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "SHAPES_DIR": str(shapes_dir)}


def build(module: str, root: Path, settings: str = SETTINGS) -> subprocess.CompletedProcess[str]:
    (root / "pyproject.toml").write_text(settings, encoding="utf-8")
    command = ["build", "--module", module, "--settings", str(root / "pyproject.toml"), "--out", str(root / "out")]
    return compiler(command, shapes_env(root / "unused"))


def compiler(arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The CLI run from the repository root; replays run whole workflows, so they get a longer timeout."""
    return compiler_process(arguments, REPO, env, timeout=600)


def load_yaml(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def dag_tasks(document: dict[str, Any], dag: str) -> dict[str, dict[str, Any]]:
    [template] = [t for t in document["spec"]["templates"] if t["name"] == dag]
    return {task["name"]: task for task in template["dag"]["tasks"]}


def asset_argument(task: dict[str, Any]) -> str:
    [value] = [p["value"] for p in task["arguments"]["parameters"] if p["name"] == "asset"]
    return str(value)


def written_keys(directory: Path) -> set[str]:
    """FilesystemIOManager stores each key's value at <base_dir>/<key path>; a graph's intermediate op outputs go
    under <base_dir>/<run id>/ and are not assets."""
    files = (p.relative_to(directory) for p in directory.rglob("*") if p.is_file())
    return {str(p) for p in files if not RUN_ID.fullmatch(p.parts[0]) and "storage" not in p.parts}


def in_process(module: str, directory: Path, job: str | None = None) -> set[str]:
    """Dagster's own answer: the job (or every asset) executed in process with the same IO manager."""
    os.environ["SHAPES_DIR"] = str(directory)
    try:
        defs: dg.Definitions = importlib.import_module(module).defs
        instance = dg.DagsterInstance.ephemeral()
        if job:
            result = defs.resolve_job_def(job).execute_in_process(instance=instance)
        else:
            assets = list(defs.assets or [])
            result = dg.materialize(assets, resources=defs.resources, instance=instance)  # type: ignore[arg-type]
        assert result.success
        return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events() if e.asset_key}
    finally:
        del os.environ["SHAPES_DIR"]


def run_local(template: Path, directory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    arguments = ["run-local", str(template), "--scheduled-time", "2026-11-28T03:00:00Z", "--backoff-scale", "0", *extra]
    return compiler(arguments, shapes_env(directory))


def materialize(module: str, directory: Path, *assets: str) -> subprocess.CompletedProcess[str]:
    arguments = [a for asset in assets for a in ("--asset", asset)]
    return compiler(["materialize", "--module", module, *arguments], shapes_env(directory))
