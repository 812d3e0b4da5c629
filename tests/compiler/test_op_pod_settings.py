"""Issue 25, one task per op: an op's own `dagster-k8s/config` tag gives its task a step template of its own (as an
asset's tag does), its settings the job's tag with the op's merged onto it by dagster-k8s's deep merge; an op without
a tag keeps the job's template. The job still runs as Dagster runs it (run-local vs Dagster in process)."""

from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.op_pods import deep_merge
from tests.compiler.argo_schema import schema_errors
from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs

SHARED = 'shared_io_managers = ["io_manager"]'


def _templates(tmp_path: Path) -> dict[str, dict[str, Any]]:
    document = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    return {t["name"]: t for t in document["spec"]["templates"]}


def test_an_ops_own_tag_gives_its_pod_its_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.compiler.projects.fidelity import op_pod_settings as project

    built = build(tmp_path, "op_pod_settings", SHARED)
    assert built.returncode == 0, built.stderr
    assert "tag is not applied" not in built.stderr
    templates = _templates(tmp_path)
    tasks = {task["name"]: task["template"] for task in templates["job-sized"]["dag"]["tasks"]}
    heavy, light = templates[tasks["heavy"]], templates[tasks["light"]]
    assert tasks["heavy"] != tasks["light"]
    job_resources = project.JOB_TAG["container_config"]["resources"]
    heavy_resources = project.HEAVY_TAG["container_config"]["resources"]
    assert light["container"]["resources"] == job_resources
    assert heavy["container"]["resources"] == {**job_resources, **heavy_resources}  # the op's merged onto the job's
    assert heavy["nodeSelector"] == light["nodeSelector"] == project.JOB_TAG["pod_spec_config"]["node_selector"]
    assert heavy["container"]["args"] == light["container"]["args"]  # the same op-step command

    replay = run_local(tmp_path, "--entrypoint", "job-sized")
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-3000:]
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    direct = project.sized.execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert direct.success
    assert runs(tmp_path / "argo-record") == runs(tmp_path / "dagster-record") == ["heavy", "light 2"]


def test_in_one_pod_the_ops_tag_is_still_named_as_not_applied(tmp_path: Path) -> None:
    built = build(tmp_path, "op_pod_settings")
    assert built.returncode == 0, built.stderr
    assert "op heavy's dagster-k8s/config tag is not applied" in built.stderr
    assert [t for t in _templates(tmp_path) if t.startswith("op-step")] == []


def test_the_merge_follows_dagster_k8s_deep_merge() -> None:
    """Mappings merge key by key, lists append without duplicates (but `args`/`command` are replaced), other
    values are replaced: dagster-k8s's `_deep_merge_k8s_config`."""
    job = {
        "container_config": {"env": [{"name": "A", "value": "1"}], "args": ["x"], "image": "a"},
        "pod_spec_config": {"tolerations": [{"key": "k"}]},
    }
    op = {
        "container_config": {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], "args": ["y"]},
        "pod_spec_config": {"tolerations": [{"key": "gpu"}]},
    }
    assert deep_merge(job, op) == {
        "container_config": {
            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            "args": ["y"],
            "image": "a",
        },
        "pod_spec_config": {"tolerations": [{"key": "k"}, {"key": "gpu"}]},
    }
