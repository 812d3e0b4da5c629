"""Issue 25: a nightly op job with a dynamic fan-out. `list_files` yields one `DynamicOutput` per file the day landed
(FIDELITY_RECORD_DIR/landing/date=<day>/*.csv), `count_rows` is mapped over them, `summarize` collects the counts and
writes the day's summary. Outputs go through a filesystem IO manager under FIDELITY_RECORD_DIR, so both sides
(Dagster in process, the compiled YAML through run-local) leave what they stored where a test can compare it."""

import json
import re
from pathlib import Path

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run, runs_dir

DAILY = dg.DailyPartitionsDefinition(start_date="2026-11-01")


def landing(day: str) -> Path:
    return runs_dir() / "landing" / f"date={day}"


@dg.op(out=dg.DynamicOut(str))
def list_files(context: dg.OpExecutionContext):
    record_run("list_files")
    folder = landing(context.partition_key)
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        yield dg.DynamicOutput(path.name, mapping_key=re.sub(r"[^A-Za-z0-9_]", "_", path.stem))


@dg.op
def count_rows(context: dg.OpExecutionContext, file_name: str) -> int:
    record_run(f"count_rows[{context.get_mapping_key()}]")
    lines = (landing(context.partition_key) / file_name).read_text(encoding="utf-8").splitlines()[1:]
    values = [float(line.split(",")[1]) for line in lines if line]  # a malformed value raises ValueError
    return len(values)


@dg.op
def summarize(context: dg.OpExecutionContext, counts: list[int]) -> dict[str, object]:
    record_run("summarize")
    summary: dict[str, object] = {"day": context.partition_key, "files": len(counts), "rows": sum(counts)}
    target = runs_dir() / "summaries" / f"{context.partition_key}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(summary, sort_keys=True), encoding="utf-8")
    return summary


@dg.job(
    partitions_def=DAILY,
    resource_defs={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("FIDELITY_RECORD_DIR"))},
)
def nightly_files() -> None:
    summarize(list_files().map(count_rows).collect())


nightly = dg.build_schedule_from_partitioned_job(nightly_files, hour_of_day=1)

defs = dg.Definitions(jobs=[nightly_files], schedules=[nightly])
