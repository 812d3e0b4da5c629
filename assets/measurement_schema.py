"""The clean measurements table: one row per sensor-hour. This schema is the pipeline's published contract.

| column        | type                  | meaning                                                   |
|---------------|-----------------------|-----------------------------------------------------------|
| location_id   | int64                 | OpenAQ location id                                        |
| location_name | string                | OpenAQ location name                                      |
| sensor_id     | int64                 | OpenAQ sensor id; (sensor_id, period_end) is unique       |
| parameter     | string                | pollutant, e.g. `pm25`, `no2`                             |
| units         | string                | units of `value`, e.g. `µg/m³`                            |
| value         | float64               | hourly mean; never null, never negative                   |
| period_start  | timestamp[us, UTC]    | start of the hour                                         |
| period_end    | timestamp[us, UTC]    | end of the hour, inside the partition's window            |
| latitude      | float64               | location latitude                                         |
| longitude     | float64               | location longitude                                        |
| has_flags     | bool                  | OpenAQ flagged the hour (`flagInfo.hasFlags`)             |
"""

import pyarrow as pa

MEASUREMENT_SCHEMA = pa.schema(
    [
        pa.field("location_id", pa.int64(), nullable=False),
        pa.field("location_name", pa.string(), nullable=False),
        pa.field("sensor_id", pa.int64(), nullable=False),
        pa.field("parameter", pa.string(), nullable=False),
        pa.field("units", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("period_start", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("period_end", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("latitude", pa.float64(), nullable=False),
        pa.field("longitude", pa.float64(), nullable=False),
        pa.field("has_flags", pa.bool_(), nullable=False),
    ]
)

COLUMNS = tuple(MEASUREMENT_SCHEMA.names)
SORT_KEYS = ("sensor_id", "period_end")

# Physical plausibility per (parameter, units): inclusive upper bounds above anything measured in a real city.
PHYSICAL_MAXIMUM = {
    ("pm25", "µg/m³"): 1_000.0,
    ("pm10", "µg/m³"): 2_000.0,
    ("pm1", "µg/m³"): 1_000.0,
    ("no2", "µg/m³"): 2_000.0,
    ("no", "µg/m³"): 2_000.0,
    ("nox", "µg/m³"): 4_000.0,
    ("o3", "µg/m³"): 1_000.0,
    ("so2", "µg/m³"): 2_000.0,
    ("co", "µg/m³"): 100_000.0,
    ("bc", "µg/m³"): 500.0,
    ("no2", "ppm"): 1.0,
    ("o3", "ppm"): 0.5,
    ("so2", "ppm"): 1.0,
    ("co", "ppm"): 100.0,
}

# Raw sentinels some providers use for "no value"; counted apart from ordinary negative values.
SENTINELS = frozenset({-999.0, -9999.0, -99.0})
