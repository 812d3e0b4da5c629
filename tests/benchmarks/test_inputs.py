"""The partitions the benchmarks materialize are partitions of the flagship's assets, as Dagster reads them: the
pods and memory benchmarks broke silently once when the flagship's keys became date × city."""

import pytest
from dagster import AssetKey, build_output_context

from assets import defs
from assets.io_manager import ObjectStoreIOManager
from benchmarks import pods, stream_memory


@pytest.mark.parametrize(
    ("asset", "partition"),
    [
        *((asset, pods.PARTITION) for asset in pods.ASSETS),
        ("openaq/raw_measurements", stream_memory.RAW_PARTITION),
        ("openaq/clean_measurements", stream_memory.CLEAN_PARTITION),
    ],
)
def test_each_benchmarked_partition_is_a_key_of_its_asset(asset: str, partition: str) -> None:
    partitions_def = defs.get_assets_def(AssetKey.from_user_string(asset)).partitions_def
    assert partitions_def is not None
    assert partitions_def.has_partition_key(partition), (asset, partition)


def test_the_clean_benchmarks_raw_object_is_where_the_io_manager_stores_it() -> None:
    raw = AssetKey(["openaq", "raw_measurements"])
    context = build_output_context(
        asset_key=raw,
        partition_key=stream_memory.CLEAN_PARTITION,
        asset_partitions_def=defs.get_assets_def(raw).partitions_def,
    )
    io_manager = defs.resources["io_manager"]
    assert isinstance(io_manager, ObjectStoreIOManager)
    assert io_manager._key(context, "json") == stream_memory.CLEAN_OBJECT
