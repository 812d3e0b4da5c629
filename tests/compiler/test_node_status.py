"""`node_status.node_entry` with `encoded_parameters`: each node's entry of `status.nodes` is the text
`json.dumps` writes for the NodeStatus object Argo records, the oracle here, for every node type and for strings JSON
must escape."""

import json
from typing import Any

import pytest

from compiler.builder.node_status import HOST, TIME, encoded_parameters, node_entry

AWKWARD = 'a "quoted" \\ back\\slash, a tab\t, a newline\n, ümlaut, 漢字, emoji 🙂, </script>'


def _node_status(*arguments: Any) -> dict[str, Any]:
    """Argo's NodeStatus of a finished node (pkg/apis/workflow/v1alpha1/workflow_types.go), as simulated, from
    `node_entry`'s arguments."""
    node_id, name, display, kind, template, scope, boundary, parameters, children = arguments
    node = {
        "id": node_id,
        "name": name,
        "displayName": display,
        "type": kind,
        "templateName": template,
        "templateScope": scope,
        "phase": "Succeeded",
        "boundaryID": boundary,
        "startedAt": TIME,
        "finishedAt": TIME,
        "progress": "1/1",
        "resourcesDuration": {"cpu": 12, "memory": 345},
        "inputs": {"parameters": parameters},
        "children": children,
    }
    if kind == "Pod":
        node |= {"hostNodeName": HOST, "outputs": {"exitCode": "0"}, "taskResultSynced": True}
    return node


@pytest.mark.parametrize("kind", ["DAG", "Retry", "Pod"])
@pytest.mark.parametrize(
    ("text", "template", "parameter_name"),
    [("plain-name", "materialize", "asset"), (AWKWARD, AWKWARD, AWKWARD), ("x", None, None), ("x", 7, "n")],
)
def test_an_entry_is_what_json_dumps_writes(kind: str, text: str, template: Any, parameter_name: Any) -> None:
    arguments = (
        f"wf-1764990000-{len(text)}",
        f"wf-1764990000.{text}",
        text,
        kind,
        template,
        f"namespaced/{text}",
        "wf-1764990000",
        [{"name": parameter_name, "value": text}, {"name": "partition", "value": ""}],
        ["wf-1764990000-1", f"wf-{text}"] if kind != "Pod" else [],
    )
    parameters = [(p["name"], p["value"]) for p in arguments[7]]
    entry = node_entry(*arguments[:7], encoded_parameters(parameters), arguments[8])
    whole = json.dumps({arguments[0]: _node_status(*arguments)}, separators=(",", ":"))
    assert "{" + entry + "}" == whole
    assert entry.isascii()  # so its length in characters is its length in bytes


def test_a_root_node_has_an_empty_boundary_and_no_parameters() -> None:
    entry = node_entry("wf", "wf", "wf", "DAG", "main", "namespaced/p", "", encoded_parameters([]), ["wf-1"])
    assert json.loads("{" + entry + "}") == {
        "wf": _node_status("wf", "wf", "wf", "DAG", "main", "namespaced/p", "", [], ["wf-1"])
    }
