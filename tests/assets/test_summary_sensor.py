"""The flagship's new-measurements sensor (assets/sensors.py): the objects the parquet asset writes start the summary
of exactly their partition, and nothing the summary itself writes starts another run."""

import dagster as dg
import pytest

from assets.city import GRAZ, LINZ, VIENNA
from assets.daily_summary import chart_key, summary_key
from assets.definitions import build_defs
from assets.measurements_parquet import object_key
from compiler.materialize.loading import MaterializeUsageError
from compiler.materialize.object_key import partition_for_object
from compiler.sensors.object_sensor import read_object_sensor

DAY = "2026-11-27"
SUMMARY = dg.AssetKey(["openaq", "daily_summary"])


def test_each_citys_parquet_object_starts_its_own_partition_of_the_summary() -> None:
    defs = build_defs((VIENNA, GRAZ, LINZ))
    partitions = defs.resolve_asset_graph().get(SUMMARY).partitions_def
    assert isinstance(partitions, dg.MultiPartitionsDefinition)
    for city in (VIENNA, GRAZ, LINZ):
        partition = partition_for_object(defs, "new_measurements", object_key(city.name, DAY))
        assert partition is not None
        assert partitions.has_partition_key(partition)  # Dagster's own answer: a key of the summary
        keys = partitions.get_partition_key_from_str(partition)
        assert isinstance(keys, dg.MultiPartitionKey)
        assert keys.keys_by_dimension == {"city": city.name, "date": DAY}


def test_the_summarys_own_objects_and_other_zones_cities_start_nothing() -> None:
    defs = build_defs((VIENNA,))
    [sensor] = defs.sensors or []
    spec = read_object_sensor(sensor)
    assert spec is not None
    assert spec.rule.wanted(object_key(VIENNA.name, DAY))
    for key in (summary_key(VIENNA.name, DAY), chart_key(VIENNA.name, DAY), object_key(GRAZ.name, DAY)):
        assert not spec.rule.wanted(key), key
        with pytest.raises(MaterializeUsageError, match="starts no run of sensor new_measurements"):
            partition_for_object(defs, "new_measurements", key)


def test_the_sensor_targets_the_summary_job_and_starts_stopped_in_dagster_dev() -> None:
    defs = build_defs((VIENNA,))
    [sensor] = defs.sensors or []
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert [target.job_name for target in sensor.targets] == ["daily_summary_job"]
    job = defs.resolve_job_def("daily_summary_job")
    assert set(job.asset_layer.selected_asset_keys) == {SUMMARY}
