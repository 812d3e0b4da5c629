"""The object-store IO manager: values survive the trip through S3 and across processes, dtypes included."""

import json
import subprocess
import sys
import textwrap
from typing import Any

import pandas as pd
import pytest
from dagster import AssetKey, DagsterType, In, InputContext, build_input_context, build_output_context

from assets import defs
from assets.io_manager import ObjectStoreIOManager, StoredChunks
from assets.resources.object_store import ObjectNotFound, ObjectStore

RAW = AssetKey(["openaq", "raw_measurements"])
CLEAN = AssetKey(["openaq", "clean_measurements"])
clean_measurements = defs.get_assets_def(CLEAN)


def _manager() -> ObjectStoreIOManager:
    return ObjectStoreIOManager(store=ObjectStore.from_env())


def _declared(annotation: Any) -> DagsterType:
    """The Dagster type an asset input annotated this way gets; the IO manager picks the stored format from it."""
    return _resolved(In(dagster_type=annotation).dagster_type)


def _resolved(declared: object) -> DagsterType:
    assert isinstance(declared, DagsterType), f"no Dagster type resolved: {declared!r}"
    return declared


def _input(key: AssetKey, partition: str | None, annotation: Any) -> InputContext:
    return build_input_context(asset_key=key, partition_key=partition, dagster_type=_declared(annotation))


def _typed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sensor_id": pd.Series([9001011, 9001012, 2**40], dtype="int64"),
            "value": pd.Series([14.0, None, 0.25], dtype="Float64"),
            "units": pd.Series(["µg/m³", "ppm", "µg/m³"], dtype="string"),
            "period_end": pd.to_datetime(
                ["2026-11-27T00:00:00Z", "2026-11-27T01:00:00Z", "2026-11-27T02:00:00Z"], utc=True
            ),
        }
    )


def _store_and_load(value: object, key: AssetKey, partition: str | None, annotation: Any) -> object:
    manager = _manager()
    manager.handle_output(build_output_context(asset_key=key, partition_key=partition), value)
    return manager.load_input(_input(key, partition, annotation))


def test_json_round_trip_keeps_unicode_and_order(s3_env: dict[str, str]) -> None:
    raw = {"z": 1, "units": "µg/m³", "rows": [{"value": None}, {"value": 14.0}]}
    loaded = _store_and_load(raw, RAW, "2026-11-27", dict[str, Any])
    assert loaded == raw
    assert isinstance(loaded, dict)
    assert list(loaded) == ["z", "units", "rows"]


def test_dataframe_round_trip_keeps_dtypes(s3_env: dict[str, str]) -> None:
    frame = _typed_frame()
    loaded = _store_and_load(frame, CLEAN, "2026-11-27", pd.DataFrame)
    assert isinstance(loaded, pd.DataFrame)
    pd.testing.assert_frame_equal(loaded, frame)
    assert loaded["value"].dtype == "Float64"
    assert loaded["sensor_id"].dtype == "int64"


def test_objects_are_keyed_by_asset_path_and_partition(s3_env: dict[str, str]) -> None:
    manager = _manager()
    manager.handle_output(build_output_context(asset_key=RAW, partition_key="2026-11-27"), {"day": 27})
    manager.handle_output(build_output_context(asset_key=RAW, partition_key="2026-11-28"), {"day": 28})
    store = ObjectStore.from_env()
    assert json.loads(store.get_bytes("dagster/openaq/raw_measurements/2026-11-27.json")) == {"day": 27}
    assert json.loads(store.get_bytes("dagster/openaq/raw_measurements/2026-11-28.json")) == {"day": 28}


def test_a_date_by_city_key_becomes_dimension_folders(s3_env: dict[str, str]) -> None:
    raw = defs.get_assets_def(RAW)
    grid = raw.partitions_def
    assert grid is not None
    key = grid.get_partition_keys()[0]  # Dagster's own key string, e.g. "vienna|2024-01-01"
    context = build_output_context(asset_key=RAW, partition_key=key, asset_partitions_def=grid)
    _manager().handle_output(context, {"first": True})
    by_dimension = grid.get_partition_key_from_str(key).keys_by_dimension
    folders = "/".join(f"{name}={value}" for name, value in sorted(by_dimension.items()))
    stored = ObjectStore.from_env().get_bytes(f"dagster/openaq/raw_measurements/{folders}.json")
    assert json.loads(stored) == {"first": True}
    assert "|" not in folders


def test_an_input_declared_bytes_gets_the_stored_json_unparsed(s3_env: dict[str, str]) -> None:
    raw = {"units": "µg/m³", "rows": [1, 2]}
    loaded = _store_and_load(raw, RAW, "2026-11-27", bytes)
    assert loaded == '{"units":"µg/m³","rows":[1,2]}'.encode()


def test_an_unannotated_input_gets_json(s3_env: dict[str, str]) -> None:
    assert _store_and_load([1, "zwei"], RAW, "2026-11-27", Any) == [1, "zwei"]


def test_missing_upstream_value_names_the_asset_bucket_and_key(s3_env: dict[str, str]) -> None:
    ObjectStore.from_env().ensure_bucket()
    with pytest.raises(ObjectNotFound) as caught:
        _manager().load_input(_input(RAW, "2026-01-01", dict[str, Any]))
    assert "openaq/raw_measurements" in str(caught.value)
    assert s3_env["MINIO_BUCKET"] in str(caught.value)
    assert "dagster/openaq/raw_measurements/2026-01-01.json" in str(caught.value)


def test_a_stale_object_of_the_other_format_is_never_read(s3_env: dict[str, str]) -> None:
    """An asset that changed from DataFrame to dict leaves a stale .parquet behind; inputs read the declared format."""
    manager = _manager()
    manager.handle_output(build_output_context(asset_key=RAW, partition_key="2026-05-01"), pd.DataFrame({"stale": [1]}))
    manager.handle_output(build_output_context(asset_key=RAW, partition_key="2026-05-01"), {"current": True})
    assert manager.load_input(_input(RAW, "2026-05-01", dict[str, Any])) == {"current": True}
    # the real clean asset declares its raw input as a stream of chunks: it streams the JSON, not the stale parquet
    declared = _resolved(clean_measurements.op.ins["raw"].dagster_type)
    loaded = manager.load_input(build_input_context(asset_key=RAW, partition_key="2026-05-01", dagster_type=declared))
    assert isinstance(loaded, StoredChunks)
    assert b"".join(loaded) == b'{"current":true}'
    assert manager.load_input(_input(RAW, "2026-05-01", bytes)) == b'{"current":true}'
    # and a DataFrame input of an asset whose only object is JSON is told which parquet key is missing
    manager.handle_output(build_output_context(asset_key=CLEAN, partition_key="2026-05-01"), {"was": "json"})
    with pytest.raises(ObjectNotFound, match=r"openaq/clean_measurements.*clean_measurements/2026-05-01\.parquet"):
        manager.load_input(_input(CLEAN, "2026-05-01", pd.DataFrame))


def test_an_input_declared_as_an_unstorable_type_is_refused(s3_env: dict[str, str]) -> None:
    with pytest.raises(TypeError, match=r"openaq/raw_measurements.*declared as <class 'int'>.*annotation"):
        _manager().load_input(_input(RAW, "2026-11-27", int))


def test_unsupported_type_is_refused_with_the_asset_name(s3_env: dict[str, str]) -> None:
    with pytest.raises(TypeError, match="openaq/raw_measurements"):
        _manager().handle_output(build_output_context(asset_key=RAW, partition_key="2026-11-27"), 42)


def test_written_in_one_process_loaded_in_another(s3_env: dict[str, str]) -> None:
    writer = textwrap.dedent(
        """
        import pandas as pd
        from dagster import AssetKey, build_output_context
        from assets.io_manager import ObjectStoreIOManager
        from assets.resources.object_store import ObjectStore
        frame = pd.DataFrame({"sensor_id": pd.Series([7, 8], dtype="int64"),
                              "value": pd.Series([1.5, None], dtype="Float64"),
                              "units": pd.Series(["µg/m³", "ppm"], dtype="string")})
        manager = ObjectStoreIOManager(store=ObjectStore.from_env())
        context = build_output_context(asset_key=AssetKey(["openaq", "clean_measurements"]), partition_key="2026-03-29")
        manager.handle_output(context, frame)
        """
    )
    subprocess.run([sys.executable, "-c", writer], check=True, capture_output=True, timeout=120)
    loaded = _manager().load_input(_input(CLEAN, "2026-03-29", pd.DataFrame))
    expected = pd.DataFrame(
        {
            "sensor_id": pd.Series([7, 8], dtype="int64"),
            "value": pd.Series([1.5, None], dtype="Float64"),
            "units": pd.Series(["µg/m³", "ppm"], dtype="string"),
        }
    )
    pd.testing.assert_frame_equal(loaded, expected)
