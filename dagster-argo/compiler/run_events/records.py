"""S3 notification records in the exact shapes the Argo Events sources hand a Sensor, for objects found by listing.

MinIO's ListenBucketNotification (what the `minio` EventSource calls) publishes `eventArgs.ToEvent(false)`: the
record of AWS's notification structure plus MinIO's `source` and `object.contentType/userMetadata`, with the key
*as stored* (only notification targets such as webhooks get `url.QueryEscape`d keys; minio cmd/event-notification.go).
The EventSource wraps it as `{"notification": [record]}` (argo-events pkg/eventsources/sources/minio, events
`MinioEventData`). AWS S3 → SQS sends `{"Records": [record]}` as the message body with the key form-encoded (`+` for a
space, as moto's `quote_plus`); the `sqs` EventSource (jsonBody) passes `{"messageId", "messageAttributes", "body"}`.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from compiler.sensors.store import StoredObject

MINIO_CREATED = "s3:ObjectCreated:Put"
AWS_CREATED = "ObjectCreated:Put"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def _event_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime(_TIME_FORMAT)[:-3] + "Z"  # AMZTimeFormat: milliseconds, Z


def _sequencer(obj: StoredObject) -> str:
    return f"{int(obj.last_modified.timestamp() * 1e9):X}"  # MinIO: the modification time's UnixNano, hex


def minio_record(bucket: str, obj: StoredObject, region: str = "") -> dict[str, Any]:
    """One record as MinIO's listen stream sends it for a PUT (ToEvent(false): the key unescaped)."""
    principal = "local"
    return {
        "eventVersion": "2.0",
        "eventSource": "minio:s3",
        "awsRegion": region,
        "eventTime": _event_time(obj.last_modified),
        "eventName": MINIO_CREATED,
        "userIdentity": {"principalId": principal},
        "requestParameters": {"principalId": principal, "region": region, "sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-id-2": "", "x-amz-request-id": _sequencer(obj), "x-minio-deployment-id": ""},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "Config",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": principal}, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {
                "key": obj.key,
                "size": obj.size,
                "eTag": obj.etag,
                "contentType": "application/octet-stream",
                "userMetadata": {},
                "sequencer": _sequencer(obj),
            },
        },
        "source": {"host": "127.0.0.1", "port": "", "userAgent": "run-events"},
    }


def aws_record(bucket: str, obj: StoredObject, region: str) -> dict[str, Any]:
    """One record as AWS S3 sends it to SQS (and moto reproduces): the key form-encoded."""
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": _event_time(obj.last_modified),
        "eventName": AWS_CREATED,
        "userIdentity": {"principalId": "AWS:local"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": _sequencer(obj), "x-amz-id-2": ""},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "run-events",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "local"}, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": quote_plus(obj.key), "size": obj.size, "eTag": obj.etag, "sequencer": _sequencer(obj)},
        },
    }


def minio_event_data(record: dict[str, Any]) -> dict[str, Any]:
    """What a Sensor's dependency sees from the `minio` EventSource: `data` of the CloudEvent."""
    return {"notification": [record]}


def sqs_event_data(record: dict[str, Any]) -> dict[str, Any]:
    """What a Sensor's dependency sees from the `sqs` EventSource with jsonBody: true."""
    body = {"Records": [record]}
    message_id = hashlib.sha256(repr(body).encode("utf-8")).hexdigest()[:32]
    return {"messageId": message_id, "messageAttributes": {}, "body": body}
