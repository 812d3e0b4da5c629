"""One pod of the three-city fetch benchmark: one city-day with this process's share of the key's budget.

`python -m benchmarks.fetch_cities_worker BASE_URL KEY CITY LAT LON ZONE LIMIT WINDOW_S START_AT` waits until the
wall-clock `START_AT` (so the pods start together), fetches the city's local day 2026-11-27 with
`FAN_OUT_PARALLELISM` from the environment, and prints one JSON line: when it finished and what it cost.
"""

import json
import sys
import time
from datetime import date

from assets.openaq.budget import RateBudget, pod_budget
from assets.openaq.city_day import fetch_city_day
from assets.openaq.client import OpenAQClient
from assets.openaq.window import day_window_utc

DAY = date(2026, 11, 27)


def main(argv: list[str]) -> int:
    base_url, key, city, lat, lon, zone, limit, window_s, start_at = argv
    budget = pod_budget(RateBudget(int(limit), float(window_s)))
    start, end = day_window_utc(DAY, zone)
    with OpenAQClient(key, base_url, max_workers=4, budget=budget) as client:
        time.sleep(max(0.0, float(start_at) - time.time()))
        document = fetch_city_day(
            client, city=city, latitude=float(lat), longitude=float(lon), radius_m=25_000, start=start, end=end
        )
    print(json.dumps({"finished_at": time.time(), "requests": document["stats"]["requests"]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
