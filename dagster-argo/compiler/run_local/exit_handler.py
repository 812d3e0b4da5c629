"""`spec.onExit` as Argo runs it: after the entrypoint DAG ends, whatever its outcome, the exit handler's template runs
in the same Workflow (same `workflow.name`, parameters and creation time) with `{{workflow.status}}` set to the
Workflow's phase so far (Succeeded, Failed or Error) and `{{workflow.mainEntrypoint}}` to the entrypoint.

The Workflow's final phase follows Argo's operator (`markWorkflowPhase` after the exit node): a failed entrypoint
stays Failed whatever the handler does; a succeeded one becomes Failed when the exit handler fails.
"""

import dataclasses
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from compiler.run_local.executor import DagRunner, RunReport
from compiler.run_local.groups import ScopeGate
from compiler.run_local.manifest import WorkflowModel
from compiler.run_local.plan import plan_workflow

STATUS = "workflow.status"
MAIN_ENTRYPOINT = "workflow.mainEntrypoint"


@dataclass(frozen=True)
class ExitRun:
    """What the exit handler's replay needs from the entrypoint's."""

    workflow_name: str
    overrides: Mapping[str, str]
    scheduled_time: str | None
    created_time: str
    outputs_dir: Path
    max_parallel: int
    backoff_scale: float


def run_exit_handler(workflow: WorkflowModel, main: RunReport, run: ExitRun) -> RunReport | None:
    """Runs `workflow.on_exit` (None when there is none); every task's `when` sees the Workflow's status."""
    handler = workflow.on_exit
    if handler is None:
        return None
    status = "Succeeded" if main.succeeded else "Failed"
    print(f"run-local: {workflow.name}: exit handler {handler.entrypoint} (workflow.status {status})", flush=True)
    named = dataclasses.replace(handler, name=run.workflow_name)
    tasks = plan_workflow(
        named,
        run.overrides,
        run.scheduled_time,
        dict(os.environ),
        run.created_time,
        run.outputs_dir,
        exact_name=True,
        extra_scope={STATUS: status, MAIN_ENTRYPOINT: workflow.entrypoint},
    )
    gate = ScopeGate(tasks, handler.scopes)
    runner = DagRunner(
        tasks, run.max_parallel, handler.fail_fast, sys.stdout, gate, handler.namespace, run.backoff_scale
    )
    return runner.run()


def workflow_succeeded(main: RunReport, exit_report: RunReport | None) -> bool:
    """Argo's rule: Succeeded only when the entrypoint succeeded and the exit handler (if any) did too."""
    return main.succeeded and (exit_report is None or exit_report.succeeded)
