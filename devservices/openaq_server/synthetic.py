"""SYNTHETIC air-quality data for the local OpenAQ-compatible server: not real measurements.

Every value is a pure function of (sensor id, hour), so tests can compute independently what the server holds.
A `dirty` city also serves the flaws real data has, again as a pure function of (sensor id, hour) (`dirt`): a few
null values, -999 sentinels, rows served twice, and rows outside the asked window, so the cleaning has work to do.
"""

from __future__ import annotations

import copy
import hashlib
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

HOUR = timedelta(hours=1)
EARTH_RADIUS_M = 6_371_008.8
SYNTHETIC_PROVIDER = {"id": 0, "name": "synthetic"}
SYNTHETIC_OWNER = {"id": 0, "name": "Synthetic data (not real measurements)"}
FAR_FUTURE = datetime(2099, 12, 31, tzinfo=UTC)
DATA_START = datetime(2016, 1, 1, 1, tzinfo=UTC)
RETIRED_AT = datetime(2019, 6, 30, 22, tzinfo=UTC)


@dataclass(frozen=True)
class Parameter:
    """An OpenAQ parameter with the plausible range synthetic values are drawn from."""

    id: int
    name: str
    units: str
    display_name: str
    low: float
    high: float

    def as_json(self, *, display_name: bool = True) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "units": self.units,
            "displayName": self.display_name if display_name else None,
        }


PM10 = Parameter(1, "pm10", "µg/m³", "PM10", 5.0, 90.0)
PM25 = Parameter(2, "pm25", "µg/m³", "PM2.5", 2.0, 60.0)
O3 = Parameter(3, "o3", "µg/m³", "O₃", 5.0, 140.0)
NO2 = Parameter(5, "no2", "µg/m³", "NO₂", 3.0, 80.0)
O3_PPM = Parameter(10, "o3", "ppm", "O₃ ppm", 0.003, 0.07)


@dataclass(frozen=True)
class SyntheticSensor:
    id: int
    parameter: Parameter

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": f"{self.parameter.name} {self.parameter.units}",
            "parameter": self.parameter.as_json(),
        }


@dataclass(frozen=True)
class SyntheticLocation:
    """A station; `first`/`last` bound the period ends it has data for (None: never reported)."""

    id: int
    name: str
    latitude: float
    longitude: float
    sensors: tuple[SyntheticSensor, ...]
    first: datetime | None
    last: datetime | None

    def is_active_since(self, start: datetime) -> bool:
        return self.last is not None and self.last >= start


@dataclass(frozen=True)
class _LocationSpec:
    name: str
    distance_m: float
    bearing_deg: float
    parameters: tuple[Parameter, ...]
    status: str = "active"  # "active", "retired" (last data in 2019) or "never" (no data at all)


DEFAULT_SPECS: tuple[_LocationSpec, ...] = (
    _LocationSpec("Centre", 40, 0, (NO2, O3)),
    _LocationSpec("North-East", 1_100, 45, (NO2, PM10, PM25)),
    _LocationSpec("South", 2_500, 160, (PM25, PM10, NO2, O3)),
    _LocationSpec("West", 6_800, 250, (NO2, O3_PPM)),
    _LocationSpec("North", 9_500, 20, (PM10, PM25)),
    _LocationSpec("Retired West", 3_000, 300, (NO2, PM10), status="retired"),
    _LocationSpec("Never Reported East", 4_200, 100, (PM25,), status="never"),
    _LocationSpec("Far South-East", 14_000, 120, (NO2, PM10)),
    _LocationSpec("Very Far West", 30_000, 290, (PM10,)),
)


def destination(latitude: float, longitude: float, distance_m: float, bearing_deg: float) -> tuple[float, float]:
    """The point `distance_m` away on `bearing_deg` (spherical earth), rounded to 6 decimals like the API."""
    lat1, lon1, brg = math.radians(latitude), math.radians(longitude), math.radians(bearing_deg)
    d = distance_m / EARTH_RADIUS_M
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(brg))
    lon2 = lon1 + math.atan2(
        math.sin(brg) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
    )
    return round(math.degrees(lat2), 6), round(math.degrees(lon2), 6)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sensor_value_unrounded(sensor_id: int, parameter: Parameter, period_end: datetime) -> float:
    """Hash of (sensor id, period end) mapped into the parameter's range: stable across runs and machines."""
    digest = hashlib.blake2b(f"{sensor_id}|{utc_iso(period_end)}".encode(), digest_size=8).digest()
    fraction = int.from_bytes(digest, "big") / 2**64
    return parameter.low + (parameter.high - parameter.low) * fraction


DIRT_KINDS = ("null", "sentinel", "duplicate", "outside")
DIRT_RATE = 0.03  # of the hours, per kind
SENTINEL_VALUE = -999.0


def dirt(sensor_id: int, period_end: datetime) -> str | None:
    """The flaw a dirty server gives this sensor-hour, if any: one of DIRT_KINDS, about 3% each."""
    digest = hashlib.blake2b(f"dirt|{sensor_id}|{utc_iso(period_end)}".encode(), digest_size=8).digest()
    index = int(int.from_bytes(digest, "big") / 2**64 / DIRT_RATE)
    return DIRT_KINDS[index] if index < len(DIRT_KINDS) else None


def three_significant(value: float) -> float:
    return float(f"{value:.3g}")


def hour_row_json(
    value: float | None, raw: float, parameter: dict[str, Any], start: dict[str, str] | None, end: dict[str, str] | None
) -> dict[str, Any]:
    """One `/v3/sensors/{id}/hours` row in the API's exact shape (shared with the benchmarks' synthetic days)."""
    return {
        "value": value,
        "flagInfo": {"hasFlags": False},
        "parameter": parameter,
        "period": {"label": "1hour", "interval": "01:00:00", "datetimeFrom": start, "datetimeTo": end},
        "coordinates": None,
        "summary": {
            "min": raw,
            "q02": raw,
            "q25": raw,
            "median": raw,
            "q75": raw,
            "q98": raw,
            "max": raw,
            "avg": raw,
            "sd": None,
        },
        "coverage": {
            "expectedCount": 1,
            "expectedInterval": "01:00:00",
            "observedCount": 1,
            "observedInterval": "01:00:00",
            "percentComplete": 100.0,
            "percentCoverage": 100.0,
            "datetimeFrom": start,
            "datetimeTo": end,
        },
    }


@dataclass
class SyntheticCity:
    """A fixed, SYNTHETIC set of stations around a point; some beyond 10/25 km, one retired, one never reported."""

    name: str = "Vienna"
    latitude: float = 48.2082
    longitude: float = 16.3738
    timezone: str = "Europe/Vienna"
    extra_locations: int = 0
    dirty: bool = False  # serve `dirt` too (make demo / make dev); tests of exact shapes keep it off
    first_location_id: int = 900101  # several cities on one server need ids of their own (see `cities_for`)
    locations: list[SyntheticLocation] = field(init=False)

    def __post_init__(self) -> None:
        specs = list(DEFAULT_SPECS)
        for i in range(self.extra_locations):
            params = (PM25, NO2) if i % 2 == 0 else (PM10,)
            specs.append(_LocationSpec(f"Extra {i + 1}", 500 + (i * 733) % 9_000, (i * 47) % 360, params))
        self.locations = [self._build(index, spec) for index, spec in enumerate(specs)]
        self._by_sensor = {s.id: (loc, s) for loc in self.locations for s in loc.sensors}

    def _build(self, index: int, spec: _LocationSpec) -> SyntheticLocation:
        location_id = self.first_location_id + index
        lat, lon = destination(self.latitude, self.longitude, spec.distance_m, spec.bearing_deg)
        sensors = tuple(SyntheticSensor(location_id * 10 + k + 1, p) for k, p in enumerate(spec.parameters))
        first, last = {
            "active": (DATA_START, FAR_FUTURE),
            "retired": (DATA_START, RETIRED_AT),
            "never": (None, None),
        }[spec.status]
        name = f"Synthetic {self.name} {spec.name} (synthetic data)"
        return SyntheticLocation(location_id, name, lat, lon, sensors, first, last)

    # ---- lookups tests use to compute expectations independently of the HTTP layer ----
    def sensor(self, sensor_id: int) -> tuple[SyntheticLocation, SyntheticSensor] | None:
        return self._by_sensor.get(sensor_id)

    def within(self, latitude: float, longitude: float, radius_m: float) -> list[tuple[SyntheticLocation, float]]:
        """Locations within `radius_m` of the point, with their distance, sorted by id."""
        hits = [(loc, haversine_m(latitude, longitude, loc.latitude, loc.longitude)) for loc in self.locations]
        return [(loc, dist) for loc, dist in hits if dist <= radius_m]

    def active_sensor_ids(self, start: datetime, radius_m: float) -> list[int]:
        """Sensors of the locations around the city centre that are active since `start`."""
        return sorted(
            s.id
            for loc, _ in self.within(self.latitude, self.longitude, radius_m)
            if loc.is_active_since(start)
            for s in loc.sensors
        )

    def hour_ends(self, sensor_id: int, after: datetime, until: datetime) -> list[datetime]:
        """Period ends e with after < e <= until that the sensor has data for (the API's own semantics)."""
        return list(self._iter_hour_ends(sensor_id, after, until))

    def expected_hours(self, sensor_id: int, start: datetime, end: datetime) -> int:
        return self.count_hours(sensor_id, start, end)

    def count_hours(self, sensor_id: int, after: datetime, until: datetime) -> int:
        first_end, last_end = self._bounds(sensor_id, after, until)
        if first_end is None or last_end is None or last_end < first_end:
            return 0
        return int((last_end - first_end) / HOUR) + 1

    def _bounds(self, sensor_id: int, after: datetime, until: datetime) -> tuple[datetime | None, datetime | None]:
        found = self._by_sensor.get(sensor_id)
        first, last = (found[0].first, found[0].last) if found else (None, None)
        if first is None or last is None:
            return None, None
        after_floor = after.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        first_end = max(first, after_floor + HOUR)
        until_floor = until.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        return first_end, min(last, until_floor)

    def _iter_hour_ends(self, sensor_id: int, after: datetime, until: datetime) -> Iterator[datetime]:
        first_end, _ = self._bounds(sensor_id, after, until)
        for i in range(self.count_hours(sensor_id, after, until)):
            assert first_end is not None
            yield first_end + i * HOUR

    def dirt_counts(self, sensor_id: int, after: datetime, until: datetime) -> Counter[str]:
        """How many of the sensor's hours in the window carry each kind of dirt (empty for a clean city)."""
        if not self.dirty:
            return Counter()
        return Counter(kind for end in self._iter_hour_ends(sensor_id, after, until) if (kind := dirt(sensor_id, end)))

    def value(self, sensor_id: int, period_end: datetime) -> float:
        """The hourly value the server reports (3 significant digits)."""
        _, sensor = self._require(sensor_id)
        return three_significant(sensor_value_unrounded(sensor_id, sensor.parameter, period_end))

    def _require(self, sensor_id: int) -> tuple[SyntheticLocation, SyntheticSensor]:
        found = self._by_sensor.get(sensor_id)
        if found is None:
            raise KeyError(f"no synthetic sensor {sensor_id}")
        return found

    # ---- JSON in the exact OpenAQ v3 shapes ----
    def _stamp(self, moment: datetime | None) -> dict[str, str] | None:
        if moment is None:
            return None
        return {"utc": utc_iso(moment), "local": moment.astimezone(ZoneInfo(self.timezone)).isoformat()}

    def location_json(self, loc: SyntheticLocation, distance_m: float | None) -> dict[str, Any]:
        return {
            "id": loc.id,
            "name": loc.name,
            "locality": self.name,
            "timezone": self.timezone,
            "country": {"id": 0, "code": "XS", "name": "Synthetic"},
            "owner": dict(SYNTHETIC_OWNER),
            "provider": dict(SYNTHETIC_PROVIDER),
            "isMobile": False,
            "isMonitor": True,
            "instruments": [{"id": 2, "name": "Government Monitor"}],
            "sensors": [s.as_json() for s in loc.sensors],
            "coordinates": {"latitude": loc.latitude, "longitude": loc.longitude},
            "licenses": None,
            "bounds": [loc.longitude, loc.latitude, loc.longitude, loc.latitude],
            "distance": None if distance_m is None else round(distance_m, 6),
            "datetimeFirst": self._stamp(loc.first),
            "datetimeLast": self._stamp(loc.last),
        }

    def hour_row(self, sensor_id: int, period_end: datetime) -> dict[str, Any]:
        _, sensor = self._require(sensor_id)
        raw = round(sensor_value_unrounded(sensor_id, sensor.parameter, period_end), 4)
        start_stamp, end_stamp = self._stamp(period_end - HOUR), self._stamp(period_end)
        return hour_row_json(
            three_significant(raw), raw, sensor.parameter.as_json(display_name=False), start_stamp, end_stamp
        )

    def hour_rows(
        self, sensor_id: int, after: datetime, until: datetime, offset: int, limit: int
    ) -> list[dict[str, Any]]:
        """One page of rows, computed lazily so a window of years costs only the page asked for."""
        first_end, _ = self._bounds(sensor_id, after, until)
        total = self.count_hours(sensor_id, after, until)
        if first_end is None:
            return []
        ends = [first_end + i * HOUR for i in range(offset, min(total, offset + limit))]
        if not self.dirty:
            return [self.hour_row(sensor_id, end) for end in ends]
        return [row for end in ends for row in self._dirty_rows(sensor_id, end, until)]

    def _dirty_rows(self, sensor_id: int, period_end: datetime, until: datetime) -> list[dict[str, Any]]:
        """The hour as a dirty server sends it: the row (perhaps null or -999), and perhaps a twin or a stray row."""
        row = self.hour_row(sensor_id, period_end)
        kind = dirt(sensor_id, period_end)
        if kind == "null":
            row["value"] = None
        elif kind == "sentinel":
            row["value"] = SENTINEL_VALUE
        elif kind == "duplicate":
            return [row, copy.deepcopy(row)]
        elif kind == "outside":  # an hour ending after the window, as a sloppy filter upstream would let through
            after_window = until.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + HOUR
            return [row, self.hour_row(sensor_id, after_window)]
        return [row]


LOCATION_ID_STEP = 1000  # ids per city: city i's locations start at 900101 + i * LOCATION_ID_STEP


def cities_for(
    places: list[tuple[str, float, float, str]], *, dirty: bool = False, extra_locations: int = 0
) -> list[SyntheticCity]:
    """One SyntheticCity per (name, latitude, longitude, zone), with location ids that do not collide; the first
    keeps the ids a single-city server has."""
    return [
        SyntheticCity(
            name=name,
            latitude=latitude,
            longitude=longitude,
            timezone=timezone,
            dirty=dirty,
            extra_locations=extra_locations,
            first_location_id=900101 + index * LOCATION_ID_STEP,
        )
        for index, (name, latitude, longitude, timezone) in enumerate(places)
    ]
