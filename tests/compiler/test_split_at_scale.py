"""Acceptance of issue #28 item 1: a generated 10,000-asset project (ten groups, a job per group and one over every
asset, schedules, a description and owners on every asset) builds; every manifest is under the 256 KiB client-side
`kubectl apply` takes, each is valid and every templateRef resolves (`build` parses the text it writes and validates
all of it together, compiler/builder/pipeline.py: exit 0 says so); `kubectl kustomize` renders the folder.
One build of about 20 MB of YAML serves every check, each file parsed once (the suite's most expensive input)."""

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from compiler.builder.size_budget import LAST_APPLIED_LIMIT, STORED_OBJECT_LIMIT, json_size
from compiler.builder.workflow_size import MAX_WORKFLOW_SIZE, workflow_sizes
from compiler.parse import parse_documents
from tests.compiler.support import REPO, compiler_process, write_project
from tests.compiler.test_deploy_bundle import kustomize_command

PROJECT = """
import dagster as dg

GROUPS, PER_GROUP = 10, 1000


def make(group, index):
    # a tree per group: each asset reads its parent, so a group is one connected graph of 1,000 assets
    deps = [dg.AssetKey(f"g{{group}}_a{{(index - 1) // 3:04d}}")] if index else []
    @dg.asset(
        name=f"g{{group}}_a{{index:04d}}",
        group_name=f"group_{{group}}",
        deps=deps,
        description=f"Hourly values of station {{index}} in region {{group}}, cleaned and deduplicated.",
        owners=["team:air-quality", "data@example.com"],
    )
    def _asset() -> None:
        return None
    return _asset


assets = [make(g, i) for g in range(GROUPS) for i in range(PER_GROUP)]
jobs = [
    dg.define_asset_job(f"refresh_group_{{g}}", selection=dg.AssetSelection.groups(f"group_{{g}}"))
    for g in range(GROUPS)
]
everything = dg.define_asset_job("everything", selection=dg.AssetSelection.all())
defs = dg.Definitions(
    assets=assets,
    jobs=[*jobs[2:], everything],
    schedules=[
        dg.ScheduleDefinition(job=jobs[0], cron_schedule="0 1 * * *"),
        dg.ScheduleDefinition(job=jobs[1], cron_schedule="0 2 * * *"),
        dg.ScheduleDefinition(job=everything, cron_schedule="0 3 * * 0"),
    ],
)
"""


def _compiler(cwd: Path, *arguments: str) -> "subprocess.CompletedProcess[str]":
    """The CLI with a timeout for 10,000 assets on a loaded machine."""
    return compiler_process(arguments, cwd, {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(REPO)}, 1100)


@pytest.mark.timeout(2400)
def test_ten_thousand_assets_build_into_manifests_that_each_fit(tmp_path: Path) -> None:
    write_project(tmp_path, "project", PROJECT.format())

    result = _compiler(tmp_path, "build", "--module", "project")

    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "argo_out"
    documents = {path.name: _only_document(path) for path in out.glob("*.yaml")}
    tasks = 0
    for name, document in documents.items():
        assert json_size(document) < LAST_APPLIED_LIMIT, name
        if name.startswith("demo-") and name.endswith(".workflowtemplate.yaml"):
            tasks += sum(len(t["dag"]["tasks"]) for t in document["spec"]["templates"] if t["name"].startswith("main"))
    assert tasks == 10_000  # main's chunks hold every asset once
    assert "above the 256 KiB" not in result.stderr
    assert "skips every asset of the chunks after" not in result.stderr  # trees are cut at their roots: exact
    # one Workflow for all 10,000 assets would outgrow what Argo keeps (compiler/builder/workflow_size.py), so those
    # DAGs run their chunks as child Workflows (compiler/builder/child_workflows.py); a group's job of 1,000 assets
    # stays one Workflow
    assert "warning: entrypoint" not in result.stderr
    _assert_every_workflow_fits(
        {name: document for name, document in documents.items() if name.endswith(".workflowtemplate.yaml")}
    )
    assert {d["metadata"]["name"] for d in _rendered(out) if d["kind"] == "WorkflowTemplate"} == {
        path.name.removesuffix(".workflowtemplate.yaml") for path in out.glob("*.workflowtemplate.yaml")
    }


def _only_document(path: Path) -> Any:
    [document] = parse_documents(path.read_text(encoding="utf-8"), path.name)
    return document


def _rendered(folder: Path) -> list[Any]:
    """`kubectl kustomize` of the folder, read with the compiler's (libyaml) parser: PyYAML's pure-Python loader
    takes minutes over 20 MB."""
    rendered = subprocess.run(
        [*kustomize_command(), str(folder)], capture_output=True, text=True, timeout=600, check=False
    )
    assert rendered.returncode == 0, rendered.stderr[-3000:]
    return parse_documents(rendered.stdout, f"kustomize {folder.name}")


def _assert_every_workflow_fits(documents: dict[str, Any]) -> None:
    """The simulation of every Workflow the output can create, parents and children, from Argo's node-status shape:
    each stays under MAX_WORKFLOW_SIZE (so under etcd's 1.5 MiB too), and the children of `job-everything` together
    run each of the 10,000 assets' steps once (a Retry and a Pod node per asset, counted from the Dagster graph's
    size), while the parent holds one node per chunk."""
    sizes = list(workflow_sizes(documents, "demo"))
    largest = max(sizes, key=lambda size: size.compressed)
    assert largest.compressed <= MAX_WORKFLOW_SIZE < STORED_OBJECT_LIMIT, largest
    assert all(size.fits for size in sizes)
    for entrypoint in ("main", "job-everything"):
        [parent] = [size for size in sizes if size.entrypoint == entrypoint]
        children = [size for size in sizes if size.entrypoint.startswith(f"{entrypoint}/")]
        assert len(children) > 1
        assert parent.nodes == 1 + len(children)  # the DAG node and one resource (Pod) node per child
        assert sum(child.nodes - 1 for child in children) == 2 * 10_000  # each child: its DAG node, then the steps
    [group] = [size for size in sizes if size.entrypoint == "job-refresh-group-2"]
    assert group.nodes > 2 * 1000  # one Workflow: its chunks run by templateRef inside it
