"""The workflow of workflows at compile time (compiler/builder/child_workflows.py), with the threshold lowered so a
small graph is enough: which DAGs get child Workflows, what the child carries of the parent, the approximation
warned for partitioned assets, and byte-identical output for the same input."""

import dagster as dg
import pytest
import yaml

from compiler.builder import child_workflows
from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import BuildResult, compile_project
from compiler.builder.workflow_size import workflow_sizes
from compiler.parse import parse_documents
from compiler.validate import template_names_by_workflow_template
from compiler.validate.lint import lint_manifest
from tests.compiler.shapes import asset_name, make_asset
from tests.compiler.support import demo_settings

DESCRIPTION = "Values of one sensor. " * 2000  # about 44 KB: a few of them split the WorkflowTemplate


def _chain(count: int, **options: object) -> list[dg.AssetsDefinition]:
    return [
        make_asset(asset_name(i), [asset_name(i - 1)] if i else [], description=DESCRIPTION, **options)
        for i in range(count)
    ]


def _build(defs: dg.Definitions) -> BuildResult:
    return compile_project(project_from_definitions("p", defs), demo_settings())


@pytest.fixture
def low_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child_workflows, "CHILD_WORKFLOWS_ABOVE", 0)


def test_a_graph_that_fits_in_one_workflow_keeps_its_chunks_inside_it() -> None:
    result = _build(dg.Definitions(assets=_chain(12)))
    main = yaml.safe_load(result.files["demo.workflowtemplate.yaml"])
    templates = {t["name"]: t for t in main["spec"]["templates"]}
    assert "child-workflow" not in templates
    assert all("templateRef" in task for task in templates["main"]["dag"]["tasks"])
    assert "workflows" not in result.bundle["demo-executor.role.yaml"]


@pytest.mark.usefixtures("low_threshold")
def test_a_graph_too_large_for_one_workflow_runs_a_child_per_chunk_in_the_split_order() -> None:
    single = _chain(12)
    result = _build(dg.Definitions(assets=single))
    documents = {name: parse_documents(text, name)[0] for name, text in result.files.items()}
    main = documents["demo.workflowtemplate.yaml"]
    [dag] = [t["dag"] for t in main["spec"]["templates"] if t["name"] == "main"]
    chunks = sorted(name for name in documents if name.startswith("demo-main-"))
    assert len(dag["tasks"]) == len(chunks) > 1
    # a chain: each child waits for the one before, so a failure in one omits exactly its downstream chunks
    assert sorted(bool(task.get("depends")) for task in dag["tasks"]) == [False] + [True] * (len(chunks) - 1)
    sizes = list(workflow_sizes(documents, "demo"))
    assert sum(size.nodes - 1 for size in sizes[1:]) == 2 * len(single)  # every asset's step in one child
    assert not any(w.startswith("DAG main of demo runs its chunks as child") for w in result.warnings)
    assert "workflows" in result.bundle["demo-executor.role.yaml"]


@pytest.mark.usefixtures("low_threshold")
def test_partitioned_assets_in_child_workflows_warn_about_a_manual_submit() -> None:
    daily = dg.DailyPartitionsDefinition(start_date="2026-01-01")
    result = _build(dg.Definitions(assets=_chain(12, partitions_def=daily)))
    [warning] = [w for w in result.warnings if w.startswith("DAG main of demo runs its chunks as child Workflows")]
    assert "-p partition=K" in warning


@pytest.mark.usefixtures("low_threshold")
def test_the_same_project_builds_byte_identical_manifests() -> None:
    first = _build(dg.Definitions(assets=_chain(12)))
    second = _build(dg.Definitions(assets=_chain(12)))
    assert first.files == second.files
    assert first.bundle == second.bundle


@pytest.mark.usefixtures("low_threshold")
def test_validate_names_a_child_workflow_whose_entrypoint_does_not_exist() -> None:
    result = _build(dg.Definitions(assets=_chain(12)))
    documents = [parse_documents(text, name)[0] for name, text in result.files.items()]
    known = template_names_by_workflow_template(documents)
    main = next(d for d in documents if d["metadata"]["name"] == "demo")
    assert lint_manifest(main, known) == []
    [dag] = [t["dag"] for t in main["spec"]["templates"] if t["name"] == "main"]
    [entrypoint] = [p for p in dag["tasks"][0]["arguments"]["parameters"] if p["name"] == "entrypoint"]
    entrypoint["value"] = "main-part-gone"

    problems = lint_manifest(main, known)

    assert len(problems) == 1
    assert "child Workflow's entrypoint 'main-part-gone' is not a template of" in problems[0]
