"""run-local's model of a `resource` task that creates a child Workflow (compiler/run_local/child_workflow.py): the
child's DAG from its WorkflowTemplate, in place, with the child's own workflow parameters; every other resource
template refused by name before anything runs."""

import json
from typing import Any

import pytest

from compiler.run_local.errors import RunLocalError
from compiler.run_local.manifest import build_model

CHILD_MANIFEST = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Workflow",
    "metadata": {
        "generateName": "{{workflow.name}}-",
        "annotations": {"workflows.argoproj.io/scheduled-time": "2026-11-28T03:00:00Z"},
    },
    "spec": {
        "workflowTemplateRef": {"name": "{{inputs.parameters.workflow-template}}"},
        "entrypoint": "{{inputs.parameters.entrypoint}}",
        "arguments": {"parameters": [{"name": "partition", "value": "2026-11-27"}, {"name": "schedule", "value": "s"}]},
    },
}
CHUNK = {
    "chunk-dag": {
        "name": "chunk-dag",
        "inputs": {"parameters": [{"name": "partition", "default": ""}]},
        "dag": {
            "failFast": False,
            "tasks": [
                {"name": "a", "template": "step", "arguments": {"parameters": [{"name": "p", "value": "x"}]}},
                {"name": "b", "template": "step", "depends": "a"},
            ],
        },
    },
    "step": {
        "name": "step",
        "inputs": {"parameters": [{"name": "p", "default": "{{inputs.parameters.partition}}"}]},
        "container": {
            "image": "i",
            "command": ["echo"],
            "args": ["{{workflow.parameters.schedule}}", "{{workflow.scheduledTime}}", "{{inputs.parameters.p}}"],
        },
    },
}


def _workflow(resource: dict[str, Any]) -> dict[str, Any]:
    child = {
        "name": "child-workflow",
        "inputs": {"parameters": [{"name": "workflow-template"}, {"name": "entrypoint"}]},
        "resource": resource,
    }
    arguments = [{"name": "workflow-template", "value": "chunk"}, {"name": "entrypoint", "value": "chunk-dag"}]
    main = {
        "name": "main",
        "dag": {
            "tasks": [
                {"name": "part-0", "template": "child-workflow", "arguments": {"parameters": arguments}},
                {
                    "name": "after",
                    "template": "child-workflow",
                    "depends": "part-0",
                    "arguments": {"parameters": arguments},
                },
            ]
        },
    }
    return {
        "kind": "Workflow",
        "metadata": {"name": "parent"},
        "spec": {
            "entrypoint": "main",
            "arguments": {"parameters": [{"name": "schedule", "value": "parent's"}]},
            "templates": [main, child],
        },
    }


def _resource(**changes: Any) -> dict[str, Any]:
    return {
        "action": "create",
        "setOwnerReference": True,
        "successCondition": "status.phase == Succeeded",
        "failureCondition": "status.phase in (Failed, Error)",
        "manifest": json.dumps(CHILD_MANIFEST),
    } | changes


def test_the_child_dag_runs_in_place_with_the_childs_own_parameters() -> None:
    model = build_model(_workflow(_resource()), None, {"chunk": CHUNK})

    tasks = {task.name: task for task in model.tasks}
    assert set(tasks) == {"part-0.a", "part-0.b", "after.a", "after.b"}
    # a task after the child waits for all of it, as the resource node waits for the child's phase
    assert {"part-0.a", "part-0.b"} <= tasks["after.a"].depends
    assert tasks["part-0.a"].template.args == ("s", "2026-11-28T03:00:00Z", "{{inputs.parameters.p}}")
    assert tasks["part-0.a"].arguments == {"p": "x"}
    assert model.scopes["part-0"].fail_fast is False  # the child's DAG keeps its own failFast


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (_resource(action="delete"), "action create"),
        (_resource(successCondition="status.phase == Running"), "successCondition"),
        (_resource(manifest=json.dumps({"kind": "ConfigMap"})), "create a Workflow only"),
    ],
)
def test_any_other_resource_template_is_refused_by_name(resource: dict[str, Any], message: str) -> None:
    with pytest.raises(RunLocalError, match=message) as error:
        build_model(_workflow(resource), None, {"chunk": CHUNK})
    assert "part-0" in str(error.value)


def test_a_child_of_a_workflow_template_not_given_says_to_pass_it() -> None:
    with pytest.raises(RunLocalError, match="pass its file with --templates"):
        build_model(_workflow(_resource()), None, {})
