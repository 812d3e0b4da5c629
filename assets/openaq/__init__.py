"""OpenAQ v3 HTTP client: the city-day fetch the raw-measurements asset is built on."""

from assets.openaq.city_day import fetch_city_day
from assets.openaq.client import DEFAULT_BASE_URL, OpenAQClient, RequestTally, SensorHours
from assets.openaq.errors import (
    OpenAQAuthError,
    OpenAQConfigError,
    OpenAQError,
    OpenAQGone,
    OpenAQInvalidResponse,
    OpenAQNotAnAPI,
    OpenAQNotFound,
    OpenAQRateLimited,
    OpenAQRepeatedPage,
    OpenAQRequestInvalid,
    OpenAQUnavailable,
)
from assets.openaq.pacing import RatePacer
from assets.openaq.retry import RetrySettings
from assets.openaq.window import day_window_utc, to_api_time

__all__ = [
    "DEFAULT_BASE_URL",
    "OpenAQAuthError",
    "OpenAQClient",
    "OpenAQConfigError",
    "OpenAQError",
    "OpenAQGone",
    "OpenAQInvalidResponse",
    "OpenAQNotAnAPI",
    "OpenAQNotFound",
    "OpenAQRateLimited",
    "OpenAQRepeatedPage",
    "OpenAQRequestInvalid",
    "OpenAQUnavailable",
    "RatePacer",
    "RequestTally",
    "RetrySettings",
    "SensorHours",
    "day_window_utc",
    "fetch_city_day",
    "to_api_time",
]
