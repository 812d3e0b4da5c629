"""Issue 25, the shared-storage variant of nightly_files.py: the same ops and dynamic fan-out, with the filesystem IO
manager its test declares shared (`[tool.compiler] shared_io_managers = ["io_manager"]`: a volume every pod mounts),
so every handoff goes through storage all pods see and the job compiles to one task per op, the mapped op fanned
out with withParam over the mapping keys list_files' pod writes."""

import dagster as dg

from tests.compiler.projects.fidelity.nightly_files import DAILY, count_rows, list_files, summarize


@dg.job(
    partitions_def=DAILY,
    resource_defs={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("FIDELITY_RECORD_DIR"))},
)
def nightly_files_shared() -> None:
    summarize(list_files().map(count_rows).collect())


nightly = dg.build_schedule_from_partitioned_job(nightly_files_shared, hour_of_day=1)

defs = dg.Definitions(jobs=[nightly_files_shared], schedules=[nightly])
