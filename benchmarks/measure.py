"""Repeated measurements: samples with median/min/max, and fresh processes measured by a launcher holding nothing."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LAUNCHER = Path(__file__).resolve().parent / "launcher.py"
# The local OpenAQ stand-in's limit per key in benchmarks that repeat runs: with OpenAQ's 60 a minute, a later run
# would wait for the window the earlier ones used up, and the benchmark would time that wait instead of the pods.
STAND_IN_REQUESTS_PER_MINUTE = 1_000_000


@dataclass(frozen=True)
class Samples:
    """Several runs of one figure; medians are what the targets compare, min and max show the noise."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> Samples:
    """Run i of a subject over run i of its floor: interleaved pairs saw the same machine load."""
    return Samples(tuple(n / d for n, d in zip(numerators, denominators, strict=True)))


@dataclass(frozen=True)
class Launched:
    """One fresh process: wall seconds from spawn to exit, its own peak RSS, CPU seconds, and what it printed."""

    seconds: float
    peak_bytes: int
    cpu_seconds: float
    stdout: str
    stderr: str
    returncode: int = 0

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20

    def last_json(self) -> dict[str, float]:
        """The JSON object a worker prints on its last stdout line."""
        parsed: dict[str, float] = json.loads(self.stdout.strip().splitlines()[-1])
        return parsed


def launch(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = PROJECT_ROOT,
    accept: Callable[[int, str], bool] | None = None,
) -> Launched:
    """Run `argv` as the child of `benchmarks/launcher.py` (see there why); a failing command stops the benchmark.

    `accept(returncode, stderr)` may admit a non-zero exit the caller expects (and then reads `returncode`).
    """
    with tempfile.TemporaryDirectory(prefix="air-quality-bench-launch-") as scratch:
        result_path = Path(scratch) / "result.json"
        completed = subprocess.run(
            [PYTHON, "-I", "-S", str(LAUNCHER), str(result_path), "--", *argv],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0 or not result_path.exists():
            raise RuntimeError(f"launcher failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
        result = json.loads(result_path.read_text(encoding="utf-8"))
    if result["returncode"] != 0 and not (accept and accept(result["returncode"], completed.stderr)):
        raise RuntimeError(
            f"`{' '.join(argv)}` exited {result['returncode']}:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    return Launched(
        float(result["seconds"]),
        int(result["peak_bytes"]),
        float(result["cpu_seconds"]),
        completed.stdout,
        completed.stderr,
        int(result["returncode"]),
    )


def python_module(module: str, *args: str, env: Mapping[str, str] | None = None) -> Launched:
    """`python -m module args` in a fresh measured process."""
    return launch([PYTHON, "-m", module, *args], env=env)
