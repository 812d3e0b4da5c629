"""The stream-memory benchmark's measurement: a child's own peak, never the peak of the process that started it."""

import sys

import pytest

from benchmarks.stream_memory import _mib, compiled_limits_mib, measured


def test_a_childs_peak_is_its_own_not_its_parents() -> None:
    ballast = bytearray(400 * 2**20)  # this process now holds 400 MiB; a child of ours must not report them
    ballast[::4096] = b"x" * len(ballast[::4096])
    small, _ = measured([sys.executable, "-c", "pass"], {})
    big, _ = measured([sys.executable, "-c", "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"], {})
    assert small["peak_bytes"] < 100 * 2**20
    assert big["peak_bytes"] - small["peak_bytes"] > 190 * 2**20
    assert small["returncode"] == 0
    del ballast


def test_a_failing_child_stops_the_benchmark_with_its_exit_code() -> None:
    with pytest.raises(RuntimeError, match="exited 3"):
        measured([sys.executable, "-c", "raise SystemExit(3)"], {})


def test_compiled_limits_are_read_from_the_project() -> None:
    assert _mib("1Gi") == 1024
    assert _mib("512Mi") == 512
    limits = compiled_limits_mib()
    assert limits["raw_measurements"] == limits["default"]  # the raw asset has no dagster-k8s/config of its own
    assert limits["clean_measurements"] >= 1024
