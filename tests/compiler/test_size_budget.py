"""Large graphs stay within what Kubernetes stores and clients apply; what cannot fit is refused before writing."""

import json
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.builder.size_budget import LAST_APPLIED_LIMIT, STORED_OBJECT_LIMIT, json_size
from compiler.errors import UnsupportedInputError
from compiler.parse import parse_documents
from tests.compiler.shapes import asset_name, make_asset
from tests.compiler.support import demo_settings, run_compiler, write_project

PROJECT = """
import dagster as dg

def make(index, **options):
    @dg.asset(name=f"a_{{index:05d}}", deps=[dg.AssetKey(f"a_{{index - 1:05d}}")] if index else [], **options)
    def _asset() -> None:
        return None
    return _asset

defs = dg.Definitions(assets=[make(i, {options}) for i in range({count})])
"""


def _sizes(out: Path) -> dict[str, int]:
    sizes = {}
    for path in sorted(out.iterdir()):
        [document] = parse_documents(path.read_text(encoding="utf-8"), path.name)
        sizes[path.name] = json_size(document)
    return sizes


def test_two_thousand_assets_with_one_retry_policy_each_share_one_step_template(tmp_path: Path) -> None:
    options = "retry_policy=dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL)"
    write_project(tmp_path, "project", PROJECT.format(options=options, count=2000))

    result = run_compiler("build", "--module", "project", cwd=tmp_path)

    assert result.returncode == 0, result.stderr[-2000:]
    out = tmp_path / "argo_out"
    [document] = parse_documents((out / "demo-steps.workflowtemplate.yaml").read_text(), "steps")
    steps = [t for t in document["spec"]["templates"] if "container" in t]
    assert [s["name"] for s in steps] == ["materialize-a-00000"]  # one template, not 2,000 copies
    assert steps[0]["retryStrategy"]["limit"] == "3"
    tasks = _asset_tasks(out)
    assert {task["templateRef"]["template"] for task in tasks} == {"materialize-a-00000"}
    assert {task["templateRef"]["name"] for task in tasks} == {"demo-steps"}
    assert len(tasks) == 2000
    sizes = _sizes(out)
    assert all(size < LAST_APPLIED_LIMIT for size in sizes.values()), sizes
    assert "warning" not in result.stderr  # a chain cut into chunks skips what Dagster skips


def _asset_tasks(out: Path) -> list[dict[str, Any]]:
    """Every task of every chunk DAG (the split files beside the main WorkflowTemplate)."""
    tasks = []
    for path in sorted(out.glob("demo-*-*.workflowtemplate.yaml")):
        [document] = parse_documents(path.read_text(encoding="utf-8"), path.name)
        [template] = document["spec"]["templates"]
        tasks.extend(template["dag"]["tasks"])
    return tasks


def test_two_thousand_descriptions_stay_out_of_the_annotations_and_every_object_fits() -> None:
    assets = [
        make_asset(asset_name(i), [], description=f"Hourly values of sensor {i}, as the API returned them.")
        for i in range(2000)
    ]
    result = compile_project(project_from_definitions("p", dg.Definitions(assets=assets)), demo_settings())

    documents = {name: parse_documents(text, name)[0] for name, text in result.files.items()}
    assert len(documents) > 2  # split: the main WorkflowTemplate and its chunks
    for name, document in documents.items():
        assert len(json.dumps(document["metadata"].get("annotations", {}))) < 1024, name
        assert json_size(document) < LAST_APPLIED_LIMIT, name
    assert result.warnings == ()  # independent assets land in hashed buckets: nothing changes meaning
    tasks = {
        task["name"]: task
        for document in documents.values()
        for template in document["spec"]["templates"]
        if "dag" in template and template["name"] != "main"
        for task in template["dag"]["tasks"]
    }
    assert len(tasks) == 2000
    assert {"name": "description", "value": "Hourly values of sensor 7, as the API returned them."} in tasks["a-00007"][
        "arguments"
    ]["parameters"]


def test_adding_one_asset_changes_one_chunk() -> None:
    """Buckets come from a stable hash of each group's first task: one more asset touches its own bucket only."""

    def files(count: int) -> dict[str, str]:
        assets = [make_asset(asset_name(i), [], description="d" * 300) for i in range(count)]
        project = project_from_definitions("p", dg.Definitions(assets=assets))
        return compile_project(project, demo_settings()).files

    before, after = files(1200), files(1201)
    changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
    assert len(before) > 3
    assert len(changed) == 1, changed
    assert changed[0] != "demo.workflowtemplate.yaml"
    assert files(1201) == after  # deterministic


def test_a_graph_that_was_too_large_to_store_builds_in_chunks_under_the_limit(tmp_path: Path) -> None:
    options = 'description="x" * 1000'
    write_project(tmp_path, "project", PROJECT.format(options=options, count=2000))

    result = run_compiler("build", "--module", "project", cwd=tmp_path)

    assert result.returncode == 0, result.stderr[-2000:]
    out = tmp_path / "argo_out"
    sizes = _sizes(out)
    assert sum(sizes.values()) > STORED_OBJECT_LIMIT  # one WorkflowTemplate would not even be stored
    assert all(size < LAST_APPLIED_LIMIT for size in sizes.values()), sizes
    assert len(_asset_tasks(out)) == 2000
    validate = run_compiler("validate", *sorted(str(p) for p in out.glob("*.yaml")), cwd=tmp_path)
    assert validate.returncode == 0, validate.stderr[-2000:]


def test_one_asset_too_large_to_store_is_refused_before_writing(tmp_path: Path) -> None:
    options = 'description="x" * (1600 * 1024) if i == 0 else None'
    write_project(tmp_path, "project", PROJECT.format(options=options, count=2))
    out = tmp_path / "argo_out"
    out.mkdir()
    previous = out / "demo.workflowtemplate.yaml"
    previous.write_text("# the last good build\n", encoding="utf-8")

    result = run_compiler("build", "--module", "project", cwd=tmp_path)

    assert result.returncode == 2, result.stderr[-2000:]
    assert "nothing was written" in result.stderr
    assert "shorten the asset descriptions" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["demo.workflowtemplate.yaml"]
    assert previous.read_text(encoding="utf-8") == "# the last good build\n"


def _gated_project(part: bool) -> dg.Definitions:
    """200 assets too large for one manifest under a schedule with code of its own, requesting part of the job
    (`part`) or all of it."""
    assets = [make_asset(asset_name(i), [], description="d" * 2000) for i in range(200)]
    job = dg.define_asset_job("nightly", selection=dg.AssetSelection.all())

    @dg.schedule(job=job, cron_schedule="0 1 * * *")
    def gated(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(asset_selection=[dg.AssetKey(asset_name(0))] if part else None)

    return dg.Definitions(assets=assets, jobs=[job], schedules=[gated])


def test_a_dag_whose_gate_selects_part_of_it_is_refused_when_too_large_for_one_manifest() -> None:
    """A schedule-gate that selects some tasks only writes an output per task, which a chunk DAG cannot read (it
    cannot see a task of its caller), so such a DAG is never split."""
    with pytest.raises(UnsupportedInputError, match="DAG job-nightly: a schedule of its job selects only some"):
        compile_project(project_from_definitions("p", _gated_project(part=True)), demo_settings())


def test_a_dag_whose_gate_selects_all_or_nothing_is_split_with_its_chunks_gated() -> None:
    """A schedule-gate answering the same for every task gates the chunk tasks, each with a whole-job entry
    (replayed in tests/compiler/run_local/test_split_gate.py)."""
    files = compile_project(project_from_definitions("p", _gated_project(part=False)), demo_settings()).files
    [main] = parse_documents(files["demo.workflowtemplate.yaml"], "demo.workflowtemplate.yaml")
    templates = {t["name"]: t for t in main["spec"]["templates"]}
    tasks = {t["name"]: t for t in templates["job-nightly"]["dag"]["tasks"]}
    chunks = sorted(name for name in tasks if name != "schedule-gate")
    assert len(chunks) > 1
    assert all(name.startswith("part-") for name in chunks)
    gate_args = templates["schedule-gate-job-nightly"]["container"]["args"]
    flagged = sorted(gate_args[i + 1] for i, arg in enumerate(gate_args) if arg == "--whole-job")
    assert flagged == chunks
