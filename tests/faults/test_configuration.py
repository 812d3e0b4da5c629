"""Bad configuration stops before any request with a message naming the setting and the fix.

The client's own argument checks are in tests/assets/openaq/test_city_day.py; unknown/ill-typed compiler settings in
tests/compiler/. Here each bad setting meets the real pipeline, the real client or the real CLI.
"""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInvalidConfigError

from assets.city import City, CitySettingError, check_cities
from assets.openaq.city_day import fetch_city_day
from assets.openaq.client import OpenAQClient
from assets.openaq.errors import OpenAQConfigError
from assets.openaq.window import day_window_utc
from devservices.openaq_server.app import OpenAQServer
from tests.faults.pipeline import run_pipeline

REPO = Path(__file__).resolve().parents[2]
VIENNA = {"name": "vienna", "latitude": 48.2082, "longitude": 16.3738, "radius_m": 25_000, "timezone": "Europe/Vienna"}
WINDOW = day_window_utc(date(2026, 11, 27), "Europe/Vienna")


@pytest.mark.parametrize(
    "variable", ["OPENAQ_API_KEY", "MINIO_ENDPOINT", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_BUCKET"]
)
def test_missing_environment_variable_is_named_before_any_request(
    s3_env: dict[str, str], openaq_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """Dagster resolves every EnvVar of the run's resources before the first step starts."""
    monkeypatch.delenv(variable)
    with pytest.raises(DagsterInvalidConfigError) as raised:
        run_pipeline("2026-11-11")
    message = str(raised.value)
    assert f'environment variable "{variable}" which is not set' in message
    assert "it must be set in this environment" in message
    assert openaq_env.counters.requests == 0


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"radius_m": 25_001}, ["city 'vienna': radius_m 25001", "1..25000"]),
        ({"radius_m": 30_000}, ["city 'vienna': radius_m 30000", "1..25000"]),
        ({"latitude": 91.0}, ["city 'vienna': latitude 91.0", "-90..90"]),
        ({"longitude": -180.5}, ["city 'vienna': longitude -180.5", "-180..180"]),
        ({"timezone": "Europe/Vienn"}, ["city 'vienna': timezone 'Europe/Vienn'", "IANA", "Europe/Vienna"]),
        ({"name": "Wien Stadt"}, ["city name 'Wien Stadt'", "lowercase"]),
    ],
)
def test_bad_city_setting_names_the_city_the_setting_and_the_allowed_values(
    override: dict[str, object], words: list[str]
) -> None:
    with pytest.raises(CitySettingError) as raised:
        City(**{**VIENNA, **override})  # type: ignore[arg-type]
    for word in words:
        assert word in str(raised.value)


def test_among_several_cities_the_bad_one_is_named() -> None:
    """A radius too large on the second city names that city, not just the setting."""
    with pytest.raises(CitySettingError) as raised:
        check_cities((City(**VIENNA), City(**{**VIENNA, "name": "graz", "radius_m": 30_000})))  # type: ignore[arg-type]
    assert str(raised.value) == (
        "city 'graz': radius_m 30000 is outside 1..25000 metres (OpenAQ v3 rejects larger radii)"
    )


@pytest.mark.parametrize("setting", ["name", "timezone"])
def test_a_very_long_city_value_is_cut_in_the_message(setting: str) -> None:
    with pytest.raises(CitySettingError) as raised:
        City(**{**VIENNA, setting: "Q" * 10_000})  # type: ignore[arg-type]
    message = str(raised.value)
    assert len(message) < 300
    assert "(10000 characters)" in message


@pytest.mark.parametrize(
    ("latitude", "longitude", "radius_m", "words"),
    [
        (48.2082, 16.3738, 30_000, ["radius 30000", "1..25000", "at most 25 km"]),
        (16.3738, 248.2082, 1_000, ["longitude"]),
        (-91.0, 16.3738, 1_000, ["latitude"]),
    ],
)
def test_client_rejects_an_out_of_range_city_before_any_request(
    openaq_server: OpenAQServer, latitude: float, longitude: float, radius_m: int, words: list[str]
) -> None:
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url)
    with pytest.raises(OpenAQConfigError) as raised:
        fetch_city_day(
            client, city="x", latitude=latitude, longitude=longitude, radius_m=radius_m, start=WINDOW[0], end=WINDOW[1]
        )
    for word in words:
        assert word in str(raised.value)
    assert openaq_server.counters.requests == 0


def test_unknown_compiler_setting_exits_2_naming_it_and_writes_nothing(tmp_path: Path) -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert "\n[tool.compiler]\n" in pyproject
    (tmp_path / "pyproject.toml").write_text(
        pyproject.replace("\n[tool.compiler]\n", '\n[tool.compiler]\nimage_tga = "0.2.0"\n'), encoding="utf-8"
    )
    out = tmp_path / "argo_out"
    finished = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert finished.returncode == 2, finished.stderr
    assert "unknown setting(s) image_tga" in finished.stderr
    assert "fix the spelling" in finished.stderr
    assert not out.exists()
