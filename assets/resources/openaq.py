"""The OpenAQ v3 API as a Dagster resource; the key comes from OPENAQ_API_KEY and is never shown or logged."""

import os

from dagster import ConfigurableResource
from pydantic import Field

from assets.openaq.budget import REQUESTS_PER_MINUTE, key_budget, pod_budget
from assets.openaq.client import DEFAULT_BASE_URL, OpenAQClient


class OpenAQResource(ConfigurableResource):
    """Builds a paced, retrying OpenAQ client for one run.

    The key's budget (`requests_per_minute`, OpenAQ's 60) is shared by every pod the Argo fan-out runs at once: the
    client keeps to `requests_per_minute / FAN_OUT_PARALLELISM` requests in any minute (`assets.openaq.budget`).
    """

    api_key: str = Field(description="OpenAQ v3 API key (OPENAQ_API_KEY).")
    base_url: str = Field(default="", description="API base URL; empty means OPENAQ_BASE_URL or the public API.")
    max_workers: int = Field(default=4, description="Concurrent per-sensor requests, always within the rate limit.")
    requests_per_minute: int = Field(
        default=REQUESTS_PER_MINUTE,
        description=(
            "The API key's limit, shared by all pods: each keeps to this / FAN_OUT_PARALLELISM. "
            "OPENAQ_REQUESTS_PER_MINUTE, when set, replaces it (a key with another limit)."
        ),
    )

    def client(self) -> OpenAQClient:
        base_url = self.base_url or os.environ.get("OPENAQ_BASE_URL") or DEFAULT_BASE_URL
        budget = pod_budget(key_budget(self.requests_per_minute))
        return OpenAQClient(self.api_key, base_url, max_workers=self.max_workers, budget=budget)
