"""A stopped pod or replay must stop: `materialize` exits promptly on SIGTERM even while OpenAQ trickles a body,
and `run-local` stopped by SIGTERM leaves no step process behind. Real processes, real signals."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assets.resources.object_store import ObjectStore
from compiler.materialize.termination import GRACE_S
from compiler.run_local.executor import STOP_GRACE_S
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import Fault
from tests.assets.cities import day_key
from tests.faults.processes import children_of, kill_all, no_process_left, wait_for

REPO = Path(__file__).resolve().parents[2]
PARTITION = "2026-11-12"
TEMPLATE = REPO / "argo_out" / "air-quality.workflowtemplate.yaml"
TICK = "2026-11-28T00:00:00Z"
PARTITION_OF_TICK = "2026-11-27"
STEP = (sys.executable, "-m", "compiler", "materialize", "--module", "assets")


# A step started as a shell's background job (SIGINT ignored) goes through one of Dagster's interrupt blocks, as every
# run does, then gets SIGTERM. Dagster leaves SIGTERM with SIGINT's disposition after the block.
BACKGROUND_STEP = """
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
from compiler.materialize.termination import describe_step, exit_promptly_on_sigterm
from dagster._utils.interrupts import capture_interrupts
assert exit_promptly_on_sigterm()
describe_step("openaq/raw_measurements", None)
with capture_interrupts():
    pass
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(5)
print("SIGTERM had no effect", flush=True)
"""


def test_a_step_started_with_sigint_ignored_still_ends_on_sigterm_after_dagsters_interrupt_blocks() -> None:
    """A pod's SIGTERM guarantee does not depend on how its parent left SIGINT: with SIGINT ignored, the old arming
    kept SIGINT ignored, and the first interrupt block of the run left SIGTERM ignored too (the step ran on)."""
    done = subprocess.run(
        [sys.executable, "-c", BACKGROUND_STEP], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 128 + signal.SIGTERM, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        "materialize: FAILED asset=openaq/raw_measurements partition=-: "
        "stopped by a signal (SIGTERM); another attempt may succeed"
    ), done.stdout


def test_materialize_exits_promptly_on_sigterm_while_a_body_trickles(s3_env, openaq_env: OpenAQServer) -> None:
    trickle = openaq_env.faults.add(Fault("trickle", path="/v3/sensors/*/hours", delay_s=1.0, times=None))
    step = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "compiler",
            "materialize",
            "--module",
            "assets",
            "--asset",
            "openaq/raw_measurements",
            "--partition",
            day_key(PARTITION),
        ],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for(lambda: trickle.hits >= 2 or step.poll() is not None, 120, "bodies trickling")
        assert step.poll() is None
        time.sleep(1.0)  # well inside the trickle: each read returns a byte, no socket timeout can fire
        descendants = children_of(step.pid)
        started = time.monotonic()
        step.send_signal(signal.SIGTERM)
        output, _ = step.communicate(timeout=GRACE_S + 20)
        stopped_after = time.monotonic() - started
    finally:
        if step.poll() is None:
            os.killpg(step.pid, signal.SIGKILL)
            step.wait()
    assert stopped_after < GRACE_S - 2, output  # the step unwound by itself; the watchdog was not needed
    assert step.returncode != 0
    assert "FAILED" in output.splitlines()[-1], output
    assert "stopped by a signal" in output.splitlines()[-1], output
    assert no_process_left(descendants) == []
    assert not ObjectStore.from_env().exists(f"dagster/openaq/raw_measurements/{PARTITION}.json")


def test_run_local_stopped_by_sigterm_leaves_no_step_process_behind(s3_env, openaq_env: OpenAQServer) -> None:
    trickle = openaq_env.faults.add(Fault("trickle", path="/v3/sensors/*/hours", delay_s=1.0, times=None))
    replay = subprocess.Popen(
        [sys.executable, "-m", "compiler", "run-local", str(TEMPLATE), "--scheduled-time", TICK],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group: the test signals run-local alone, as a terminal or kubelet would
    )
    descendants: set[int] = set()
    try:
        wait_for(lambda: trickle.hits >= 2 or replay.poll() is not None, 120, "the raw step's bodies trickling")
        assert replay.poll() is None
        descendants = children_of(replay.pid)
        assert descendants  # the materialize step (and anything it started)
        started = time.monotonic()
        replay.send_signal(signal.SIGTERM)
        output, _ = replay.communicate(timeout=STOP_GRACE_S + 20)
        stopped_after = time.monotonic() - started
    finally:
        if replay.poll() is not None:
            left = no_process_left(descendants, timeout_s=0)
        else:
            os.killpg(replay.pid, signal.SIGKILL)
            replay.wait()
            left = []
        kill_all(descendants)
    assert replay.returncode == 128 + signal.SIGTERM, output
    assert stopped_after < STOP_GRACE_S + 2, output
    assert "SIGTERM received; stopping the running tasks" in output
    assert "stopped 1 running task(s)" in output
    assert left == []
    assert no_process_left(descendants) == []
    assert not ObjectStore.from_env().exists(
        f"dagster/openaq/raw_measurements/city=vienna/date={PARTITION_OF_TICK}.json"
    )


def sigterm_caught(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM yet (/proc's SigCgt mask): before that, nothing of ours runs
    and the kernel's default applies (killed by the signal, which Kubernetes reports as exit 143 too)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


def test_sigterm_in_the_first_second_ends_one_way(s3_env, openaq_env: OpenAQServer) -> None:
    """Wherever SIGTERM lands from the moment the interpreter arms the watchdog (the first thing
    `compiler/__main__.py` does: imports, loading the code location, resolving the partition), a stopped step ends
    with 128 + SIGTERM and the same last line: never "Fatal Python error: _enter_buffered_busy" (134), a
    KeyboardInterrupt traceback (130) or a summary that depends on timing (1)."""
    partition = day_key(PARTITION)
    expected_last = (
        f"materialize: FAILED asset=openaq/raw_measurements partition={partition}: "
        "stopped by a signal (SIGTERM); another attempt may succeed"
    )
    seen = []
    for delay in (0.0, 0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0):
        step = subprocess.Popen(
            [*STEP, "--asset", "openaq/raw_measurements", "--partition", partition],
            cwd=REPO,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            wait_for(lambda: sigterm_caught(step.pid) or step.poll() is not None, 60, "the watchdog armed")  # noqa: B023
            time.sleep(delay)
            step.send_signal(signal.SIGTERM)
            output, _ = step.communicate(timeout=GRACE_S + 20)
        finally:
            if step.poll() is None:
                os.killpg(step.pid, signal.SIGKILL)
                step.wait()
        lines = output.strip().splitlines()
        seen.append((delay, step.returncode, lines[-1] if lines else ""))
        assert "Fatal Python error" not in output, output
        assert "Traceback" not in output, output
    assert {(code, last) for _, code, last in seen} == {(128 + signal.SIGTERM, expected_last)}, seen
    assert openaq_env.counters.requests == 0  # stopped before any work
