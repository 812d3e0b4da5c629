"""`make bench`: every benchmark, one table. `--quick` for a smoke run; `--write-results` refreshes RESULTS.md."""

import argparse
import sys
import time
from pathlib import Path

from benchmarks.compile import project_check, synthetic_growth
from benchmarks.end_to_end import end_to_end
from benchmarks.fetch import fetch
from benchmarks.report import Row, render_results, render_table
from benchmarks.transform import transform

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTIONS = ("compile", "transform", "fetch", "end_to_end")
LATEST_MARKER = "<!-- latest run below: written by `python -m benchmarks --write-results` -->"


def run(section: str, quick: bool) -> list[Row]:
    if section == "compile":
        sizes = [100, 1000] if quick else [100, 1000, 5000]
        return project_check(2 if quick else 5) + synthetic_growth(sizes, 1 if quick else 2)
    if section == "transform":
        sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
        # One run at 1M: the naive baseline alone takes minutes there.
        return transform(sizes, {10_000: 3, 100_000: 1 if quick else 2, 1_000_000: 1})
    if section == "fetch":
        return fetch(sensors=40, limit=10, window_s=2.0, runs=1 if quick else 3)
    return end_to_end(1 if quick else 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="no 1M-row day, no 5,000-asset project, fewer runs (about three minutes)"
    )
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this benchmark (repeatable)")
    parser.add_argument("--write-results", action="store_true", help=f"replace the latest run in {RESULTS.name}")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    started = time.perf_counter()
    for section in args.only or SECTIONS:
        print(f"running {section} ...", file=sys.stderr, flush=True)
        rows += run(section, args.quick)
    print(render_table(rows))
    print(f"\ntotal {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.write_results:
        text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else LATEST_MARKER + "\n"
        head = text.split(LATEST_MARKER)[0]
        RESULTS.write_text(head + LATEST_MARKER + "\n\n" + render_results(rows, "quick" if args.quick else "full"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
