"""`workflow_size.measure_over`, which decides child Workflows (compiler/builder/child_workflows.py) without building
the node status of a Workflow whose stored templates alone exceed the budget, against the full simulation
(`workflow_sizes`, the oracle) on split projects of several shapes, with jobs, at budgets on each side of every size
the oracle reports: the stored part alone, the compressed whole, and none."""

import dagster as dg
import pytest

from compiler.builder import child_workflows, workflow_size
from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.builder.workflow_size import measure_over, size_warnings, stored_size, workflow_sizes
from compiler.parse import parse_documents
from tests.compiler.shapes import SHAPES, asset_name, make_asset
from tests.compiler.support import demo_settings

DESCRIPTION = "Values of one sensor. " * 2000  # about 44 KB: a few assets split the WorkflowTemplate


def _definitions(shape: str, count: int) -> dg.Definitions:
    assets = [
        make_asset(asset_name(i), [asset_name(d) for d in deps], description=DESCRIPTION, group_name=f"g{i % 2}")
        for i, deps in SHAPES[shape](count).items()
    ]
    jobs = [dg.define_asset_job("evens", selection=dg.AssetSelection.groups("g0"))]
    return dg.Definitions(assets=assets, jobs=jobs)


@pytest.mark.parametrize(("shape", "count"), [("chain", 14), ("wide", 30), ("diamond", 20), ("fan_in", 26)])
def test_the_decision_answers_as_the_full_simulation(monkeypatch: pytest.MonkeyPatch, shape: str, count: int) -> None:
    monkeypatch.setattr(child_workflows, "CHILD_WORKFLOWS_ABOVE", 2**62)  # chunks by templateRef: one Workflow each
    result = compile_project(project_from_definitions("p", _definitions(shape, count)), demo_settings())
    documents = {name: parse_documents(text, name)[0] for name, text in result.files.items()}
    sizes = list(workflow_sizes(documents, "demo"))
    entrypoints = frozenset(size.entrypoint for size in sizes)
    assert {"main", "job-evens"} <= entrypoints
    assert any(name.startswith("demo-main-") for name in documents), "the project did not split"

    for size in sizes:
        assert stored_size(documents, "demo", size.entrypoint) == size.stored, size.entrypoint
    budgets = {0, 2**62}
    for size in sizes:
        budgets |= {size.stored - 1, size.stored, size.compressed - 1, size.compressed}
    for budget in sorted(budgets):
        expected = frozenset(size.entrypoint for size in sizes if size.compressed > budget)
        assert measure_over(documents, "demo", entrypoints, budget)[0] == expected, budget
    # only the entrypoints asked about are answered
    assert measure_over(documents, "demo", frozenset({"job-evens"}), 0)[0] == {"job-evens"}


@pytest.mark.parametrize(("shape", "count"), [("chain", 14), ("wide", 30)])
def test_the_sizes_measured_on_the_way_are_the_full_simulations(
    monkeypatch: pytest.MonkeyPatch, shape: str, count: int
) -> None:
    """What `measure_over` simulated is what `workflow_sizes` yields for that entrypoint, so `size_warnings` reusing
    it warns exactly as it would have warned simulating again. Argo's limit is lowered to 64 KiB for every step, so
    that every Workflow warns and is compressed."""
    monkeypatch.setattr(child_workflows, "CHILD_WORKFLOWS_ABOVE", 2**62)
    monkeypatch.setattr(workflow_size, "MAX_WORKFLOW_SIZE", 64 * 1024)
    result = compile_project(project_from_definitions("p", _definitions(shape, count)), demo_settings())
    documents = {name: parse_documents(text, name)[0] for name, text in result.files.items()}
    sizes = {size.entrypoint: size for size in workflow_sizes(documents, "demo")}
    entrypoints = frozenset(sizes)
    expected_warnings = size_warnings(documents, "demo")
    assert len(expected_warnings) == len(sizes) >= 2
    for budget in (2**62, 0, max(size.stored for size in sizes.values())):
        over, measured = measure_over(documents, "demo", entrypoints, budget)
        assert over == {name for name, size in sizes.items() if size.compressed > budget}
        assert measured == {name: sizes[name] for name in measured}
        assert set(measured) == {name for name, size in sizes.items() if size.stored <= budget}
        assert size_warnings(documents, "demo", measured) == expected_warnings
