import dagster as dg


@dg.asset
def station_readings() -> list[dict[str, object]]:
    """Three stations' noon temperatures, in degrees Celsius."""
    return [
        {"station": "north", "celsius": 11.5},
        {"station": "south", "celsius": 14.0},
        {"station": "east", "celsius": 9.25},
    ]


@dg.asset
def fahrenheit_readings(station_readings: list[dict[str, object]]) -> list[dict[str, object]]:
    """The same readings in degrees Fahrenheit."""
    return [
        {"station": reading["station"], "fahrenheit": float(str(reading["celsius"])) * 9 / 5 + 32}
        for reading in station_readings
    ]


@dg.asset
def warmest_station(fahrenheit_readings: list[dict[str, object]]) -> str:
    """The station that read the highest temperature."""
    warmest = max(fahrenheit_readings, key=lambda reading: float(str(reading["fahrenheit"])))
    return str(warmest["station"])


weather_job = dg.define_asset_job("weather_job", selection=dg.AssetSelection.all())
weather_schedule = dg.ScheduleDefinition(job=weather_job, cron_schedule="0 6 * * *", execution_timezone="UTC")
