"""`[tool.compiler.events]`: where the compiled new-object sensors listen (compiler/sensors/README.md).

`store = "minio"` (the default): an Argo Events `minio` EventSource, MinIO's own bucket-notification stream; its
endpoint and bucket come from `[tool.compiler.config]`, the credentials as `secretKeyRef` from
`[tool.compiler.secrets]`. `store = "aws-sqs"`: AWS S3 has no such stream; S3 sends ObjectCreated records to an SQS
queue (a bucket notification configured outside this build) and an `sqs` EventSource reads `queue` in `region`.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.settings_reader import TableReader

STORES = ("minio", "aws-sqs")
_QUEUE = re.compile(r"^[A-Za-z0-9_-]{1,80}(\.fifo)?$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]$")


@dataclass(frozen=True)
class EventSettings:
    store: str = "minio"
    queue: str = ""  # aws-sqs: the queue S3 notifies
    region: str = ""  # aws-sqs: its region
    wait_time_seconds: int = 20  # aws-sqs: long polling, the upstream example's value


def read_events(section: Mapping[str, Any]) -> EventSettings:
    reader = TableReader("tool.compiler.events", section)
    store = reader.choice("store", STORES, default="minio")
    if store == "minio":
        reader.reject_unknown()
        return EventSettings()
    settings = EventSettings(
        store=store,
        queue=reader.text("queue", pattern=_QUEUE, hint="an SQS queue name"),
        region=reader.text("region", pattern=_REGION, hint="an AWS region, e.g. eu-central-1"),
        wait_time_seconds=reader.positive("wait_time_seconds", 20),
    )
    reader.reject_unknown()
    return settings
