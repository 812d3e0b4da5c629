"""`openaq/raw_measurements`: one city-day exactly as the OpenAQ v3 API returned it, plus what was asked."""

from collections.abc import Callable

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    Backoff,
    Failure,
    MultiPartitionsDefinition,
    Output,
    RetryPolicy,
    asset,
)

from assets.measurement_schema import PHYSICAL_MAXIMUM
from assets.openaq.city_day import write_city_day
from assets.openaq.day_document import CityDayDocument
from assets.openaq.errors import PERMANENT_ERRORS
from assets.partitions import city_day, partition_window_utc
from assets.resources.object_store import ObjectStore, StoreSettingsError
from assets.resources.openaq import OpenAQResource
from assets.zones import Zone

# A 1M-row day peaks at ~450 MiB in this pod (the day is streamed to the store, never held as objects); `make bench`
# (section memory) checks request >= 1.1x and limit >= 1.5x the measured peak. The project default request (512Mi)
# would leave ~14% over the peak.
_K8S = {
    "container_config": {"resources": {"requests": {"cpu": "250m", "memory": "768Mi"}, "limits": {"memory": "1Gi"}}}
}


def build_raw_measurements(zone: Zone, partitions_def: MultiPartitionsDefinition) -> AssetsDefinition:
    """The asset for every city of `zone`; each date × city key fetches that city's local day."""

    @asset(
        key=[*zone.key_prefix, "raw_measurements"],
        group_name=zone.name("air_quality"),
        partitions_def=partitions_def,
        retry_policy=RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL),
        owners=["team:data-platform"],
        kinds={"python", "json"},
        op_tags={"dagster-k8s/config": _K8S},
        code_version="3",  # 3: one city of several, from the date × city key
        description=(
            "Hourly values of every active OpenAQ sensor within the city's radius for one local day, as returned by "
            "the API, with the request and its statistics."
        ),
    )
    def raw_measurements(
        context: AssetExecutionContext, openaq: OpenAQResource, store: ObjectStore
    ) -> Output[CityDayDocument]:
        """The day is written sensor by sensor to a spool file and uploaded as a stream by the IO manager (as JSON,
        the same bytes as the document built as one dict), so the pod's memory does not grow with the day."""
        city, day = city_day(zone, context.partition_key)
        start, end = partition_window_utc(day, city.timezone)
        try:
            # The store that will hold the result is checked before the first API request: a bad bucket,
            # endpoint, certificate or credential found after the whole fetch would waste it, on every retry.
            store.check()
        except StoreSettingsError as error:
            raise Failure(description=str(error), allow_retries=False) from None
        context.log.info(f"fetching {city.name} for {day}: {start.isoformat()} .. {end.isoformat()}")
        try:
            with openaq.client() as client:
                raw = write_city_day(
                    client,
                    city=city.name,
                    latitude=city.latitude,
                    longitude=city.longitude,
                    radius_m=city.radius_m,
                    start=start,
                    end=end,
                    progress=_progress_logger(context),
                    parameters=PHYSICAL_MAXIMUM.keys(),
                )
        except PERMANENT_ERRORS as error:
            # Retrying cannot fix a rejected key or request: tell Dagster's RetryPolicy and Argo (exit 3) to stop.
            raise Failure(description=str(error), allow_retries=False) from None
        return Output(raw, metadata={key: int(value) for key, value in raw.stats.items()})

    return raw_measurements


def _progress_logger(context: AssetExecutionContext) -> Callable[[int, int], None]:
    """Log `done/total sensors` about every tenth of the way, not once per request."""

    def progress(done: int, total: int) -> None:
        if done == total or done % max(1, total // 10) == 0:
            context.log.info(f"{done}/{total} sensors")

    return progress
