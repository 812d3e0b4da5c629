"""Partition mappings between differently partitioned assets: what Argo can honour within one tick compiles (the
downstream task waits for the upstream task or fan-out), judged by Dagster's own mapping code; partitions other
ticks build are a different cadence (tests/compiler/test_cadence_compile.py)."""

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from tests.compiler.support import compile_defs, dag, workflow_template

DAYS = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="Europe/Vienna")
CITIES = dg.StaticPartitionsDefinition(["graz", "linz", "vienna"])
GRID = dg.MultiPartitionsDefinition({"date": DAYS, "city": CITIES})
BY_DATE = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="date")


def _pair(
    parent_def: dg.PartitionsDefinition, child_def: dg.PartitionsDefinition, mapping: dg.PartitionMapping | None
) -> dg.Definitions:
    @dg.asset(partitions_def=parent_def)
    def parent() -> None: ...

    @dg.asset(partitions_def=child_def, deps=[dg.AssetDep(parent, partition_mapping=mapping)])
    def child() -> None: ...

    return dg.Definitions(assets=[parent, child])


def _warnings(defs: dg.Definitions) -> tuple[str, ...]:
    return project_from_definitions("project", defs).warnings


@pytest.mark.parametrize(
    ("parent", "child", "mapping"),
    [
        (DAYS, GRID, BY_DATE),  # a shared daily input of every city
        (DAYS, GRID, None),  # Dagster infers the same mapping
        (GRID, DAYS, BY_DATE),  # fan-in: the day of every city
        (CITIES, dg.StaticPartitionsDefinition(["graz", "linz", "vienna", "x"]), dg.AllPartitionMapping()),
        (dg.DailyPartitionsDefinition("2025-06-01", timezone="Europe/Vienna"), DAYS, dg.IdentityPartitionMapping()),
    ],
)
def test_mappings_to_the_ticks_partitions_compile_without_warning(
    parent: dg.PartitionsDefinition, child: dg.PartitionsDefinition, mapping: dg.PartitionMapping | None
) -> None:
    defs = _pair(parent, child, mapping)
    assert _warnings(defs) == ()
    tasks = dag(workflow_template(compile_defs(defs)))  # valid under Argo's strict schema
    parent_task = "each-parent" if "each-parent" in tasks else "parent"
    child_task = "each-child" if "each-child" in tasks else "child"
    assert tasks[child_task]["depends"] == parent_task  # waits for the whole upstream task of the tick


def test_a_static_mapping_needing_some_keys_waits_for_all_with_a_warning() -> None:
    countries = dg.StaticPartitionsDefinition(["at", "de"])
    mapping = dg.StaticPartitionMapping({"graz": "at", "linz": "at", "vienna": "at"})
    [warning] = _warnings(_pair(CITIES, countries, mapping))
    assert warning.startswith("asset child: waits for every partition of asset parent its tick builds")
    assert "StaticPartitionMapping" in warning
