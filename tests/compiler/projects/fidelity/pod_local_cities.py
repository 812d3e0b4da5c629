"""Issue 25: a static fan-out (one run per city) whose chain hands values through Dagster's default IO manager: each
city's per-key DAG runs both assets in one pod (compiler/builder/pod_local.py), `rank` (deps= only) keeps its task."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

CITIES = dg.StaticPartitionsDefinition(["graz", "vienna"])


@dg.asset(partitions_def=CITIES)
def city_raw(context: dg.AssetExecutionContext) -> str:
    value = context.partition_key.upper()
    record_run(f"city_raw[{context.partition_key}]={value}")
    return value


@dg.asset(partitions_def=CITIES)
def city_clean(context: dg.AssetExecutionContext, city_raw: str) -> str:
    value = f"{city_raw.lower()}:{len(city_raw)}"
    record_run(f"city_clean[{context.partition_key}]={value}")
    return value


@dg.asset(partitions_def=CITIES, deps=[city_clean])
def rank(context: dg.AssetExecutionContext) -> None:
    record_run(f"rank[{context.partition_key}]")


defs = dg.Definitions(assets=[city_raw, city_clean, rank])
