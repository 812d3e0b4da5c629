"""Run planned tasks as local processes in dependency order, independent ones in parallel."""

import shlex
import subprocess
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TextIO

from compiler.run_local.groups import GroupGate
from compiler.run_local.plan import PlannedTask

LOG_TAIL_LINES = 30


@dataclass(frozen=True)
class TaskOutcome:
    """How one task ended: exit code of its last attempt, attempts used, and the tail of its output."""

    name: str
    exit_code: int
    attempts: int
    seconds: float
    tail: tuple[str, ...]

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0


@dataclass(frozen=True)
class RunReport:
    """Outcomes of the tasks that ran, and the tasks never started because something upstream failed."""

    outcomes: tuple[TaskOutcome, ...]
    skipped: tuple[str, ...]

    @property
    def succeeded(self) -> bool:
        return not self.skipped and all(outcome.succeeded for outcome in self.outcomes)


class DagRunner:
    """Schedules tasks like Argo's DAG controller (failFast by default), printing progress to `out`."""

    def __init__(
        self,
        tasks: Sequence[PlannedTask],
        max_parallel: int,
        fail_fast: bool,
        out: TextIO,
        gate: GroupGate | None = None,
    ) -> None:
        self._tasks = list(tasks)
        self._gate = gate or GroupGate(tasks, None, fail_fast)
        self._max_parallel = max(1, max_parallel)
        self._fail_fast = fail_fast
        self._out = out
        self._lock = threading.Lock()

    def run(self) -> RunReport:
        """Start every task whose upstream succeeded; after a failure start nothing new (failFast)."""
        results: list[TaskOutcome] = []
        succeeded: set[str] = set()
        blocked: set[str] = set()  # failed, or skipped because of a failure
        pending = list(self._tasks)
        by_name = {task.name: task for task in self._tasks}
        running: dict[Future[TaskOutcome], str] = {}
        stop = False
        with ThreadPoolExecutor(max_workers=self._max_parallel) as pool:
            while True:
                for task in list(pending):
                    if task.depends & blocked:
                        pending.remove(task)
                        blocked.add(task.name)
                        self._gate.dropped(task)
                    elif (
                        not stop
                        and len(running) < self._max_parallel
                        and task.depends <= succeeded
                        and self._gate.may_start(task)
                    ):
                        pending.remove(task)
                        self._gate.started(task)
                        running[pool.submit(self._run_task, task)] = task.name
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    del running[future]
                    outcome = future.result()
                    results.append(outcome)
                    self._gate.finished(by_name[outcome.name], outcome.succeeded)
                    if outcome.succeeded:
                        succeeded.add(outcome.name)
                    else:
                        blocked.add(outcome.name)
                        stop = stop or self._fail_fast
        ran = {outcome.name for outcome in results}
        skipped = tuple(task for task in self._tasks if task.name not in ran)
        for task in skipped:
            upstream = sorted(task.depends - succeeded)
            reason = f"upstream {', '.join(upstream)} did not succeed" if upstream else "failFast after a failure"
            self._say(f"⊘ {task.name} skipped ({reason})")
        return RunReport(tuple(results), tuple(task.name for task in skipped))

    def _run_task(self, task: PlannedTask) -> TaskOutcome:
        self._say(f"▶ {task.name}: {shlex.join(task.argv)}")
        started = time.monotonic()
        exit_code, tail, attempt = 1, deque[str](), 0
        for attempt in range(1, task.attempts + 1):
            exit_code, tail = _run_process(task)
            if exit_code == 0 or attempt == task.attempts:
                break
            if exit_code in task.never_retry_exit_codes:
                self._say(f"⊗ {task.name} exit {exit_code}: retryStrategy.expression says not to retry")
                break
            backoff = f" (backoff {task.backoff} skipped locally)" if task.backoff else ""
            self._say(f"↻ {task.name} attempt {attempt}/{task.attempts} exit {exit_code}; retrying{backoff}")
        seconds = time.monotonic() - started
        outcome = TaskOutcome(task.name, exit_code, attempt, seconds, tuple(_mask(tail, task.secret_values)))
        if outcome.succeeded:
            self._say(f"✔ {task.name} in {seconds:.1f} s")
        else:
            lines = "\n".join(f"    │ {line}" for line in outcome.tail)
            tries = f" after {attempt} attempts" if attempt > 1 else ""
            self._say(f"✘ {task.name} exit {exit_code}{tries} in {seconds:.1f} s; last output:\n{lines}")
        return outcome

    def _say(self, message: str) -> None:
        with self._lock:
            print(message, file=self._out, flush=True)


def _run_process(task: PlannedTask) -> tuple[int, deque[str]]:
    """Run one attempt, merging stdout and stderr the way a pod log does; keep only the tail."""
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    with subprocess.Popen(
        task.argv,
        env=dict(task.env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            tail.append(line.rstrip("\n"))
    return process.returncode, tail


def _mask(lines: deque[str], secrets: frozenset[str]) -> list[str]:
    masked = []
    for line in lines:
        for secret in secrets:
            line = line.replace(secret, "***")
        masked.append(line)
    return masked
