"""Compiling static and multi-dimensional partitions: keys with odd characters stay exact `withItems` items in valid
manifests, and what cannot fan out when compiling is refused naming the asset."""

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.support import compile_defs, dag, workflow_template

ODD_KEYS = ["St. Pölten", 'say "hi"', "a: b", "x|y", "1st", "ünïcødé 🌍"]


def test_odd_static_keys_are_exact_items_of_a_valid_manifest() -> None:
    @dg.asset(key=["Odd_Region", "Raw_Data"], partitions_def=dg.StaticPartitionsDefinition(ODD_KEYS))
    def raw() -> None: ...

    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(ODD_KEYS), deps=[raw])
    def report() -> None: ...

    keys = dg.StaticPartitionsDefinition(ODD_KEYS)
    job = dg.define_asset_job("regions", selection=[raw, report], partitions_def=keys)
    defs = dg.Definitions(
        assets=[raw, report],
        jobs=[job],
        schedules=[dg.build_schedule_from_partitioned_job(job, cron_schedule="0 4 * * *")],
    )
    documents = compile_defs(defs)  # asserts Argo's strict JSON schema on every manifest
    template = workflow_template(documents)
    [fan_out] = dag(template).values()
    assert fan_out["withItems"] == ODD_KEYS  # Dagster's keys, in its order, unchanged
    assert fan_out["name"] == "each-odd-region-raw-data"
    inner = dag(template, fan_out["template"])
    assert list(inner) == ["odd-region-raw-data", "report"]
    assert inner["report"]["depends"] == "odd-region-raw-data"


def test_a_dependency_between_fan_out_and_time_window_assets_keeps_both_valid() -> None:
    """An unpartitioned asset downstream of a fan-out waits for every key (the fan-out task)."""
    cities = dg.StaticPartitionsDefinition(["graz", "vienna"])

    @dg.asset(partitions_def=cities)
    def per_city() -> None: ...

    @dg.asset(deps=[per_city])
    def overview() -> None: ...

    template = workflow_template(compile_defs(dg.Definitions(assets=[per_city, overview])))
    tasks = dag(template)
    assert tasks["overview"]["depends"] == "each-per-city"
    assert tasks["each-per-city"]["withItems"] == ["graz", "vienna"]


def _refusal(defs: dg.Definitions) -> str:
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", defs)
    return str(error.value)


def test_dynamic_partitions_without_a_shared_instance_are_refused_with_the_reason() -> None:
    """With one they compile to a planning task and withParam (tests/compiler/test_dynamic_partitions_compile.py)."""

    @dg.asset(partitions_def=dg.DynamicPartitionsDefinition(name="customers"))
    def customers() -> None: ...

    with pytest.raises(UnsupportedInputError) as error:
        compile_defs(dg.Definitions(assets=[customers]))  # the settings decide: no [tool.compiler.instance]
    message = str(error.value)
    assert "asset customers" in message
    assert "DynamicPartitionsDefinition 'customers' keeps its keys in the Dagster instance" in message
    assert "[tool.compiler.instance]" in message


def test_a_multi_partition_with_a_dynamic_dimension_is_refused() -> None:
    multi = dg.MultiPartitionsDefinition(
        {"date": dg.DailyPartitionsDefinition("2026-01-01"), "customer": dg.DynamicPartitionsDefinition(name="c")}
    )

    @dg.asset(partitions_def=multi)
    def orders() -> None: ...

    message = _refusal(dg.Definitions(assets=[orders]))
    assert "asset orders" in message
    assert "customer (DynamicPartitionsDefinition)" in message


def test_a_key_argo_would_evaluate_is_refused() -> None:
    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(["{{workflow.name}}"]))
    def sneaky() -> None: ...

    assert "asset sneaky: partition key '{{workflow.name}}'" in _refusal(dg.Definitions(assets=[sneaky]))


def test_an_asset_between_two_assets_of_one_fan_out_is_refused() -> None:
    cities = dg.StaticPartitionsDefinition(["graz", "vienna"])

    @dg.asset(partitions_def=cities)
    def first() -> None: ...

    @dg.asset(deps=[first])
    def middle() -> None: ...

    @dg.asset(partitions_def=cities, deps=[middle])
    def last() -> None: ...

    with pytest.raises(UnsupportedInputError, match="form a cycle once each partitions definition"):
        compile_defs(dg.Definitions(assets=[first, middle, last]))
