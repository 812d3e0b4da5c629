"""A pod evicted mid-step (SIGKILL of `materialize` while OpenAQ is slow): nothing partial is stored, and the rerun
of the same partition publishes exactly the bytes of an undisturbed run."""

import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import Fault
from devservices.s3.seaweed import SeaweedS3
from tests.assets.cities import day_key
from tests.faults.pipeline import ALL_ASSETS, published, run_pipeline

REPO = Path(__file__).resolve().parents[2]
PARTITION = "2026-11-10"


@functools.cache
def materialize_command() -> list[str]:
    """`python -m compiler materialize` as the pods run it; the package entry point while the subcommand is a stub."""
    probe = subprocess.run(
        [sys.executable, "-m", "compiler", "materialize", "--help"], capture_output=True, text=True, cwd=REPO
    )
    if "--asset" in probe.stdout:
        return [sys.executable, "-m", "compiler", "materialize"]
    return [sys.executable, "-m", "compiler.materialize"]


def start_step(asset: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*materialize_command(), "--module", "assets", "--asset", asset, "--partition", day_key(PARTITION)],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(0.05)


def test_killed_step_leaves_nothing_and_the_rerun_publishes_the_undisturbed_bytes(
    seaweed: SeaweedS3, openaq_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in seaweed.env("eviction-undisturbed").items():
        monkeypatch.setenv(name, value)
    assert run_pipeline(PARTITION).success
    undisturbed = published(PARTITION)
    assert undisturbed is not None

    for name, value in seaweed.env("eviction-killed").items():
        monkeypatch.setenv(name, value)
    slow = openaq_env.faults.add(Fault("delay", path="/v3/sensors/9001021/hours", delay_s=8.0, times=1))
    step = start_step("openaq/raw_measurements")
    try:
        wait_for(lambda: slow.hits >= 1 or step.poll() is not None, timeout_s=120)
        assert step.poll() is None, step.communicate()[0]  # still inside the request when evicted
        os.killpg(step.pid, signal.SIGKILL)
    finally:
        step.wait()
    assert step.returncode == -signal.SIGKILL
    assert not ObjectStore.from_env().exists(f"dagster/openaq/raw_measurements/{PARTITION}.json")
    assert published(PARTITION) is None

    for asset in ALL_ASSETS:  # Argo retries the evicted task, then runs the rest of the DAG
        rerun = start_step(asset)
        output, _ = rerun.communicate(timeout=240)
        assert rerun.returncode == 0, output
        assert output.splitlines()[-1] == f"materialize: succeeded asset={asset} partition={day_key(PARTITION)}"
    assert published(PARTITION) == undisturbed
