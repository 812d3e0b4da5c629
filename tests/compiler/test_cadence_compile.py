"""Dependencies between assets of different cadences compile (compiler/builder/cadence.py): each asset's own job and
schedule runs it, as in Dagster; the `main` DAG's approximation is a `warning:` naming both assets, the mapping and
how many upstream partitions a downstream partition reads, as Dagster's own mapping code counts them."""

import re
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.support import compile_defs, dag, workflow_template

VIENNA = "Europe/Vienna"
HOURS = dg.HourlyPartitionsDefinition("2026-01-01-00:00", timezone=VIENNA)
DAYS = dg.DailyPartitionsDefinition("2026-01-01", timezone=VIENNA)
UTC_DAYS = dg.DailyPartitionsDefinition("2026-01-01")
WEEKS = dg.WeeklyPartitionsDefinition("2026-01-04", timezone=VIENNA)
MONTHS = dg.MonthlyPartitionsDefinition("2026-01-01", timezone=VIENNA)
CITIES = dg.StaticPartitionsDefinition(["graz", "linz", "vienna"])
PREVIOUS = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
PLANNED = [  # a time-window asset reading a time-window root asset of another cadence: `main` plans it
    pytest.param(HOURS, DAYS, None, id="hourly-daily"),
    pytest.param(DAYS, WEEKS, None, id="daily-weekly"),
    pytest.param(DAYS, MONTHS, None, id="daily-monthly"),
    pytest.param(dg.DailyPartitionsDefinition("2025-06-01", timezone=VIENNA), DAYS, PREVIOUS, id="previous-day"),
]
CASES = [  # a static-only downstream asset: `main` builds one tick of the upstream (warned); a time × static one is
    # planned (tests/compiler/test_cadence_plan_shapes.py)
    pytest.param(DAYS, CITIES, dg.AllPartitionMapping(), id="all-days-per-city"),
]


def _pair(
    parent_def: dg.PartitionsDefinition, child_def: dg.PartitionsDefinition, mapping: dg.PartitionMapping | None
) -> dg.Definitions:
    """Each asset with its own job and schedule, as a Dagster job has one partitions definition."""

    @dg.asset(partitions_def=parent_def)
    def parent() -> None: ...

    @dg.asset(partitions_def=child_def, deps=[dg.AssetDep(parent, partition_mapping=mapping)])
    def child() -> None: ...

    jobs = [dg.define_asset_job(f"{a.key.path[-1]}_job", selection=[a]) for a in (parent, child)]
    schedules = [dg.ScheduleDefinition(name=f"{job.name}_schedule", job=job, cron_schedule="0 1 * * *") for job in jobs]
    return dg.Definitions(assets=[parent, child], jobs=jobs, schedules=schedules)


def _dagster_reads(defs: dg.Definitions, key: str) -> int:
    """How many partitions of `parent` Dagster's own mapping says child partition `key` reads."""
    graph = defs.resolve_asset_graph()
    child, parent = graph.get(dg.AssetKey("child")), graph.get(dg.AssetKey("parent"))
    assert child.partitions_def is not None
    assert parent.partitions_def is not None
    mapping = graph.get_partition_mapping(child.key, parent.key)
    result = mapping.get_upstream_mapped_partitions_result_for_partitions(
        child.partitions_def.subset_with_partition_keys([key]),
        child.partitions_def,
        parent.partitions_def,
        current_time=_compilers_instant(child.partitions_def, parent.partitions_def),
    )
    return len(list(result.partitions_subset.get_partition_keys())) + len(
        list(result.required_but_nonexistent_subset.get_partition_keys())
    )


def _compilers_instant(*definitions: dg.PartitionsDefinition) -> datetime:
    """The fixed "now" the build judges mappings at (400 days after the later start, at least 2026-01-01), so an
    `AllPartitionMapping` over a time dimension counts the same windows."""
    windows = [
        d.time_window_partitions_def if isinstance(d, dg.MultiPartitionsDefinition) else d
        for d in definitions
        if isinstance(d, dg.TimeWindowPartitionsDefinition)
        or (isinstance(d, dg.MultiPartitionsDefinition) and d.has_time_window_dimension)
    ]
    starts = [w.start for w in windows if isinstance(w, dg.TimeWindowPartitionsDefinition)]
    return max([datetime(2026, 1, 1, tzinfo=UTC), *(start + timedelta(days=400) for start in starts)])


@pytest.mark.parametrize(("parent", "child", "mapping"), CASES)
def test_different_cadences_compile_with_each_job_on_its_own(
    parent: dg.PartitionsDefinition, child: dg.PartitionsDefinition, mapping: dg.PartitionMapping | None
) -> None:
    defs = _pair(parent, child, mapping)
    [warning] = project_from_definitions("project", defs).warnings
    assert warning.startswith("asset child (")
    assert "reads partitions of asset parent (" in warning
    dagsters = defs.resolve_asset_graph().get_partition_mapping(dg.AssetKey("child"), dg.AssetKey("parent"))
    assert type(dagsters).__name__ in warning
    assert "a run of the `main` DAG builds only its tick's partition of asset parent" in warning
    found = re.search(r"partition (\S+) reads (\d+):", warning)
    assert found is not None
    assert int(found[2]) == _dagster_reads(defs, found[1])  # Dagster's own count
    document = workflow_template(compile_defs(defs))  # valid under Argo's strict schema
    main = dag(document)
    [child_task] = [name for name in main if name in ("child", "each-child")]
    [parent_task] = [name for name in main if name in ("parent", "each-parent")]
    assert main[child_task]["depends"] == parent_task  # `main` keeps Dagster's order
    for job, task in (("child_job", child_task), ("parent_job", parent_task)):
        job_tasks = dag(document, f"job-{job.replace('_', '-')}")
        assert list(job_tasks) == [task]  # each job's DAG runs its own asset only, as a Dagster run does
        assert "depends" not in job_tasks[task]


@pytest.mark.parametrize(("parent", "child", "mapping"), PLANNED)
def test_main_plans_the_upstream_partitions_of_another_cadence(
    parent: dg.PartitionsDefinition, child: dg.PartitionsDefinition, mapping: dg.PartitionMapping | None
) -> None:
    """No warning: `main` lists the upstream partitions with Dagster's mapping (plan-partitions), fans the upstream
    step out over them (withParam) and runs the downstream step after them; the jobs' DAGs stay one asset each."""
    defs = _pair(parent, child, mapping)
    assert project_from_definitions("project", defs).warnings == ()
    document = workflow_template(compile_defs(defs))  # valid under Argo's strict schema
    main = dag(document)
    assert main["child"]["depends"] == "parent-for-child"
    fan_out = main["parent-for-child"]
    assert fan_out["depends"] == "plan-child-parent"
    assert fan_out["withParam"] == "{{tasks.plan-child-parent.outputs.parameters.keys}}"
    assert fan_out["template"] == main["parent"]["template"]  # the upstream's own step, once per listed partition
    assert {"name": "partition", "value": "{{item}}"} in fan_out["arguments"]["parameters"]
    planning = main["plan-child-parent"]
    assert planning["template"] == "plan-partitions"
    assert {"name": "upstream", "value": "parent"} in planning["arguments"]["parameters"]
    [template] = [t for t in document["spec"]["templates"] if t["name"] == "plan-partitions"]
    assert template["container"]["command"] == ["python", "-m", "compiler", "plan-partitions"]
    assert [p["name"] for p in template["outputs"]["parameters"]] == ["keys"]
    for job, task in (("child_job", "child"), ("parent_job", "parent")):
        assert list(dag(document, f"job-{job.replace('_', '-')}")) == [task]


def test_a_chain_of_cadences_is_planned_upstream_first() -> None:
    """hourly → daily → weekly: the weekly task's plan covers both assets above it; the daily fan-out waits for the
    hourly one (its pods read those hours), and each planned list is Dagster's (tests/compiler/materialize/
    test_plan_partitions.py)."""

    @dg.asset(partitions_def=HOURS)
    def readings() -> None: ...

    @dg.asset(partitions_def=DAYS, deps=[readings])
    def day() -> None: ...

    @dg.asset(partitions_def=WEEKS, deps=[day])
    def week() -> None: ...

    defs = dg.Definitions(assets=[readings, day, week])
    assert project_from_definitions("project", defs).warnings == ()
    main = dag(workflow_template(compile_defs(defs)))
    assert main["week"]["depends"] == "day-for-week"
    assert main["day-for-week"]["depends"] == "plan-week-day && readings-for-week"
    assert main["readings-for-week"]["depends"] == "plan-week-readings"
    assert main["day"]["depends"] == "readings-for-day"
    assert {"name": "upstream", "value": "readings"} in main["plan-week-readings"]["arguments"]["parameters"]


def test_an_upstream_with_a_fanned_out_asset_above_it_is_not_planned() -> None:
    """A static asset above the upstream one: its fan-out is not planned, so `main` keeps the one-tick dependency,
    warned."""

    @dg.asset(partitions_def=CITIES)
    def stations() -> None: ...

    @dg.asset(partitions_def=HOURS, deps=[dg.AssetDep(stations, partition_mapping=dg.AllPartitionMapping())])
    def readings() -> None: ...

    @dg.asset(partitions_def=DAYS, deps=[readings])
    def day() -> None: ...

    warnings = project_from_definitions("project", dg.Definitions(assets=[stations, readings, day])).warnings
    assert [w.split(" (", 1)[0] for w in warnings] == ["asset day"]  # readings reads every city each tick
    main = dag(workflow_template(compile_defs(dg.Definitions(assets=[stations, readings, day]))))
    assert main["day"]["depends"] == "readings"


@pytest.mark.parametrize(("parent", "child"), [(HOURS, UTC_DAYS), (DAYS, UTC_DAYS)])
def test_windows_in_two_time_zones_are_refused_as_dagster_refuses_to_map_them(
    parent: dg.PartitionsDefinition, child: dg.PartitionsDefinition
) -> None:
    """Dagster's TimeWindowPartitionMapping raises for windows in different zones, so every Dagster run of the
    downstream asset fails: exit 2 at build time, with Dagster's reason."""
    defs = _pair(parent, child, None)
    graph = defs.resolve_asset_graph()
    mapping = graph.get_partition_mapping(dg.AssetKey("child"), dg.AssetKey("parent"))
    with pytest.raises(Exception, match="Timezones") as dagster_error:
        mapping.get_upstream_mapped_partitions_result_for_partitions(
            child.subset_with_partition_keys(["2026-06-01"]), child, parent
        )
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", defs)
    message = str(error.value)
    assert message.startswith("asset child depends on asset parent, partitioned differently")
    assert "TimeWindowPartitionMapping: Dagster cannot map it" in message
    assert str(dagster_error.value) in message
