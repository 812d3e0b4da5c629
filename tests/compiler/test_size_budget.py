"""Large graphs stay within what Kubernetes stores and clients apply; what cannot fit is refused before writing."""

import json
from pathlib import Path

import dagster as dg

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.builder.size_budget import LAST_APPLIED_LIMIT, STORED_OBJECT_LIMIT, json_size
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
    [document] = parse_documents((tmp_path / "argo_out" / "demo.workflowtemplate.yaml").read_text(), "wt")
    steps = [t for t in document["spec"]["templates"] if "container" in t]
    assert [s["name"] for s in steps] == ["materialize-a-00000"]  # one template, not 2,000 copies
    assert steps[0]["retryStrategy"]["limit"] == "3"
    tasks = document["spec"]["templates"][0]["dag"]["tasks"]
    assert {task["template"] for task in tasks} == {"materialize-a-00000"}
    assert len(tasks) == 2000
    sizes = _sizes(tmp_path / "argo_out")
    assert all(size < STORED_OBJECT_LIMIT / 2 for size in sizes.values()), sizes
    for name, size in sizes.items():  # the warning appears exactly for the manifests above 256 KiB
        warned = f"warning: {name} is " in result.stderr
        assert warned == (size > LAST_APPLIED_LIMIT), (name, size, result.stderr)
    assert "kubectl apply --server-side" in result.stderr


def test_two_thousand_descriptions_stay_out_of_the_annotations() -> None:
    assets = [
        make_asset(asset_name(i), [], description=f"Hourly values of sensor {i}, as the API returned them.")
        for i in range(2000)
    ]
    result = compile_project(project_from_definitions("p", dg.Definitions(assets=assets)), demo_settings())

    [text] = result.files.values()
    [document] = parse_documents(text, "wt")
    annotations = document["metadata"]["annotations"]
    assert len(json.dumps(annotations)) < 1024  # Kubernetes caps all annotations of an object at 256 KiB
    size = json_size(document)
    assert size < STORED_OBJECT_LIMIT / 2
    assert size > LAST_APPLIED_LIMIT  # so client-side apply would refuse it: build says so
    assert [w.split(" is ")[0] for w in result.warnings] == ["demo.workflowtemplate.yaml"]
    first = document["spec"]["templates"][0]["dag"]["tasks"][7]
    assert {"name": "description", "value": "Hourly values of sensor 7, as the API returned them."} in first[
        "arguments"
    ]["parameters"]


def test_a_graph_too_large_to_store_is_refused_before_writing(tmp_path: Path) -> None:
    options = 'description="x" * 1000'
    write_project(tmp_path, "project", PROJECT.format(options=options, count=2000))
    out = tmp_path / "argo_out"
    out.mkdir()
    previous = out / "demo.workflowtemplate.yaml"
    previous.write_text("# the last good build\n", encoding="utf-8")

    result = run_compiler("build", "--module", "project", cwd=tmp_path)

    assert result.returncode == 2, result.stderr[-2000:]
    assert "demo.workflowtemplate.yaml" in result.stderr
    assert "nothing was written" in result.stderr
    assert "split the assets" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["demo.workflowtemplate.yaml"]
    assert previous.read_text(encoding="utf-8") == "# the last good build\n"
