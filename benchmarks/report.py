"""The one table `make bench` prints, and the same figures as benchmarks/RESULTS.md with the machine they ran on."""

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version

from tabulate import tabulate  # type: ignore[import-untyped]

from benchmarks.measure import Samples


@dataclass(frozen=True)
class Row:
    """One figure: what was measured, its samples (median/min/max) and unit, and how it compares with its target."""

    section: str
    what: str
    samples: Samples
    unit: str
    verdict: str = ""


def _number(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _cells(row: Row) -> list[str]:
    s = row.samples
    return [
        row.section,
        row.what,
        _number(s.median),
        _number(s.low),
        _number(s.high),
        row.unit,
        str(len(s.values)),
        row.verdict,
    ]


HEADERS = ["benchmark", "figure", "median", "min", "max", "unit", "runs", "target / note"]


def render_table(rows: list[Row]) -> str:
    return tabulate([_cells(row) for row in rows], headers=HEADERS, disable_numparse=True)


def machine_description() -> list[str]:
    """Cores, memory, CPU, OS and library versions: what a reader needs to compare these figures with their own."""
    memory_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    cpu = platform.processor() or "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    cpu = models[0] if models else cpu
    packages = ", ".join(f"{name} {version(name)}" for name in ("dagster", "pandas", "pyarrow", "hera"))
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {os.cpu_count()} cores ({cpu}), {memory_kb / 1024**2:.1f} GiB memory, {platform.platform()}",
        f"- load average when the run ended: {load} (the machine is shared with other work)",
        f"- Python {platform.python_version()}; {packages}",
    ]


def render_results(rows: list[Row], mode: str) -> str:
    table = tabulate([_cells(row) for row in rows], headers=HEADERS, tablefmt="github", disable_numparse=True)
    return "\n".join(
        [
            f"## Latest run (`python -m benchmarks{' --quick' if mode == 'quick' else ''}`)",
            "",
            *machine_description(),
            "",
            table,
            "",
        ]
    )
