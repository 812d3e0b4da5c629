"""Which cities the pipeline covers. Change `CITIES` (then `make build`) to add or replace cities."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assets.openaq.client import MAX_RADIUS_M
from assets.openaq.errors import shown

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
        """Every message names the city, so a bad value among several cities is found at once."""
        if not isinstance(self.name, str) or not _SLUG.match(self.name):
            raise CitySettingError(
                f"city name {shown(self.name)} must be lowercase letters, digits and '-' (it becomes the S3 key "
                "city=...)"
            )
        city = f"city {self.name!r}"
        if not -90.0 <= self.latitude <= 90.0:
            raise CitySettingError(f"{city}: latitude {self.latitude} is outside -90..90 (latitude comes first)")
        if not -180.0 <= self.longitude <= 180.0:
            raise CitySettingError(f"{city}: longitude {self.longitude} is outside -180..180")
        if not 1 <= self.radius_m <= MAX_RADIUS_M:
            raise CitySettingError(
                f"{city}: radius_m {self.radius_m} is outside 1..{MAX_RADIUS_M} metres (OpenAQ v3 rejects larger radii)"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
            raise CitySettingError(
                f"{city}: timezone {shown(self.timezone)} is not an IANA time zone (for example 'Europe/Vienna')"
            ) from None


def check_cities(cities: Sequence[City]) -> tuple[City, ...]:
    """The cities as a tuple; at least one, and names unique (a name is a partition key and part of the S3 key)."""
    if not cities:
        raise CitySettingError("CITIES is empty: list at least one City (Vienna is the default)")
    names = [city.name for city in cities]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise CitySettingError(f"CITIES names {', '.join(twice)} more than once; each city name must be unique")
    return tuple(cities)


VIENNA = City(name="vienna", latitude=48.2082, longitude=16.3738, radius_m=25_000, timezone="Europe/Vienna")
# Ready to add (see the README): CITIES = (VIENNA, GRAZ, LINZ).
GRAZ = City(name="graz", latitude=47.0707, longitude=15.4395, radius_m=20_000, timezone="Europe/Vienna")
LINZ = City(name="linz", latitude=48.3069, longitude=14.2858, radius_m=20_000, timezone="Europe/Vienna")

# The one setting: every city here gets a partition per local day; cities sharing a zone share one partitioning.
CITIES: tuple[City, ...] = check_cities((VIENNA,))

# The first city: what single-city code (the README's examples, some tests) calls "the city".
CITY = CITIES[0]
