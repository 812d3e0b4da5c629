"""`openaq/daily_summary`: per city-day, what the day's measurements say against the WHO 2021 24-hour guidelines.

It reads the parquet object `openaq/measurements_parquet` published for the same date × city partition, and
publishes `air_quality/city={city}/date={YYYY-MM-DD}/summary.json` and `chart.png` beside it (`assets/summary/`
computes, draws and checks). It is event-driven, not nightly: it sits in its own group, so the nightly job (which
selects the group `air_quality`) never builds it, and `daily_summary_job` selects it alone, for a sensor on new
parquet objects to target. A sensor passes the key of the object it saw as run config `source_key`; without it the
run reads the partition's own object.
"""

import base64
import hashlib
from typing import Any

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    MultiPartitionsDefinition,
    TableColumn,
    TableRecord,
    TableSchema,
    asset,
    define_asset_job,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition
from pydantic import Field

from assets.measurements_parquet import object_key
from assets.partitions import city_day, partition_window_utc
from assets.resources.object_store import ObjectStore
from assets.summary.chart import render_chart
from assets.summary.compute import DaySummary, encode_document, summarise, summary_document
from assets.summary.source import BadSourceObject, city_day_of_key, read_measurements
from assets.zones import Zone

SUMMARY_FILE = "summary.json"
CHART_FILE = "chart.png"


class SummaryConfig(Config):
    """Run config of the summary: which object the run was triggered by (a sensor sets it)."""

    source_key: str = Field(
        default="",
        description="Key of the new measurements object that triggered this run; it must be this partition's "
        "air_quality/city=<city>/date=<YYYY-MM-DD>/measurements.parquet. Empty: that key.",
    )


def summary_key(city: str, day: str) -> str:
    return object_key(city, day).rsplit("/", 1)[0] + "/" + SUMMARY_FILE


def chart_key(city: str, day: str) -> str:
    return object_key(city, day).rsplit("/", 1)[0] + "/" + CHART_FILE


def build_daily_summary(zone: Zone, partitions_def: MultiPartitionsDefinition) -> AssetsDefinition:
    """The asset for every city of `zone`, on the zone's date × city partitions (those of measurements_parquet)."""
    parquet_key = AssetKey([*zone.key_prefix, "measurements_parquet"])

    @asset(
        key=[*zone.key_prefix, "daily_summary"],
        deps=[AssetDep(parquet_key)],
        group_name=zone.name("air_quality_summary"),
        partitions_def=partitions_def,
        owners=["team:data-platform"],
        kinds={"json", "s3"},
        code_version="1",
        description=(
            "Per pollutant: hours measured, daily mean and maximum, and whether the daily mean exceeds the WHO 2021 "
            "24-hour guideline; summary.json and chart.png beside the day's measurements.parquet."
        ),
    )
    def daily_summary(context: AssetExecutionContext, config: SummaryConfig, store: ObjectStore) -> MaterializeResult:
        city, day = city_day(zone, context.partition_key)
        source = object_key(city.name, day)
        try:
            _check_trigger(config.source_key, source)
            data = store.get_bytes(source)
            frame = read_measurements(data, store.uri(source))
            start, end = partition_window_utc(day, city.timezone)
            summary = summarise(frame, city.name, day, city.timezone, start, end)
        except BadSourceObject as error:
            raise Failure(
                description=f"not summarising {city.name} {day}, nothing published: {error}", allow_retries=False
            ) from None
        chart = render_chart(summary)
        document = encode_document(
            summary_document(
                summary,
                source={"uri": store.uri(source), "sha256": _sha256(data), "rows": len(frame)},
                chart={"uri": store.uri(chart_key(city.name, day)), "sha256": _sha256(chart)},
            )
        )
        # Both objects are complete before the first PUT, so a bad object publishes nothing; each PUT is atomic, and
        # the summary goes last and names the chart's sha256: a reader who sees the summary can trust the chart.
        chart_uri = store.put_bytes(chart_key(city.name, day), chart, "image/png")
        summary_uri = store.put_bytes(summary_key(city.name, day), document, "application/json")
        context.log.info(f"published {summary_uri} and {chart_uri}")
        return MaterializeResult(metadata=_metadata(summary, summary_uri, chart_uri, document, chart))

    return daily_summary


def build_summary_job(zone: Zone, partitions_def: MultiPartitionsDefinition) -> UnresolvedAssetJobDefinition:
    """`daily_summary_job` (zone-suffixed outside the first zone): the summary alone, what a new-object sensor on
    the measurements objects targets. No schedule targets it."""
    return define_asset_job(
        zone.name("daily_summary_job"),
        selection=AssetSelection.assets(AssetKey([*zone.key_prefix, "daily_summary"])),
        partitions_def=partitions_def,
        description=f"Summarise one city-day's published measurements against the WHO 2021 guidelines "
        f"({zone.timezone}).",
    )


def _check_trigger(source_key: str, expected: str) -> None:
    """A triggering key must be a measurements object and this partition's: never summarise another day's data."""
    if not source_key:
        return
    city_day_of_key(source_key)
    if source_key != expected:
        raise BadSourceObject(f"the triggering object {source_key!r} is not this partition's {expected!r}")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _metadata(summary: DaySummary, summary_uri: str, chart_uri: str, document: bytes, chart: bytes) -> dict[str, Any]:
    """What the Dagster UI shows: the URIs, the summary as a table, the chart as an inline image."""
    columns = {
        "parameter": "string",
        "units": "string",
        "hours_measured": "int",
        "sensors": "int",
        "mean": "float",
        "max": "float",
        "guideline": "string",
        "exceeds_guideline": "string",
    }
    records = [
        TableRecord(
            {
                "parameter": p.parameter,
                "units": p.units,
                "hours_measured": p.hours_measured,
                "sensors": p.sensors,
                "mean": round(p.mean, 3),
                "max": round(p.maximum, 3),
                "guideline": "" if p.guideline is None else f"{p.guideline.level:g}",
                "exceeds_guideline": "" if p.exceeds is None else ("yes" if p.exceeds else "no"),
            }
        )
        for p in summary.pollutants
    ]
    schema = TableSchema([TableColumn(name, kind) for name, kind in columns.items()])
    exceeding = [p.parameter for p in summary.pollutants if p.exceeds]
    image = base64.b64encode(chart).decode("ascii")
    return {
        "summary_uri": summary_uri,
        "chart_uri": chart_uri,
        "hours_in_day": summary.hours_in_day,
        "exceeding_guideline": ", ".join(exceeding) or "none",
        "summary": MetadataValue.table(records, schema=schema),
        "chart": MetadataValue.md(f"![{summary.city} {summary.day}](data:image/png;base64,{image})"),
        "summary_sha256": _sha256(document),
        "chart_sha256": _sha256(chart),
    }
