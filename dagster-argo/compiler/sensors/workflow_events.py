"""The one shape of a "Workflow ended" event that a compiled run-requesting run status sensor passes on: written by
the builder (compiler/builder/run_triggers.py) into the Argo Events Sensor, read by the pod
(compiler/materialize/run_request.py) and evaluated by the replay (compiler/run_events/).

Argo Events' `resource` EventSource hands a Sensor `{type, body, oldBody, group, version, resource}` where `body` is
the Workflow object as the API server returns it: `body.status.phase` is its phase, `body.metadata.name` its name,
and `body.status.storedWorkflowTemplateSpec.entrypoint` the DAG it ran (the controller stores the Workflow's spec
joined with its WorkflowTemplate's there, so a Workflow submitted without `--entrypoint` shows `main` too).

The Sensor writes into the workflow parameter `object-key` the text `run-status <monitored job> <requested job>
<phase> <workflow name>` (Dagster job names are `[A-Za-z0-9_]+`, phases and Workflow names have no spaces), with a
Go template whose only variable parts are the phase and the name.
"""

import re
from dataclasses import dataclass

PREFIX = "run-status"
PHASE_PATH = "body.status.phase"
NAME_PATH = "body.metadata.name"
ENTRYPOINT_PATH = "body.status.storedWorkflowTemplateSpec.entrypoint"
HASH_LENGTH = 20  # hex digits of sha256(triggering Workflow's name) in the created Workflow's name

_KEY = re.compile(rf"^{PREFIX} (?P<job>[A-Za-z0-9_]+) (?P<requested>[A-Za-z0-9_]+) (?P<phase>\S+) (?P<name>\S+)$")
OBJECT_KEY_TEMPLATE = re.compile(
    rf"^{PREFIX} (?P<job>[A-Za-z0-9_]+) (?P<requested>[A-Za-z0-9_]+) "
    r"\{\{ \.Input\.body\.status\.phase \}\} \{\{ \.Input\.body\.metadata\.name \}\}$"
)
NAME_TEMPLATE = re.compile(
    r"^(?P<prefix>[a-z0-9-]*)\{\{ \.Input\.body\.metadata\.name \| sha256sum \| trunc (?P<length>\d+) \}\}$"
)


@dataclass(frozen=True)
class EndedRun:
    """The run a run status sensor sees: the monitored Dagster job, the Workflow's phase and name, and the job the
    created Workflow runs (one of the sensor's request_jobs)."""

    job: str
    requested: str
    phase: str
    workflow: str


def object_key_template(job: str, requested: str) -> str:
    """The Sensor's dataTemplate for `object-key` (sprig/Go template over the event data)."""
    return f"{PREFIX} {job} {requested} {{{{ .Input.body.status.phase }}}} {{{{ .Input.body.metadata.name }}}}"


def name_template(prefix: str) -> str:
    """The created Workflow's name: `<prefix>-` + sha256 of the triggering Workflow's name, so a redelivered (or a
    second UPDATE) event of the same ended Workflow cannot create a second one."""
    return f"{prefix}-{{{{ .Input.body.metadata.name | sha256sum | trunc {HASH_LENGTH} }}}}"


def parse_object_key(key: str) -> EndedRun | None:
    """The ended run an `object-key` names, or None when it is not this shape."""
    match = _KEY.match(key)
    if match is None:
        return None
    return EndedRun(match["job"], match["requested"], match["phase"], match["name"])
