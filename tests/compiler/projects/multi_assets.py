"""Test project: a multi-asset that cannot subset, one that can, their downstream assets and a job selecting a
subset. Values travel through Dagster's FilesystemIOManager in SHAPES_DIR, the directory every step shares (a pod
would mount a volume there), so what a run materialized is the set of files it wrote."""

from collections.abc import Iterator

import dagster as dg


@dg.multi_asset(
    outs={"left": dg.AssetOut(key=["raw", "left"]), "right": dg.AssetOut(key=["raw", "right"])},
    description="Two halves computed together.",
)
def pair() -> tuple[int, int]:
    return 1, 2


@dg.multi_asset(
    outs={"north": dg.AssetOut(is_required=False), "south": dg.AssetOut(is_required=False)},
    ins={"left": dg.AssetIn(["raw", "left"])},
    can_subset=True,
)
def regions(context: dg.AssetExecutionContext, left: int) -> Iterator[dg.Output[int]]:
    """Yields only the outputs the run selected, as a subsettable multi-asset must."""
    for name in sorted(context.selected_output_names):
        yield dg.Output(left * 10 + len(name), output_name=name)


@dg.asset(ins={"right": dg.AssetIn(["raw", "right"])})
def summary(right: int) -> int:
    return right + 100


@dg.asset
def south_report(south: int) -> str:
    return f"south={south}"


south_only = dg.define_asset_job(
    "south_only",
    selection=dg.AssetSelection.assets(["raw", "left"], ["raw", "right"], "south", "south_report"),
)

defs = dg.Definitions(
    assets=[pair, regions, summary, south_report],
    jobs=[south_only],
    schedules=[dg.ScheduleDefinition(name="south_nightly", job=south_only, cron_schedule="0 3 * * *")],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
