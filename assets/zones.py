"""Cities grouped by time zone: a Dagster date dimension has one zone, so each zone gets its own partitioning,
job and 01:00-local schedule. The first city's zone keeps the plain names (`openaq/raw_measurements`,
`air_quality_nightly`); any other zone's names carry the zone (`openaq/america_new_york/raw_measurements`)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assets.city import City, check_cities


@dataclass(frozen=True)
class Zone:
    """One time zone and the cities in it, in the order `CITIES` lists them."""

    timezone: str
    cities: tuple[City, ...]
    primary: bool

    @property
    def slug(self) -> str:
        """The zone as a name part: `America/New_York` → `america_new_york`."""
        return re.sub(r"[^a-z0-9]+", "_", self.timezone.lower()).strip("_")

    @property
    def key_prefix(self) -> list[str]:
        return ["openaq"] if self.primary else ["openaq", self.slug]

    def name(self, base: str) -> str:
        """A job, schedule or group name of this zone: `base` itself for the first zone, `base_<zone>` otherwise."""
        return base if self.primary else f"{base}_{self.slug}"

    def city(self, name: str) -> City:
        for city in self.cities:
            if city.name == name:
                return city
        raise KeyError(f"city {name!r} is not in zone {self.timezone}")


def zones_of(cities: Sequence[City]) -> tuple[Zone, ...]:
    """One Zone per distinct time zone, in the order of each zone's first city."""
    checked = check_cities(cities)
    order = list(dict.fromkeys(city.timezone for city in checked))
    return tuple(
        Zone(timezone=tz, cities=tuple(c for c in checked if c.timezone == tz), primary=index == 0)
        for index, tz in enumerate(order)
    )
