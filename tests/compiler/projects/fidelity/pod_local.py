"""Issue 25: assets handing values through Dagster's default filesystem IO manager (no io_manager configured, as
nearly every example of Dagster's documentation), a chain and a diamond. Each Argo pod has its own disk, so the
compiler runs them in one pod (compiler/builder/pod_local.py); `audit` only waits for `readings` (deps=) and keeps a
task of its own. Each body records the value it computed from the values it loaded; a body named in
FIDELITY_RECORD_DIR/fail raises, so both sides can fail the same asset."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run, runs_dir


def _maybe_fail(name: str) -> None:
    marker = runs_dir() / "fail"
    if marker.exists() and marker.read_text(encoding="utf-8").strip() == name:
        raise RuntimeError(f"{name} failed as the test asked")


def _record(name: str, value: object) -> None:
    _maybe_fail(name)
    record_run(f"{name}={value}")


@dg.asset
def readings() -> list[int]:
    _record("readings", [3, 4, 5])
    return [3, 4, 5]


@dg.asset
def doubled(readings: list[int]) -> list[int]:
    value = [2 * reading for reading in readings]
    _record("doubled", value)
    return value


@dg.asset
def total(doubled: list[int]) -> int:
    _record("total", sum(doubled))
    return sum(doubled)


@dg.asset
def lowest(readings: list[int]) -> int:
    _record("lowest", min(readings))
    return min(readings)


@dg.asset
def highest(readings: list[int]) -> int:
    _record("highest", max(readings))
    return max(readings)


@dg.asset
def spread(lowest: int, highest: int) -> int:
    _record("spread", highest - lowest)
    return highest - lowest


@dg.asset(deps=[readings])
def audit() -> None:
    _record("audit", "seen")


defs = dg.Definitions(assets=[readings, doubled, total, lowest, highest, spread, audit])
