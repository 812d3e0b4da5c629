"""The one table `make bench` prints, and benchmarks/RESULTS.md: the same figures, the targets they carry with
verdicts computed from this run, the commit measured and the machine it ran on."""

import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version

from tabulate import tabulate  # type: ignore[import-untyped]

from benchmarks.measure import PROJECT_ROOT, Samples
from benchmarks.targets import Target


@dataclass(frozen=True)
class Row:
    """One figure: what was measured, its samples and unit, and the target it is judged against (if any)."""

    section: str
    what: str
    samples: Samples
    unit: str
    note: str = ""
    target: Target | None = None

    @property
    def verdict(self) -> str:
        return self.target.verdict(self.samples) if self.target else self.note


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


def render_targets(rows: list[Row], fmt: str = "simple") -> str:
    """Every figure that carries a target: its median, min and the verdict from this run."""
    table = [
        [row.target.name, row.what, _number(row.samples.median), _number(row.samples.low), row.unit, row.verdict]
        for row in rows
        if row.target
    ]
    headers = ["target", "figure", "median", "min", "unit", "verdict"]
    return tabulate(table, headers=headers, tablefmt=fmt, disable_numparse=True)


def measured_commit() -> str:
    """`git rev-parse HEAD`, and whether the work tree differed from it (RESULTS.md itself aside)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout

    try:
        head = git("rev-parse", "HEAD").strip()
        changed = [line[3:] for line in git("status", "--porcelain").splitlines() if not line.endswith("RESULTS.md")]
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git work tree)"
    if not changed:
        return f"{head} (clean work tree)"
    shown = ", ".join(changed[:8]) + (", ..." if len(changed) > 8 else "")
    return f"{head} + uncommitted changes in {len(changed)} file(s): {shown}"


@dataclass(frozen=True)
class SectionLoad:
    """The 1-minute load average when a section started and ended: on a shared machine, what its wall times saw."""

    section: str
    started: float
    ended: float
    minutes: float


def machine_description(seconds: float, loads: Sequence[SectionLoad] = (), commit: str | None = None) -> list[str]:
    """Commit, cores, memory, CPU, OS, library versions and load: what a reader needs to weigh these figures.

    `commit` is `measured_commit()` taken when the run started: a commit made while a long run goes on is not what
    it measured (read at the end, it would be named instead)."""
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
        f"- commit measured: {commit or measured_commit()}",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; the run took {seconds / 60:.0f} min",
        f"- machine: {os.cpu_count()} cores ({cpu}), {memory_kb / 1024**2:.1f} GiB memory, {platform.platform()}",
        f"- load average when the run ended (1, 5, 15 min): {load} (the machine is shared with other work)",
        *(
            [
                "- load average (1 min) at the start → end of each section: "
                + "; ".join(f"{x.section} {x.started:.1f} → {x.ended:.1f} ({x.minutes:.0f} min)" for x in loads)
            ]
            if loads
            else []
        ),
        f"- Python {platform.python_version()}; {packages}",
    ]


def render_results(
    rows: list[Row],
    command: str,
    seconds: float,
    method: str,
    loads: Sequence[SectionLoad] = (),
    commit: str | None = None,
) -> str:
    """The whole of RESULTS.md: nothing in it is written by hand except the method text in `benchmarks/method.md`."""
    table = tabulate([_cells(row) for row in rows], headers=HEADERS, tablefmt="github", disable_numparse=True)
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"Written by `{command}` (`make bench`); do not edit: rerun it. Verdicts compare the **median** of this",
            "run's samples with the target; ratios are taken per interleaved pair (subject run i / floor run i).",
            "",
            *machine_description(seconds, loads, commit),
            "",
            "## Targets",
            "",
            render_targets(rows, "github"),
            "",
            "## Every figure",
            "",
            table,
            "",
            method.rstrip(),
            "",
        ]
    )
