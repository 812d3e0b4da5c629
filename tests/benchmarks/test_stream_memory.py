"""The stream-memory benchmark's measurement: a child's own peak, never the peak of the process that started it."""

import sys

import pytest

from benchmarks.measure import PROJECT_ROOT
from benchmarks.stream_memory import _mib, compiled_memory_mib, measured


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


def test_compiled_memory_is_read_from_the_workflow_template() -> None:
    """The bench compares peaks with the compiled manifest; it must agree with what the project asks Dagster for:
    the asset's own `dagster-k8s/config` op tag, else the pyproject default."""
    import json
    import tomllib

    from assets import defs

    assert _mib("1Gi") == 1024
    assert _mib("512Mi") == 512
    default = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["compiler"]
    default_resources = default["defaults"]["resources"]
    for name in ("raw_measurements", "clean_measurements"):
        tag = defs.get_assets_def(["openaq", name]).op.tags.get("dagster-k8s/config")
        config = (json.loads(tag) if isinstance(tag, str) else tag) or {}
        resources = config.get("container_config", {}).get("resources", {})
        expected = {
            kind: _mib(resources.get(plural, {}).get("memory") or default_resources[plural]["memory"])
            for kind, plural in (("request", "requests"), ("limit", "limits"))
        }
        assert compiled_memory_mib(f"openaq/{name}") == expected


def test_an_asset_without_a_task_stops_the_benchmark() -> None:
    with pytest.raises(RuntimeError, match="no task materializes openaq/nothing"):
        compiled_memory_mib("openaq/nothing")
