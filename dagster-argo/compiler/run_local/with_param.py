"""Argo's `withParam` on a DAG task running a container template, expanded when the task is ready, as the
controller expands it (workflow/controller/dag.go `expandTask`, `Item`).

The value (after `{{tasks.T.outputs.parameters.P}}` of an upstream task is substituted) must be a JSON list; a
value that is not is an error of that task, as in Argo ("withParam value could not be parsed as a JSON list"). Each
element is one child node `task(index:item)`: a string item is `{{item}}` as is, any other JSON value its JSON text
(Go's encoding: an object's keys sorted, no spaces). An empty list makes the task Skipped ("Skipped, empty params"),
so a bare `depends` on it holds and `.Succeeded` does not. A task depending on the withParam task waits for every
child, as Argo waits for the TaskGroup node. Until the list is known, `{{item}}` stays as a sentinel in the planned
argv and env; a nested DAG with `withParam` is refused by run_local/manifest.py.
"""

import json
from dataclasses import replace
from typing import Any

from compiler.run_local.errors import RunLocalError
from compiler.run_local.manifest import ITEM_SENTINEL
from compiler.run_local.plan import PlannedTask
from compiler.run_local.substitute import task_node


def parse_items(value: str, where: str) -> list[str]:
    """The `{{item}}` text of each element of a withParam value; anything but a JSON list is an error."""
    try:
        items: Any = json.loads(value)
    except ValueError:
        items = None
    if not isinstance(items, list):
        shown = value if len(value) <= 80 else value[:77] + "..."
        raise RunLocalError(f"{where}: withParam value could not be parsed as a JSON list: {shown!r}")
    return [item if isinstance(item, str) else _go_json(item) for item in items]


def _go_json(value: Any) -> str:
    """Go's json.Marshal of a decoded item: object keys sorted, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def child_tasks(task: PlannedTask, items: list[str]) -> list[PlannedTask]:
    """One planned pod per item, named as Argo names the child nodes, with `{{item}}` bound."""
    workflow_name, template_name, _ = task.pod_name_parts
    children = []
    for index, item in enumerate(items):
        name = f"{task.name}({index}:{item})"
        # each child (a pod of its own in Argo) writes its output parameters to files of its own
        outputs = {key: path.parent / str(index) / path.name for key, path in task.outputs.items()}
        for path in outputs.values():
            path.parent.mkdir(parents=True, exist_ok=True)
        argv = [part.replace(ITEM_SENTINEL, item) for part in task.argv]
        for key, path in task.outputs.items():
            argv = [str(outputs[key]) if part == str(path) else part for part in argv]
        children.append(
            replace(
                task,
                name=name,
                outputs=outputs,
                argv=tuple(argv),
                env={key: value.replace(ITEM_SENTINEL, item) for key, value in task.env.items()},
                with_param="",
                pod_name_parts=(workflow_name, template_name, task_node(workflow_name, name)),
            )
        )
    return children
