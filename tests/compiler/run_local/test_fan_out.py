"""run-local's `withItems` + `templateRef` + template `parallelism`, as a `compiler backfill` Workflow uses them:
children start in item order, at most `parallelism` run at once, and a failed child stops only itself."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.compiler.run_local.test_run_local import events, run_local, step_template


def _write(tmp_path: Path, parallelism: int, fail_fast: bool) -> Path:
    inner = {
        "name": "inner",
        "inputs": {"parameters": [{"name": "partition", "default": ""}]},
        "dag": {
            "tasks": [
                {"name": "a", "template": "materialize",
                 "arguments": {"parameters": [{"name": "asset", "value": "a-{{inputs.parameters.partition}}"}]}},
                {"name": "b", "template": "materialize", "depends": "a",
                 "arguments": {"parameters": [{"name": "asset", "value": "b-{{inputs.parameters.partition}}"}]}},
            ]
        },
    }  # fmt: skip
    library = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "pipeline"},
        "spec": {"templates": [inner, step_template()]},
    }
    fan: dict[str, Any] = {
        "name": "fan",
        "parallelism": parallelism,
        "dag": {
            "failFast": fail_fast,
            "tasks": [
                {
                    "name": "day",
                    "templateRef": {"name": "pipeline", "template": "inner"},
                    "arguments": {"parameters": [{"name": "partition", "value": "{{item}}"}]},
                    "withItems": ["d1", "d2", "d3"],
                }
            ],
        },
    }
    workflow = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "backfill"},
        "spec": {"entrypoint": "fan", "arguments": {"parameters": [{"name": "partition", "value": ""}]},
                 "templates": [fan]},
    }  # fmt: skip
    (tmp_path / "pipeline.workflowtemplate.yaml").write_text(yaml.safe_dump(library), encoding="utf-8")
    path = tmp_path / "backfill.yaml"
    path.write_text(yaml.safe_dump(workflow), encoding="utf-8")
    return path


def _max_active_children(log: list[str]) -> int:
    """Children (d1, d2, d3) between their first start and last end, at the busiest moment."""
    remaining = {day: 2 for day in ("d1", "d2", "d3")}
    active: set[str] = set()
    busiest = 0
    for line in log:
        event, name = line.split()
        day = name.split("-")[1]
        if event == "start":
            active.add(day)
        else:
            remaining[day] -= 1
            if remaining[day] == 0:
                active.discard(day)
        busiest = max(busiest, len(active))
    return busiest


@pytest.mark.parametrize("parallelism", [1, 2])
def test_children_run_in_item_order_at_most_parallelism_at_once(tmp_path: Path, parallelism: int) -> None:
    result = run_local(tmp_path, _write(tmp_path, parallelism, fail_fast=False), "--max-parallel", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    log = events(tmp_path)
    first_steps = [line.split()[1] for line in log if line.startswith("start a-")]
    # In item order; with two admitted at once, d1 and d2 start together (their processes race), d3 after them.
    assert first_steps[parallelism:] == ["a-d1", "a-d2", "a-d3"][parallelism:]
    assert sorted(first_steps[:parallelism]) == ["a-d1", "a-d2", "a-d3"][:parallelism]
    assert 1 <= _max_active_children(log) <= parallelism  # never more; fewer when a child ends before the next starts
    assert "✔ day(1:d2).b in" in result.stdout  # nodes named as Argo names them


def test_a_failed_child_stops_only_itself_without_fail_fast(tmp_path: Path) -> None:
    result = run_local(tmp_path, _write(tmp_path, 1, fail_fast=False), behaviour={"a-d1": {"fail_lines": 1}})
    assert result.returncode == 1
    started = [line.split()[1] for line in events(tmp_path) if line.startswith("start")]
    assert started == ["a-d1", "a-d2", "b-d2", "a-d3", "b-d3"]
    assert "⊘ day(0:d1).b skipped (upstream day(0:d1).a did not succeed)" in result.stdout


def test_with_fail_fast_no_new_child_starts_after_a_failure(tmp_path: Path) -> None:
    result = run_local(tmp_path, _write(tmp_path, 1, fail_fast=True), behaviour={"a-d1": {"fail_lines": 1}})
    assert result.returncode == 1
    assert [line.split()[1] for line in events(tmp_path) if line.startswith("start")] == ["a-d1"]


def test_a_template_ref_to_a_template_not_given_is_refused(tmp_path: Path) -> None:
    manifest = _write(tmp_path, 1, fail_fast=False)
    (tmp_path / "pipeline.workflowtemplate.yaml").unlink()
    result = run_local(tmp_path, manifest)
    assert result.returncode == 2
    assert "templateRef names WorkflowTemplate 'pipeline', which was not given; pass its file with --templates" in (
        result.stderr
    )
