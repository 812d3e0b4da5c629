"""End to end: `run-local` of one partition of the generated WorkflowTemplate against embedded services."""

import re
import tempfile
from pathlib import Path

from benchmarks.compile import project_floor
from benchmarks.measure import PROJECT_ROOT, PYTHON, STAND_IN_REQUESTS_PER_MINUTE, Samples, launch
from benchmarks.report import Row
from devservices.local_stack import local_services

WORKFLOW_TEMPLATE = PROJECT_ROOT / "argo_out" / "air-quality.workflowtemplate.yaml"
SCHEDULED_TIME = "2026-11-28T00:00:00Z"  # the Vienna 01:00 tick that materializes partition 2026-11-27
_TASK_DONE = re.compile(r"✔ (\S+) in ([0-9.]+) s")


def _one_run(command: list[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    run = launch([*command, str(WORKFLOW_TEMPLATE), "--scheduled-time", SCHEDULED_TIME], env=env)
    return run.seconds, {name: float(value) for name, value in _TASK_DONE.findall(run.stdout)}


def end_to_end(runs: int) -> list[Row]:
    """Per task: its wall time, and what is left after subtracting one process's import floor (the real work)."""
    command = [PYTHON, "-m", "compiler", "run-local"]
    totals: list[float] = []
    floors: list[float] = []
    per_task: dict[str, list[float]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="air-quality-bench-") as scratch,
        local_services(
            Path(scratch),
            lambda message: None,
            openaq_requests_per_minute=STAND_IN_REQUESTS_PER_MINUTE,  # no run waits for an earlier run's window
        ) as env,
    ):
        for _ in range(runs):
            floors.append(launch(project_floor("assets"), env=env).seconds)
            total, tasks = _one_run(command, env)
            totals.append(total)
            for name, seconds in tasks.items():
                per_task.setdefault(name, []).append(seconds)
    floor = Samples(tuple(floors))
    rows = [Row("end to end", "run-local, one partition, whole DAG", Samples(tuple(totals)), "s")]
    for name, task_seconds in per_task.items():
        rows.append(Row("end to end", f"task {name}", Samples(tuple(task_seconds)), "s"))
        beyond = Samples(tuple(max(0.0, s - floor.median) for s in task_seconds))
        rows.append(Row("end to end", f"task {name} minus import floor", beyond, "s"))
    rows.append(Row("end to end", "import floor (process overhead per task)", floor, "s"))
    share = Samples(tuple(floor.median * len(per_task) / total for total in totals))
    rows.append(Row("end to end", "share of the run spent starting processes", share, "x", "tasks x floor / total"))
    return rows
