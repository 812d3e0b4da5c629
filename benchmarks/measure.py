"""Repeated measurements: samples with median/min/max, wall time of a command, JSON from a worker process."""

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass(frozen=True)
class Samples:
    """Several runs of one figure; medians are what the table compares, min and max show the noise."""

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


def wall_time(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path = PROJECT_ROOT) -> float:
    """Seconds from start to exit of a command; a failing command stops the benchmark with its output."""
    started = time.perf_counter()
    result = subprocess.run(list(argv), cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(
            f"`{' '.join(argv)}` exited {result.returncode}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return seconds


def worker_json(module: str, *args: str, env: Mapping[str, str] | None = None) -> dict[str, float]:
    """Run `python -m module args` in a fresh process and parse the JSON on its last stdout line."""
    argv = [PYTHON, "-m", module, *args]
    result = subprocess.run(argv, cwd=PROJECT_ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` exited {result.returncode}:\n{result.stderr[-3000:]}")
    parsed: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed
