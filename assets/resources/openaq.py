"""The OpenAQ v3 API as a Dagster resource; the key comes from OPENAQ_API_KEY and is never shown or logged."""

import os

from dagster import ConfigurableResource
from pydantic import Field

from assets.openaq.client import DEFAULT_BASE_URL, OpenAQClient


class OpenAQResource(ConfigurableResource):
    """Builds a paced, retrying OpenAQ client for one run."""

    api_key: str = Field(description="OpenAQ v3 API key (OPENAQ_API_KEY).")
    base_url: str = Field(default="", description="API base URL; empty means OPENAQ_BASE_URL or the public API.")
    max_workers: int = Field(default=4, description="Concurrent per-sensor requests, always within the rate limit.")

    def client(self) -> OpenAQClient:
        base_url = self.base_url or os.environ.get("OPENAQ_BASE_URL") or DEFAULT_BASE_URL
        return OpenAQClient(self.api_key, base_url, max_workers=self.max_workers)
