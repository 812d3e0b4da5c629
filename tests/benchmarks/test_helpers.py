"""The benchmark helpers produce correct data: synthetic days of the asked size, variants that agree, honest stats,
peaks of fresh processes only, growth fits that see quadratic time, verdicts computed from the figures."""

import io
import json
import math

import pyarrow.parquet as pq
import pytest

from benchmarks.growth import LINEAR_LIMIT, fastest_run_fit, fit_power, marginal_slope
from benchmarks.measure import PYTHON, Samples, launch, ratios
from benchmarks.pods import step_seconds
from benchmarks.report import Row, SectionLoad, render_results, render_table, render_targets
from benchmarks.synthetic_raw import synthetic_ndjson_bytes, synthetic_raw_bytes
from benchmarks.targets import Target
from benchmarks.transform_variants import INPUT_FORM, VARIANTS

SIZES = [100, 250, 500, 1000, 2000, 5000]


@pytest.mark.parametrize(("rows", "sensors", "last_sensor_rows"), [(1, 1, 1), (24, 1, 24), (50, 3, 2), (1000, 42, 16)])
def test_synthetic_day_has_the_requested_rows(rows: int, sensors: int, last_sensor_rows: int) -> None:
    raw = json.loads(synthetic_raw_bytes(rows))
    groups = raw["measurements"]
    assert len(groups) == sensors
    assert sum(len(group["results"]) for group in groups) == rows
    assert len(groups[-1]["results"]) == last_sensor_rows
    located = {location["id"] for location in raw["locations"]}
    assert {group["location_id"] for group in groups} <= located


def test_every_fiftieth_value_is_null_and_rows_have_the_api_shape() -> None:
    raw = json.loads(synthetic_raw_bytes(120))
    values = [row["value"] for group in raw["measurements"] for row in group["results"]]
    assert [i for i, value in enumerate(values) if value is None] == [0, 50, 100]
    row = raw["measurements"][0]["results"][1]
    assert set(row) == {"value", "flagInfo", "parameter", "period", "coordinates", "summary", "coverage"}
    assert row["period"]["datetimeFrom"]["utc"] == "2026-11-27T00:00:00Z"  # hour 1 of the Vienna day 2026-11-27
    assert row["period"]["datetimeTo"]["utc"] == "2026-11-27T01:00:00Z"
    assert raw["request"]["window_start_utc"] == "2026-11-26T23:00:00Z"
    assert raw["request"]["window_end_utc"] == "2026-11-27T23:00:00Z"


def test_ndjson_day_holds_the_same_rows_as_the_document() -> None:
    document = json.loads(synthetic_raw_bytes(100))
    expected = [
        {"location_id": group["location_id"], "sensor_id": group["sensor_id"], **row}
        for group in document["measurements"]
        for row in group["results"]
    ]
    lines = synthetic_ndjson_bytes(100).decode().splitlines()
    assert [json.loads(line) for line in lines] == expected


def test_same_size_gives_the_same_bytes() -> None:
    assert synthetic_raw_bytes(300) == synthetic_raw_bytes(300)


def test_the_variants_keep_the_same_rows() -> None:
    inputs = {"document": synthetic_raw_bytes(1000), "ndjson": synthetic_ndjson_bytes(1000)}
    results = {name: variant(inputs[INPUT_FORM[name]]) for name, variant in VARIANTS.items()}
    assert {name: kept for name, (kept, _) in results.items()} == dict.fromkeys(VARIANTS, 980)
    tables = {name: pq.read_table(io.BytesIO(parquet)) for name, (_, parquet) in results.items()}
    keyed = {
        name: sorted(
            zip(
                table.column("sensor_id").to_pylist(),
                table.column("period_end").to_pylist(),
                table.column("value").to_pylist(),
                strict=True,
            )
        )
        for name, table in tables.items()
    }
    assert len({tuple(rows) for rows in keyed.values()}) == 1, "variants disagree on the rows they keep"


def test_transform_worker_reports_rows_and_time(tmp_path) -> None:
    path = tmp_path / "day.json"
    path.write_bytes(synthetic_raw_bytes(480))
    run = launch([PYTHON, "-m", "benchmarks.transform_worker", "pipeline", str(path)])
    result = run.last_json()
    assert result["rows"] == 480 - 10
    assert 0 < result["seconds"] < run.seconds
    assert result["input_bytes"] == path.stat().st_size
    assert run.peak_mib > 50  # pandas, pyarrow and msgspec are imported: far above a bare interpreter


def test_launcher_reports_the_childs_own_peak_not_its_parents() -> None:
    """The bug issue 17 found: a child inherits its parent's peak. This process holds 400 MiB while it launches."""
    ballast = bytearray(400 * 2**20)
    ballast[::4096] = b"\x01" * len(range(0, len(ballast), 4096))  # touch every page: resident, not just reserved
    allocate = "x = bytearray(60 * 2**20); x[::4096] = b'1' * len(range(0, len(x), 4096))"
    small = launch([PYTHON, "-c", allocate])
    bare = launch([PYTHON, "-c", "pass"])
    assert 60 < small.peak_mib < 150
    assert bare.peak_mib < 40
    assert small.peak_mib - bare.peak_mib > 55  # the child's own 60 MiB shows up in its peak
    assert len(ballast) == 400 * 2**20


def test_launch_stops_on_a_failing_command() -> None:
    with pytest.raises(RuntimeError, match="exited 3"):
        launch([PYTHON, "-c", "import sys; print('why'); sys.exit(3)"])


def test_fit_flags_quadratic_growth_hidden_behind_a_fixed_cost() -> None:
    """The old check (per-asset time at 5,000 / at 1,000) called this linear: a 2 s fixed cost hides the n²."""
    seconds = [2.0 + 4e-8 * n * n for n in SIZES]
    per_asset_ratio = (seconds[-1] / 5000) / (seconds[3] / 1000)
    assert per_asset_ratio < 1.5  # what the old check accepted
    fit = fit_power(SIZES, seconds)
    assert fit.exponent == pytest.approx(2.0, abs=0.05)
    assert not fit.linear
    assert marginal_slope(SIZES, seconds) == pytest.approx(1.0, abs=0.05)


def test_fit_flags_noisy_quadratic_and_passes_noisy_linear() -> None:
    noise = [1.04, 0.97, 1.02, 0.96, 1.03, 0.98]
    quadratic = [(0.05 + 2e-7 * n * n) * e for n, e in zip(SIZES, noise, strict=True)]
    linear = [(0.4 + 9e-4 * n) * e for n, e in zip(SIZES, noise, strict=True)]
    n_log_n = [(0.05 + 1e-4 * n * math.log(n)) * e for n, e in zip(SIZES, noise, strict=True)]
    assert fit_power(SIZES, quadratic).exponent > 1.8
    assert fit_power(SIZES, linear).exponent == pytest.approx(1.0, abs=0.1)
    assert fit_power(SIZES, linear).linear
    assert not fit_power(SIZES, quadratic).linear
    # issue 28 raised the bar to k <= 1.1: n·log n over 100..5,000 fits k ≈ 1.14 and no longer passes as linear
    assert fit_power(SIZES, n_log_n).exponent == pytest.approx(1.14, abs=0.03)
    assert not fit_power(SIZES, n_log_n).linear
    assert LINEAR_LIMIT == 1.1


def test_fit_refuses_too_few_points_and_shrinking_time() -> None:
    with pytest.raises(ValueError, match=">= 3"):
        fit_power([100, 200], [1.0, 2.0])
    with pytest.raises(ValueError, match="does not grow"):
        fit_power(SIZES, [6.0, 5.0, 4.0, 3.0, 2.0, 1.0])


def test_step_seconds_reads_dagsters_durations() -> None:
    line = '... - STEP_SUCCESS - Finished execution of step "openaq__raw" in {}.\n'
    assert step_seconds(line.format("237ms")) == pytest.approx(0.237)
    assert step_seconds(line.format("2.1s")) == pytest.approx(2.1)
    assert step_seconds(line.format("8.3ms")) == pytest.approx(0.0083)
    with pytest.raises(RuntimeError, match="found 0"):
        step_seconds("RUN_SUCCESS")


def test_verdicts_are_computed_from_the_median_or_every_run() -> None:
    at_most = Target("t", "<=", 1.5)
    at_least = Target("s", ">=", 3.0)
    every = Target("z", "<=", 0, on="max")
    assert at_most.verdict(Samples((1.0, 1.4, 9.0))) == "target <= 1.5: met"
    assert at_most.verdict(Samples((1.6, 1.7, 1.0))) == "target <= 1.5: not met"
    assert at_least.verdict(Samples((2.0, 3.5, 4.0))) == "target >= 3: met"
    assert every.verdict(Samples((0.0, 0.0, 1.0))) == "target <= 0 (max): not met"
    worst_run = Target("limit over peak", ">=", 1.5, on="min")  # a lower bound every run must meet
    assert worst_run.verdict(Samples((2.0, 2.1, 1.4))) == "target >= 1.5 (min): not met"
    assert worst_run.verdict(Samples((2.0, 2.1, 1.6))) == "target >= 1.5 (min): met"


def test_samples_ratios_and_tables() -> None:
    samples = Samples((3.0, 1.0, 2.0, 10.0))
    assert (samples.median, samples.low, samples.high) == (2.5, 1.0, 10.0)
    assert ratios([2.0, 9.0], [1.0, 3.0]).values == (2.0, 3.0)
    table = render_table([Row("fetch", "wall time", samples, "s", "a note")])
    line = table.splitlines()[-1]
    assert line.split()[:7] == ["fetch", "wall", "time", "2.5", "1", "10", "s"]
    assert line.rstrip().endswith("a note")
    judged = Row("compile", "ratio", Samples((1.2, 1.7, 1.3)), "x", target=Target("check", "<=", 1.5))
    targets = render_targets([Row("fetch", "no target", samples, "s"), judged])
    assert "no target" not in targets
    assert targets.splitlines()[-1].split()[:5] == ["check", "ratio", "1.3", "1.2", "x"]
    assert targets.rstrip().endswith("target <= 1.5: met")


def test_results_file_names_the_commit_the_targets_and_the_method() -> None:
    rows = [
        Row(
            "compile", "build --check / project floor", Samples((1.1, 1.2, 1.6)), "x", target=Target("check", "<=", 1.5)
        ),
        Row("pods", "cold start / project floor", Samples((1.9, 2.0, 1.4)), "x", target=Target("pod", "<=", 1.3)),
    ]
    loads = [SectionLoad("compile", 2.0, 9.46, 12.4), SectionLoad("pods", 9.46, 3.0, 2.0)]
    text = render_results(
        rows, "python -m benchmarks --write-results", 1500.0, "## How each figure is measured\n", loads
    )
    assert "compile 2.0 → 9.5 (12 min); pods 9.5 → 3.0 (2 min)" in text  # what each section's wall times saw
    commit_line = next(line for line in text.splitlines() if line.startswith("- commit measured: "))
    assert len(commit_line.split()[3]) == 40  # the full hash of HEAD
    assert "the run took 25 min" in text
    targets = text.split("## Targets")[1].split("## Every figure")[0]
    assert "target <= 1.5: met" in targets
    assert "target <= 1.3: not met" in targets
    assert text.rstrip().endswith("## How each figure is measured")
    # a long run names the commit it started at, not one made while it ran
    started_at = render_results(rows, "python -m benchmarks", 60.0, "", commit="0123abc (clean work tree)")
    assert "- commit measured: 0123abc (clean work tree)" in started_at.splitlines()


def test_the_fastest_run_fit_reads_through_a_slow_spell_but_not_through_growth() -> None:
    """Each of three runs of a linear workload has one size hit by a slow spell (+50 %): the fit of that run reads
    superlinear or sublinear growth, the fit of each size's fastest run reads the workload's k; an n·log n workload
    disturbed the same way still fails the k <= 1.1 target."""
    sizes = [*SIZES, 10_000]
    spells = [len(sizes) - 1, 2, 4]  # the size each run's slow spell hit

    def runs(seconds: list[float]) -> list[list[float]]:
        return [[t * (1.5 if j == spell else 1.0) for j, t in enumerate(seconds)] for spell in spells]

    linear = runs([0.02 + 3e-4 * n for n in sizes])
    assert fit_power(sizes, linear[0]).exponent > LINEAR_LIMIT  # one run's fit: the spell at 10,000 reads as growth
    fit, left_out = fastest_run_fit(sizes, linear)
    assert fit.exponent == pytest.approx(1.0, abs=0.02)
    assert len(left_out) == 3
    assert max(left_out) <= LINEAR_LIMIT

    n_log_n, _ = fastest_run_fit(sizes, runs([0.02 + 3e-5 * n * math.log(n) for n in sizes]))
    assert n_log_n.exponent > LINEAR_LIMIT
