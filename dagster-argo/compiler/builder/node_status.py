"""One node of a Workflow's `status.nodes` as the JSON text the size simulation measures (builder/workflow_size.py).

Argo's controller records a `NodeStatus` per node (pkg/apis/workflow/v1alpha1/workflow_types.go); the simulation
gives each the fields a finished node of its type carries, with fixed times, durations and host. The text is what
`json.dumps(..., separators=(",", ":"))` writes for that object (ASCII, non-ASCII escaped), written field by field
from pre-encoded pieces: encoding 20,000 node dicts at once took most of the simulation's time at 10,000 assets.
"""

import json
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii  # what json.dumps writes for a str (ensure_ascii=True)
from typing import Any

TIME = "2026-11-28T03:00:00Z"
HOST = "ip-10-0-120-34.eu-central-1.compute.internal"

# the fields every node has between `boundaryID` and `inputs`, and those only a Pod node adds after `children`
_FINISHED = (
    f',"startedAt":"{TIME}","finishedAt":"{TIME}","progress":"1/1","resourcesDuration":{{"cpu":12,"memory":345}}'
)
_POD = f',"hostNodeName":"{HOST}","outputs":{{"exitCode":"0"}},"taskResultSynced":true'


def _json(value: Any) -> str:
    return encode_basestring_ascii(value) if type(value) is str else json.dumps(value, separators=(",", ":"))


def encoded_parameters(parameters: Iterable[tuple[Any, str]]) -> str:
    """The items of a node's `inputs.parameters` list (`name`, `value` pairs) as JSON text, written once per task: a
    step's Retry node and its Pod node carry the same inputs."""
    return ",".join(f'{{"name":{_json(name)},"value":{encode_basestring_ascii(value)}}}' for name, value in parameters)


def node_entry(
    node_id: str,
    name: str,
    display: str,
    kind: str,
    template: Any,
    scope: str,
    boundary: str,
    parameters: str,
    children: list[str],
) -> str:
    """`"<id>":{...}`: the node's entry in `status.nodes`. `kind`: DAG, Retry or Pod; `template`: its template's
    name (`templateName`); `scope`: `namespaced/<WorkflowTemplate>`; `boundary`: the enclosing DAG node's id (empty
    at the root); `parameters`: its input parameters as `encoded_parameters` writes them; `children`: its children's
    ids."""
    quoted = encode_basestring_ascii(node_id)
    return (
        f'{quoted}:{{"id":{quoted},"name":{_json(name)},"displayName":{_json(display)},"type":"{kind}",'
        f'"templateName":{_json(template)},"templateScope":{_json(scope)},"phase":"Succeeded",'
        f'"boundaryID":{_json(boundary)}{_FINISHED},"inputs":{{"parameters":[{parameters}]}},'
        f'"children":[{",".join(map(encode_basestring_ascii, children))}]{_POD if kind == "Pod" else ""}}}'
    )
