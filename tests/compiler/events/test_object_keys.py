"""The one key → partition rule (compiler/sensors/keys.py) that Dagster's sensor, the compiled Sensor's filters and
the pod share; the pod decodes SQS's URL-encoded keys before applying it."""

import re

import pytest

from compiler.materialize.loading import MaterializeUsageError
from compiler.materialize.object_key import partition_for_object
from compiler.sensors.keys import KeyPatternError, ObjectKeyRule, check_pattern
from tests.compiler.projects import object_events

RULE = ObjectKeyRule("air_quality/", ".parquet", object_events.PATTERN)


@pytest.mark.parametrize(
    ("key", "partition"),
    [
        ("air_quality/city=vienna/date=2026-11-27/measurements.parquet", "vienna|2026-11-27"),
        ("air_quality/city=wiener neustadt/date=2026-11-28/m.parquet", "wiener neustadt|2026-11-28"),
        ("air_quality/city=graz/", None),  # directory marker
        ("air_quality/stations.parquet", None),  # outside the pattern
        ("air_quality/city=graz/date=2026-11-27/notes.txt", None),  # outside the suffix
        ("other/city=graz/date=2026-11-27/m.parquet", None),  # outside the prefix
    ],
)
def test_python_and_the_sensor_filters_agree(key: str, partition: str | None) -> None:
    assert RULE.wanted(key) is (partition is not None)
    # the filter strings are what the Argo Sensor matches (unanchored, as Go's regexp.Match): the same verdict
    assert all(re.search(f, key) for f in RULE.filters()) is (partition is not None)
    if partition is not None:
        assert RULE.partition_key(key) == partition


def test_dimensions_are_in_dagsters_order_whatever_the_key_order() -> None:
    rule = ObjectKeyRule(pattern=r"date=(?P<date>[^/]+)/city=(?P<city>[^/]+)/")
    assert rule.partition_key("date=2026-11-27/city=linz/x") == "linz|2026-11-27"


@pytest.mark.parametrize("pattern", [r"(?=a)", r"(?<=a)b", r"(a)\1", r"(?P<x>a)(?P=x)", r"a++", r"a\Z", r"(a)"])
def test_patterns_re2_cannot_read_are_refused(pattern: str) -> None:
    with pytest.raises(KeyPatternError):
        check_pattern(pattern)


def test_the_pod_decodes_sqs_keys_and_refuses_unwanted_ones() -> None:
    key = "air_quality%2Fcity%3Dwiener+neustadt%2Fdate%3D2026-11-28%2Fmeasurements.parquet"
    defs = object_events.defs
    assert partition_for_object(defs, "new_measurements", key, "url") == "wiener neustadt|2026-11-28"
    with pytest.raises(MaterializeUsageError, match="starts no run of sensor new_measurements: does not match"):
        partition_for_object(defs, "new_measurements", "air_quality%2Fstations.parquet", "url")
    with pytest.raises(MaterializeUsageError, match="needs --sensor"):
        partition_for_object(defs, "", key, "url")
