"""The simulation of the Workflow an entrypoint creates (compiler/builder/workflow_size.py), checked against counts
taken from the Dagster graph itself: one DAG node, a Retry and a Pod node per asset step (every step template has a
retryStrategy), one DAG node per chunk of a split DAG, and templates reached by templateRef stored in the Workflow."""

import dagster as dg
import pytest

from compiler.builder import child_workflows
from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.builder.workflow_size import MAX_WORKFLOW_SIZE, workflow_sizes
from compiler.parse import parse_documents
from tests.compiler.shapes import asset_name, make_asset
from tests.compiler.support import demo_settings


def _build(defs: dg.Definitions) -> tuple[dict[str, object], tuple[str, ...]]:
    result = compile_project(project_from_definitions("p", defs), demo_settings())
    documents = {name: parse_documents(text, name)[0] for name, text in result.files.items()}
    return documents, result.warnings


def test_a_small_graph_fits_and_counts_a_retry_and_a_pod_node_per_asset() -> None:
    assets = [make_asset(asset_name(i), [asset_name(i - 1)] if i else []) for i in range(30)]
    documents, warnings = _build(dg.Definitions(assets=assets))

    [size] = list(workflow_sizes(documents, "demo"))

    assert size.entrypoint == "main"
    assert size.nodes == 1 + 2 * len(assets)
    assert size.fits
    assert size.uncompressed < MAX_WORKFLOW_SIZE
    assert size.compressed == size.uncompressed  # Argo compresses only above MAX_WORKFLOW_SIZE
    assert warnings == ()


def test_a_split_graph_too_large_for_one_workflow_runs_its_chunks_as_child_workflows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assets = [make_asset(asset_name(i), [asset_name(i - 1)] if i else [], description="d" * 1000) for i in range(1500)]
    monkeypatch.setattr(child_workflows, "CHILD_WORKFLOWS_ABOVE", 2**62)  # the one Workflow, as without children
    documents, warnings = _build(dg.Definitions(assets=assets))
    chunks = [name for name in documents if name.startswith("demo-main-")]

    [size] = list(workflow_sizes(documents, "demo"))

    assert size.nodes == 1 + len(chunks) + 2 * len(assets)
    # every chunk's DAG is stored in the Workflow, each with 1,000-byte descriptions for its share of the assets
    assert size.stored > 1000 * len(assets)
    assert size.compressed_node_status < size.node_status  # the node status was compressed: it did not fit whole
    assert not size.fits
    assert [w for w in warnings if w.startswith("entrypoint main of demo: ")], warnings

    monkeypatch.undo()  # the compiler's own threshold: the simulation above decides for child Workflows
    documents, warnings = _build(dg.Definitions(assets=assets))
    parent, *children = list(workflow_sizes(documents, "demo"))

    assert parent.entrypoint == "main"
    assert len(children) == len(chunks) > 1
    assert parent.nodes == 1 + len(children)  # the DAG node and one resource (Pod) node per child Workflow
    assert sum(child.nodes - 1 for child in children) == 2 * len(assets)  # each asset's step runs in one child
    assert parent.fits
    assert all(child.fits for child in children)
    assert not [w for w in warnings if w.startswith("entrypoint ")], warnings
