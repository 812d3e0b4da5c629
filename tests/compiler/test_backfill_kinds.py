"""`python -m compiler backfill` over hourly and monthly partitions: the Workflow fans out over exactly the keys
Dagster's own partitions definition lists between --start and --end (DST day included)."""

import importlib
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from tests.compiler.argo_schema import schema_errors
from tests.compiler.support import run_compiler, write_project

SOURCE = """
import dagster as dg

from tests.compiler.projects.two_partitionings import hourly_and_monthly

readings, report = hourly_and_monthly(hourly_start="2026-01-01-00:00")

hourly_job = dg.define_asset_job("hourly_job", selection=[readings])
monthly_job = dg.define_asset_job("monthly_job", selection=[report])
defs = dg.Definitions(
    assets=[readings, report],
    schedules=[
        dg.build_schedule_from_partitioned_job(hourly_job, name="hourly", minute_of_hour=5),
        dg.build_schedule_from_partitioned_job(monthly_job, name="monthly", hour_of_day=4),
    ],
)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("kinds")
    write_project(directory, "kinds_project", SOURCE)
    return directory


def _dagster_keys(directory: Path, schedule: str, start: str, end: str) -> list[str]:
    """Dagster's own answer: the job's partitions definition, keys in the range."""
    sys.path.insert(0, str(directory))
    try:
        module = importlib.import_module("kinds_project")
    finally:
        sys.path.remove(str(directory))
    defs: dg.Definitions = module.defs
    job = defs.resolve_job_def(f"{schedule}_job")
    assert job.partitions_def is not None
    return list(job.partitions_def.get_partition_keys_in_range(dg.PartitionKeyRange(start, end)))


@pytest.mark.parametrize(
    ("schedule", "start", "end", "count"),
    [
        ("hourly", "2026-10-24-22:00", "2026-10-25-04:00", 8),  # the 25-hour day: one more hour than the clock shows
        ("hourly", "2026-03-29-00:00", "2026-03-29-04:00", 4),  # the 23-hour day: 02:00 does not exist
        ("monthly", "2025-11-01", "2026-02-01", 4),
    ],
)
def test_the_backfill_fans_out_over_dagsters_keys(
    project: Path, schedule: str, start: str, end: str, count: int
) -> None:
    out = project / f"{schedule}-{start}.yaml"
    result = run_compiler(
        "backfill", "--module", "kinds_project", "--schedule", schedule, "--start", start, "--end", end,
        "--out", str(out), cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = yaml.safe_load(out.read_text())
    assert schema_errors(document) == []
    [task] = document["spec"]["templates"][0]["dag"]["tasks"]
    expected = _dagster_keys(project, schedule, start, end)
    assert task["withItems"] == expected
    assert len(expected) == count
    assert task["arguments"]["parameters"] == [{"name": "partition", "value": "{{item}}"}]


def test_a_daily_key_for_an_hourly_schedule_names_the_valid_range(project: Path) -> None:
    result = run_compiler(
        "backfill", "--module", "kinds_project", "--schedule", "hourly", "--start", "2026-10-24",
        "--end", "2026-10-25", cwd=project,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--start '2026-10-24' is not a partition of schedule hourly (today: 2026-01-01-00:00.." in result.stderr
