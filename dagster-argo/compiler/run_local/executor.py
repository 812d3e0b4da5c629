"""Run planned tasks as local processes in dependency order, independent ones in parallel."""

import contextlib
import os
import shlex
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import TextIO

from compiler.run_local.backoff import next_attempt
from compiler.run_local.environment import secret_forms
from compiler.run_local.errors import RunLocalError
from compiler.run_local.groups import ScopeGate
from compiler.run_local.plan import PlannedTask
from compiler.run_local.retry_rule import last_retry_of
from compiler.run_local.substitute import task_outputs
from compiler.run_local.synchronization import held_semaphores
from compiler.run_local.when import resolve_outputs, should_execute
from compiler.run_local.with_param import child_tasks, parse_items
from compiler.user_text import shortened

LOG_TAIL_LINES = 30
# How long a stopped task may take to end after SIGTERM before its whole process group is killed. A bit above
# materialize's own grace (compiler.materialize.termination.GRACE_S), as a pod's terminationGracePeriodSeconds is.
STOP_GRACE_S = 12.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class _Children:
    """The task processes running now. Each leads its own process group, so stopping one stops all it spawned."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[str]] = set()
        self.stopping = False
        self.stopped = threading.Event()  # ends a retry's backoff wait at once

    def start(self, argv: Sequence[str], env: dict[str, str]) -> subprocess.Popen[str] | None:
        """A new task process, or None once stopping (no task starts after the signal)."""
        with self._lock:
            if self.stopping:
                return None
            process = subprocess.Popen(
                list(argv),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                errors="replace",
                start_new_session=True,
            )
            self._running.add(process)
            return process

    def finished(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._running.discard(process)
        _signal_group(process, signal.SIGKILL)  # whatever the task left behind in its group goes with it

    def stop_all(self, grace_s: float) -> int:
        """SIGTERM every running task's process group; SIGKILL the groups still alive after `grace_s`."""
        with self._lock:
            self.stopping = True
            self.stopped.set()
            processes = list(self._running)
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.0))
            _signal_group(process, signal.SIGKILL)
        return len(processes)


def _signal_group(process: subprocess.Popen[str], number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, number)  # the task leads its group (start_new_session): its pgid is its pid


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
    """Outcomes of the tasks that ran, the tasks never started because something upstream failed, and the tasks
    whose `when` was false (Argo's Skipped phase: not a failure)."""

    outcomes: tuple[TaskOutcome, ...]
    skipped: tuple[str, ...]
    skipped_by_when: tuple[str, ...] = ()  # and the tasks Omitted because of them

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
        gate: ScopeGate | None = None,
        namespace: str = "default",
        backoff_scale: float = 1.0,
    ) -> None:
        self._namespace = namespace
        # Argo's retry backoff is waited in full (compiler/run_local/backoff.py); a scale below 1 shortens it (tests)
        self._backoff_scale = backoff_scale  # where semaphores live (compiler/run_local/synchronization.py)
        self._tasks = list(tasks)
        # The gate owns failFast (the entrypoint's and each nested DAG's) and parallelism (run_local/groups.py).
        self._gate = gate or ScopeGate.flat(tasks, fail_fast)
        self._max_parallel = max(1, max_parallel)
        self._fail_fast = fail_fast
        self._out = out
        self._lock = threading.Lock()
        self._children = _Children()

    def run(self) -> RunReport:
        """Start every task whose upstream succeeded; after a failure start nothing new (failFast).

        SIGTERM, SIGINT or SIGHUP stops every running task's whole process group (SIGTERM, then SIGKILL after
        STOP_GRACE_S) and then ends this process with 128 + the signal number: nothing is left behind.
        """
        with self._stop_children_on_signal():
            return self._run()

    @contextlib.contextmanager
    def _stop_children_on_signal(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # handlers can only be set from the main thread; a caller elsewhere owns signals
            return

        def stop(number: int, _frame: object) -> None:
            name = signal.Signals(number).name
            self._say(f"run-local: {name} received; stopping the running tasks")
            stopped = self._children.stop_all(STOP_GRACE_S)
            self._say(f"run-local: stopped {stopped} running task(s)")
            raise SystemExit(128 + number)

        previous = {number: signal.signal(number, stop) for number in _STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _run(self) -> RunReport:
        results: list[TaskOutcome] = []
        succeeded: set[str] = set()
        blocked: set[str] = set()  # failed, or skipped because of a failure
        when_false: list[str] = []  # Skipped by `when`: a bare `depends` on them holds (not `.Succeeded`)
        omitted: list[str] = []  # depends false because of a Skipped `t.Succeeded` (not a failure)
        outputs: dict[str, str] = {}  # `tasks.T.outputs.parameters.P` of tasks that succeeded
        pending = list(self._tasks)
        by_name = {task.name: task for task in self._tasks}
        running: dict[Future[TaskOutcome], str] = {}
        expanded: set[str] = set()  # withParam tasks whose children replaced them (run_local/with_param.py)
        with ThreadPoolExecutor(max_workers=self._max_parallel) as pool:
            while True:
                changed = False
                for task in list(pending):
                    if task.depends & blocked:
                        pending.remove(task)
                        blocked.add(task.name)
                        self._gate.dropped(task)
                    elif task.needs_success & set(when_false) or task.depends & set(omitted):
                        pending.remove(task)  # Argo's Omitted: its depends is false without any failure
                        omitted.append(task.name)
                        self._gate.dropped(task)
                        self._say(f"○ {task.name} omitted (depends {sorted(task.depends)} is false)")
                    elif task.with_param and task.depends <= succeeded | set(when_false):
                        pending.remove(task)
                        changed = True
                        if not self._when_holds(task, outputs):
                            when_false.append(task.name)
                            self._gate.dropped(task)
                            continue
                        failure = self._expand(task, outputs, pending, by_name)
                        if failure is not None:  # the node fails: its DAG's failFast applies (run_local/groups.py)
                            self._gate.started(task)
                            self._gate.finished(task, False)
                            results.append(failure)
                            blocked.add(task.name)
                        elif task.name in by_name:  # an empty list: Skipped, as a false `when`
                            self._gate.dropped(task)
                            when_false.append(task.name)
                            self._say(f"○ {task.name} skipped (Skipped, empty params)")
                        else:
                            expanded.add(task.name)
                    elif (
                        len(running) < self._max_parallel
                        and task.depends <= succeeded | set(when_false)
                        and self._gate.may_start(task)
                    ):
                        pending.remove(task)
                        if not self._when_holds(task, outputs):
                            when_false.append(task.name)
                            self._gate.dropped(task)
                            continue
                        try:
                            task = self._with_task_outputs(task, outputs, by_name)
                        except RunLocalError as error:
                            self._say(f"✘ {task.name}: {error}")
                            results.append(TaskOutcome(task.name, 1, 0, 0.0, (str(error),)))
                            blocked.add(task.name)
                            self._gate.dropped(task)
                            continue
                        self._gate.started(task)
                        running[pool.submit(self._run_task, task)] = task.name
                if not running:
                    if changed:
                        continue  # a withParam task gave children (or was skipped): look at pending again
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    del running[future]
                    outcome = future.result()
                    results.append(outcome)
                    outcome = _with_outputs(by_name[outcome.name], outcome, outputs)
                    self._gate.finished(by_name[outcome.name], outcome.succeeded)
                    if outcome.succeeded:
                        succeeded.add(outcome.name)
                    else:
                        blocked.add(outcome.name)
        ran = {outcome.name for outcome in results} | set(when_false) | set(omitted) | expanded
        skipped = tuple(task for task in by_name.values() if task.name not in ran)
        for task in skipped:
            upstream = sorted(task.depends - succeeded)
            reason = f"upstream {', '.join(upstream)} did not succeed" if upstream else "failFast after a failure"
            self._say(f"⊘ {task.name} skipped ({reason})")
        return RunReport(tuple(results), tuple(task.name for task in skipped), (*when_false, *omitted))

    def _expand(
        self, task: PlannedTask, outputs: dict[str, str], pending: list[PlannedTask], by_name: dict[str, PlannedTask]
    ) -> TaskOutcome | None:
        """Replace a ready withParam task by its children, in item order where it stood, and make every task that
        depended on it depend on all of them (Argo's TaskGroup node). An empty list leaves it in `by_name` (it is
        Skipped); a value that is no JSON list is the task's failure."""
        where = f"task {task.name!r}"
        scoped = {
            f"tasks.{key.removeprefix('tasks.' + task.prefix)}": value
            for key, value in outputs.items()
            if key.startswith(f"tasks.{task.prefix}")
        }
        try:
            items = parse_items(resolve_outputs(task.with_param, scoped, where), where)
        except RunLocalError as error:
            self._say(f"✘ {task.name}: {error}")
            return TaskOutcome(task.name, 1, 0, 0.0, (str(error),))
        if not items:
            return None
        children = child_tasks(task, items)
        names = frozenset(child.name for child in children)
        del by_name[task.name]
        self._gate.dropped(task)  # the children take its place
        for index, other in enumerate(pending):
            if task.name in other.depends or task.name in other.needs_success:
                pending[index] = replace(
                    other,
                    depends=(other.depends - {task.name}) | names if task.name in other.depends else other.depends,
                    needs_success=(other.needs_success - {task.name}) | names
                    if task.name in other.needs_success
                    else other.needs_success,
                )
                by_name[other.name] = pending[index]
        for child in children:
            self._gate.added(child)
            by_name[child.name] = child
        pending[0:0] = children  # first in line, in item order, as Argo creates them when the task is ready
        self._say(f"⋯ {task.name}: withParam gave {len(children)} item(s)")
        return None

    def _with_task_outputs(
        self, task: PlannedTask, outputs: dict[str, str], by_name: dict[str, PlannedTask]
    ) -> PlannedTask:
        """Argo resolves `{{tasks.T.outputs.parameters.P}}` in a task's arguments when the task starts."""
        if not any("{{" in part for part in task.argv):
            return task
        where = f"task {task.name!r}"
        scoped = {
            f"tasks.{key.removeprefix('tasks.' + task.prefix)}": value
            for key, value in outputs.items()
            if key.startswith(f"tasks.{task.prefix}")
        }
        resolved = replace(task, argv=tuple(task_outputs(part, scoped, where) for part in task.argv))
        by_name[task.name] = resolved
        return resolved

    def _when_holds(self, task: PlannedTask, outputs: dict[str, str]) -> bool:
        """Argo evaluates `when` once the task's dependencies are met; false → the task is Skipped, no pod. A task
        inside a nested DAG is Skipped too when the `when` of a task enclosing it was false."""
        where = f"task {task.name!r}"
        for when, prefix in (*task.outer_whens, (task.when, task.prefix)):
            if not when:
                continue
            scoped = {
                f"tasks.{key.removeprefix('tasks.' + prefix)}": value
                for key, value in outputs.items()
                if key.startswith(f"tasks.{prefix}")
            }
            resolved = resolve_outputs(when, scoped, where)
            if not should_execute(resolved, where):
                self._say(f"○ {task.name} skipped (when '{shortened(resolved)}' evaluated false)")
                return False
        return True

    def _run_task(self, task: PlannedTask) -> TaskOutcome:
        self._say(f"▶ {task.name}: {_shown_command(task.for_attempt(1)[0], task.secret_values)}")
        started = time.monotonic()
        with held_semaphores(task.semaphores, self._namespace, self._say):
            return self._attempts(task, started)

    def _attempts(self, task: PlannedTask, started: float) -> TaskOutcome:
        exit_code, tail, attempt = 1, deque[str](), 0
        first_started = time.monotonic()
        for attempt in range(1, task.attempts + 1):
            exit_code, tail = self._run_process(task, attempt)
            if exit_code == 0 or attempt == task.attempts or self._children.stopping:
                break  # Argo too: no backoff once `limit` retries are used up
            if not self._backoff(task, attempt, first_started):
                break
            if task.retry_rule is not None and not task.retry_rule(
                last_retry_of(exit_code)
            ):  # after the backoff, as Argo
                self._say(f"⊗ {task.name} exit {exit_code}: retryStrategy.expression says not to retry")
                break
            self._say(f"↻ {task.name} attempt {attempt}/{task.attempts} exit {exit_code}; retrying")
        seconds = time.monotonic() - started
        outcome = TaskOutcome(task.name, exit_code, attempt, seconds, tuple(_mask(tail, task.secret_values)))
        if outcome.succeeded:
            self._say(f"✔ {task.name} in {seconds:.1f} s")
        else:
            lines = "\n".join(f"    │ {line}" for line in outcome.tail)
            tries = f" after {attempt} attempts" if attempt > 1 else ""
            self._say(f"✘ {task.name} exit {exit_code}{tries} in {seconds:.1f} s; last output:\n{lines}")
        return outcome

    def _backoff(self, task: PlannedTask, attempts_so_far: int, first_started: float) -> bool:
        """Wait as Argo's controller waits before the next attempt; False when the node ends now instead (its
        maxDuration, or run-local being stopped)."""
        if task.backoff is None:
            return True
        backoff = task.backoff.scaled(self._backoff_scale)
        now = time.monotonic()
        decision = next_attempt(backoff, attempts_so_far, first_started, now, now)
        if decision.fail_message is not None:
            self._say(f"⊗ {task.name} attempt {attempts_so_far}/{task.attempts}: {decision.fail_message}")
            return False
        argo_wait = task.backoff.wait_s(attempts_so_far)
        shortened = "" if self._backoff_scale == 1 else f", {decision.wait_s:g} s with --backoff-scale"
        # Argo waits out the backoff before it evaluates retryStrategy.expression (see _attempts)
        then = "; then retryStrategy.expression decides whether to retry" if task.retry_rule is not None else ""
        self._say(
            f"… {task.name} attempt {attempts_so_far}/{task.attempts} failed; Argo's backoff "
            f"({task.backoff.describe()}): waiting {argo_wait:g} s{shortened}{then}"
        )
        return not self._children.stopped.wait(decision.wait_s)

    def _run_process(self, task: PlannedTask, attempt: int) -> tuple[int, deque[str]]:
        """Run one attempt (1 = the first), merging stdout and stderr the way a pod log does; keep only the tail."""
        tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
        argv, env = task.for_attempt(attempt)
        process = self._children.start(argv, env)
        if process is None:
            return 128 + signal.SIGTERM, deque(["not started: run-local is stopping"])
        try:
            assert process.stdout is not None
            for line in process.stdout:
                tail.append(line.rstrip("\n"))
            process.wait()
        finally:
            if process.stdout is not None:
                process.stdout.close()
            self._children.finished(process)
        return process.returncode, tail

    def _say(self, message: str) -> None:
        with self._lock:
            print(message, file=self._out, flush=True)


def _with_outputs(task: PlannedTask, outcome: TaskOutcome, outputs: dict[str, str]) -> TaskOutcome:
    """Reads a succeeded task's output parameters, as Argo's wait container does; a missing file fails it."""
    if not outcome.succeeded:
        return outcome
    for name, path in task.outputs.items():
        try:
            outputs[f"tasks.{task.name}.outputs.parameters.{name}"] = path.read_text(encoding="utf-8")
        except OSError as error:
            line = f"output parameter {name!r}: cannot read {path}: {error.strerror}"
            return TaskOutcome(outcome.name, 1, outcome.attempts, outcome.seconds, (*outcome.tail, line))
    return outcome


def _shown_command(argv: Sequence[str], secrets: frozenset[str]) -> str:
    """The command as the progress line shows it: secrets masked first (a shortened word could cut a secret in
    two), then every long word (a workflow parameter may be 10,000 characters) shortened to its start."""
    return shlex.join(shortened(word) for word in _mask(deque(argv), secrets))


def _mask(lines: deque[str], secrets: frozenset[str]) -> list[str]:
    """Every form of every secret (see environment.secret_forms) replaced by ***, longest first."""
    forms = sorted({form for secret in secrets for form in secret_forms(secret)}, key=len, reverse=True)
    masked = []
    for line in lines:
        for form in forms:
            line = line.replace(form, "***")
        masked.append(line)
    return masked
