"""compiler/validate/child_refs.py reads each child Workflow manifest through libyaml when it parses; its answer and
its error message must be yaml.safe_load's (the oracle)."""

import pytest
import yaml

from compiler.validate.child_refs import child_workflow_problems

TEMPLATE = {"name": "child-workflow", "resource": {"action": "create", "manifest": ""}}


def _problems(manifest: str) -> list[str]:
    template = {**TEMPLATE, "resource": {"action": "create", "manifest": manifest}}
    dag = {"tasks": [{"name": "part-0", "template": "child-workflow"}]}
    return list(child_workflow_problems(dag, "main", {"child-workflow": template}, {"demo-main-0": {"main-part-0"}}))


def test_a_manifest_that_is_not_yaml_is_named_with_safe_loads_message() -> None:
    broken = '{"kind": "Workflow", "spec": {"entrypoint": [}\n'
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(broken)
    assert _problems(broken) == [
        f"main.tasks(part-0): the manifest of resource template 'child-workflow' is not YAML: {expected.value}"
    ]


def test_a_parsed_manifest_is_checked_as_safe_load_reads_it() -> None:
    manifest = '{"kind": "Workflow", "spec": {"workflowTemplateRef": {"name": "demo-main-0"}, "entrypoint": "%s"}}'
    assert _problems(manifest % "main-part-0") == []
    assert _problems(manifest % "main-part-9") == [
        "main.tasks(part-0): its child Workflow's entrypoint 'main-part-9' is not a template of 'demo-main-0'"
    ]
