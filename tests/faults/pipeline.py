"""Run the real pipeline in process with a tiny retry budget, so fault tests end in seconds, not minutes.

`materialize()` / `execute_in_process` ignore `retries: disabled` and would honour raw_measurements' RetryPolicy
(30 s, 60 s backoff); `execute_job` on a reconstructable job honours it, exactly as the pod runner does.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from dagster import (
    AssetSelection,
    DagsterEvent,
    DagsterInstance,
    Definitions,
    JobDefinition,
    build_reconstructable_job,
    define_asset_job,
    execute_job,
    in_process_executor,
)

from assets import defs
from assets.city import CITY
from assets.measurements_parquet import object_key
from assets.openaq.client import OpenAQClient
from assets.openaq.retry import RetrySettings
from assets.resources.object_store import ObjectStore
from assets.resources.openaq import OpenAQResource
from compiler.materialize.pod_job import RETRIES_OFF_RUN_CONFIG
from tests.assets.cities import day_key

ALL_ASSETS = ("openaq/raw_measurements", "openaq/clean_measurements", "openaq/measurements_parquet")
FAST_RETRY = RetrySettings(
    max_attempts=3,
    base_delay_s=0.01,
    max_delay_s=0.05,
    max_total_s=5.0,
    rate_limit_fallback_s=0.2,
    attempt_deadline_s=2.0,  # a trickled body is cut after 2 s (60 s in production)
)


class FastOpenAQResource(OpenAQResource):
    """The project's resource with a short read timeout, FAST_RETRY and 10-row pages (so paging faults bite)."""

    def client(self) -> OpenAQClient:
        with super().client() as project_client:  # the project's own OPENAQ_BASE_URL resolution
            base_url = project_client.base_url
        return OpenAQClient(self.api_key, base_url, timeout=(2.0, 0.5), retry=FAST_RETRY, max_workers=2, page_limit=10)


def build_fast_job(*asset_paths: str) -> JobDefinition:
    """Module-level so Dagster can reconstruct it: the project's assets and resources, fast OpenAQ retries."""
    resources = dict(defs.resources or {})
    resources["openaq"] = FastOpenAQResource(api_key=resources["openaq"].api_key)
    job = define_asset_job(
        "fault_pipeline",
        selection=AssetSelection.assets(*[path.split("/") for path in asset_paths]),
        executor_def=in_process_executor,
    )
    merged = Definitions(assets=list(defs.assets or []), jobs=[job], resources=resources)
    return merged.resolve_job_def("fault_pipeline")


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    events: Sequence[DagsterEvent]


def run_pipeline(partition: str, asset_paths: Sequence[str] = ALL_ASSETS) -> RunOutcome:
    """Materialize the assets for the first city's day `partition` (a date) in this process on an ephemeral
    instance; Dagster retries off (Argo owns them)."""
    # dagster annotates reconstructable_args as a 1-tuple; any tuple of serializable values works
    args = tuple(asset_paths)
    job = build_reconstructable_job("tests.faults.pipeline", "build_fast_job", reconstructable_args=args)  # type: ignore[arg-type]
    with DagsterInstance.ephemeral() as instance:
        result = execute_job(
            job, instance=instance, run_config=RETRIES_OFF_RUN_CONFIG, tags={"dagster/partition": day_key(partition)}
        )
        return RunOutcome(result.success, result.all_events)


def failure_message(outcome: RunOutcome) -> str:
    """Every step failure's innermost error message, joined: what an operator would read."""
    messages = []
    for event in outcome.events:
        if event.is_step_failure and event.step_failure_data.error is not None:
            error = event.step_failure_data.error
            while error.cause is not None:
                error = error.cause
            messages.append(error.message)
    return "\n".join(messages)


def failed_steps(outcome: RunOutcome) -> set[str]:
    return {event.step_key or "" for event in outcome.events if event.is_step_failure}


def published_key(partition: str) -> str:
    return object_key(CITY.name, partition)


def published(partition: str) -> bytes | None:
    """The published parquet for the partition, or None when there is none."""
    store = ObjectStore.from_env()
    key = published_key(partition)
    return store.get_bytes(key) if store.exists(key) else None
