"""`make bench`: every benchmark, one table; `--write-results` rewrites RESULTS.md from this run.

`--quick` is a smoke run (small sizes, one run each) and never writes RESULTS.md.
"""

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

from benchmarks.compile import GROWTH_SHAPES, project_check, synthetic_growth
from benchmarks.compile_scale import build_vs_dagster_load
from benchmarks.end_to_end import end_to_end
from benchmarks.fetch import fetch
from benchmarks.fetch_cities import fetch_cities
from benchmarks.fusion import fusion
from benchmarks.pods import pod_cold_start
from benchmarks.report import Row, SectionLoad, measured_commit, render_results, render_table, render_targets
from benchmarks.stream_memory import memory_rows
from benchmarks.transform import transform

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
METHOD = HERE / "method.md"
SECTIONS = ("compile", "pods", "transform", "memory", "fetch", "end_to_end", "fusion")
RUNS = 3  # every figure of a full run is the median (and min) of at least this many runs
GROWTH_RUNS = 5  # the growth exponent: one fit per run, so its median is the median of this many fits
GROWTH_SIZES = [100, 250, 500, 1000, 2000, 5000, 10_000]
# fused / Dagster in process sits a few hundredths under its target, and its median of 3 runs moved 0.69-0.75
# between benches of one code path; a run takes ~10 s, so 7 runs make the median less one slow spell's
FUSION_RUNS = 7
TRANSFORM_SIZES = [10_000, 100_000, 1_000_000]


def run(section: str, quick: bool) -> list[Row]:
    runs = 1 if quick else RUNS
    if section == "compile":
        sizes = [100, 300, 1000] if quick else GROWTH_SIZES
        return (
            project_check(runs)
            + synthetic_growth(sizes, 1 if quick else GROWTH_RUNS)
            + build_vs_dagster_load(GROWTH_SHAPES, sizes[-1], runs)
        )
    if section == "pods":
        return pod_cold_start(runs)
    if section == "transform":
        return transform([10_000, 100_000] if quick else TRANSFORM_SIZES, runs)
    if section == "memory":  # raw and clean pod peaks on a large day, against the compiled requests and limits
        return memory_rows(100_000 if quick else 1_000_000, runs)
    if section == "fetch":
        return fetch(sensors=40, limit=10, window_s=2.0, runs=runs) + fetch_cities(
            extra_locations=10, limit=30, window_s=2.0, runs=runs
        )
    if section == "fusion":
        return fusion(1 if quick else FUSION_RUNS)
    return end_to_end(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (a few minutes)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this benchmark (repeatable)")
    parser.add_argument("--write-results", action="store_true", help=f"rewrite {RESULTS.name} (full runs only)")
    args = parser.parse_args(argv)
    if args.write_results and (args.quick or args.only):
        parser.error("--write-results needs a full run of every benchmark (no --quick, no --only)")
    rows: list[Row] = []
    loads: list[SectionLoad] = []
    commit = measured_commit()  # what this run measures: HEAD and the work tree now, not when it ends
    started = time.perf_counter()
    for section in args.only or SECTIONS:
        print(f"running {section} ...", file=sys.stderr, flush=True)
        section_started, load_started = time.perf_counter(), os.getloadavg()[0]
        rows += run(section, args.quick)
        section_seconds = time.perf_counter() - section_started
        loads.append(SectionLoad(section, load_started, os.getloadavg()[0], section_seconds / 60))
        print(
            f"  {section}: {section_seconds:.0f} s (load average {loads[-1].started:.1f} → {loads[-1].ended:.1f})",
            file=sys.stderr,
            flush=True,
        )
    seconds = time.perf_counter() - started
    print(render_table(rows))
    print("\n" + render_targets(rows))
    print(f"\ntotal {seconds:.0f} s", file=sys.stderr)
    if args.write_results:
        command = "python -m benchmarks " + shlex.join(argv if argv is not None else sys.argv[1:])
        RESULTS.write_text(
            render_results(rows, command.strip(), seconds, METHOD.read_text(encoding="utf-8"), loads, commit)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
