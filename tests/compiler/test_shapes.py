"""Synthetic projects of 1, 3, 50 and 500 assets in four shapes compile to valid, correctly wired DAGs."""

import pytest

from tests.compiler.shapes import SHAPES, make_definitions, task_name
from tests.compiler.support import compile_defs, dag, workflow_template


@pytest.mark.parametrize("size", [1, 3, 50, 500])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shape_compiles_to_a_valid_dag(shape: str, size: int) -> None:
    deps = SHAPES[shape](size)
    documents = compile_defs(make_definitions(deps))
    assert list(documents) == ["demo.workflowtemplate.yaml"]  # no schedule, no CronWorkflow
    tasks = dag(workflow_template(documents))
    assert set(tasks) == {task_name(i) for i in range(size)}
    for index, upstream in deps.items():
        task = tasks[task_name(index)]
        expected = " && ".join(sorted(task_name(u) for u in upstream))
        assert task.get("depends", "") == expected
        assert task["arguments"]["parameters"][:2] == [
            {"name": "asset", "value": f"a_{index:05d}"},
            {"name": "task", "value": task_name(index)},
        ]
        assert task["template"] == "materialize"


@pytest.mark.parametrize("shape", ["chain", "wide"])
def test_five_thousand_assets_compile(shape: str) -> None:
    """The benchmark sizes must compile at all (no Dagster job building, no recursion)."""
    from compiler.builder.load import project_from_definitions
    from compiler.builder.pipeline import compile_project
    from tests.compiler.support import demo_settings

    deps = SHAPES[shape](5000)
    result = compile_project(project_from_definitions("big", make_definitions(deps)), demo_settings())
    # above the size budget the output is split into chunk WorkflowTemplates (compiler/builder/split.py): every
    # asset's task is in one of them, by `template` or by `templateRef` to the step template
    text = "\n".join(text for name, text in result.files.items() if name.endswith(".workflowtemplate.yaml"))
    assert text.count('template: "materialize"') == 5000
    if shape == "chain":
        assert f'depends: "{task_name(4998)}"' in text
    else:
        assert "depends:" not in text
