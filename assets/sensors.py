"""The event-driven step: a new measurements object in the bucket starts that city-day's daily summary.

`new_object_sensor` (the compiler's own, `compiler/sensors/`) is a real Dagster sensor in `dagster dev` and compiles
to an Argo Events EventSource + Sensor for the cluster; both map the object key to the partition with the same
pattern, whose named groups are the partitions' dimensions (`city`, `date`). The pattern names the zone's cities, so
a key of a city of another zone (another summary job) starts nothing here.
"""

import re

from dagster import DefaultSensorStatus, EnvVar, SensorDefinition
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from assets.partitions import CITY, DATE
from assets.zones import Zone
from compiler.sensors import new_object_sensor

MEASUREMENTS_PREFIX = "air_quality/"
MEASUREMENTS_SUFFIX = "/measurements.parquet"


def key_pattern(zone: Zone) -> str:
    """`city=(?P<city>vienna)/date=(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})/`: the Hive-style key the parquet asset
    writes (`air_quality/city={city}/date={YYYY-MM-DD}/measurements.parquet`), for this zone's cities."""
    cities = "|".join(re.escape(city.name) for city in zone.cities)
    return f"city=(?P<{CITY}>{cities})/date=(?P<{DATE}>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})/"


def build_summary_sensor(zone: Zone, summary_job: UnresolvedAssetJobDefinition) -> SensorDefinition:
    """One run of the zone's summary job per new (or rewritten) measurements object. STOPPED by default in
    `dagster dev`, as Dagster's sensors are: turn it on in the UI; on the cluster Argo Events runs it."""
    return new_object_sensor(
        zone.name("new_measurements"),
        target=summary_job,
        bucket=EnvVar("MINIO_BUCKET"),
        prefix=MEASUREMENTS_PREFIX,
        suffix=MEASUREMENTS_SUFFIX,
        partition_key=key_pattern(zone),
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Summarise each city-day of {zone.timezone} when its measurements object appears.",
    )
