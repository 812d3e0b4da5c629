"""Which city the pipeline covers. Change `CITY` (then `make build`) to point the pipeline elsewhere."""

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assets.openaq.client import MAX_RADIUS_M

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class CitySettingError(ValueError):
    """A city setting is out of range; the message names the setting and the allowed values."""


@dataclass(frozen=True)
class City:
    """A circle around a point plus the zone whose calendar days are the partitions."""

    name: str
    latitude: float
    longitude: float
    radius_m: int
    timezone: str

    def __post_init__(self) -> None:
        if not _SLUG.match(self.name):
            raise CitySettingError(
                f"city name {self.name!r} must be lowercase letters, digits and '-' (it becomes the S3 key city=...)"
            )
        if not -90.0 <= self.latitude <= 90.0:
            raise CitySettingError(f"city latitude {self.latitude} is outside -90..90 (latitude comes first)")
        if not -180.0 <= self.longitude <= 180.0:
            raise CitySettingError(f"city longitude {self.longitude} is outside -180..180")
        if not 1 <= self.radius_m <= MAX_RADIUS_M:
            raise CitySettingError(
                f"city radius_m {self.radius_m} is outside 1..{MAX_RADIUS_M} metres (OpenAQ v3 rejects larger radii)"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CitySettingError(
                f"city timezone {self.timezone!r} is not an IANA time zone (for example 'Europe/Vienna')"
            ) from None


VIENNA = City(name="vienna", latitude=48.2082, longitude=16.3738, radius_m=25_000, timezone="Europe/Vienna")

CITY = VIENNA
