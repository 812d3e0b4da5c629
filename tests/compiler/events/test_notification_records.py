"""The S3 notification records run-events builds have the shape real ones have: AWS S3's (moto delivers them to
SQS exactly as S3 does, the key form-encoded) and MinIO's listen stream (the same structure plus MinIO's `source`
and object `contentType`/`userMetadata`, the key as stored). Then a real S3 → SQS message, fed to the compiled
sqs Sensor, runs the partition its key names; a key outside the pattern fails its one Workflow with one line."""

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from compiler.run_events.records import aws_record, minio_event_data, minio_record, sqs_event_data
from compiler.sensors.store import StoredObject
from tests.compiler.support import REPO, compiler_process

BUCKET, REGION = "air-quality", "eu-central-1"
KEY = "air_quality/city=wiener neustadt/date=2026-11-28/measurements.parquet"
OUTSIDE = "air_quality/stations.parquet"
MODULE = "tests.compiler.projects.object_events"


def _shape(value: Any) -> Any:
    """Keys and JSON kinds, recursively: what a gjson path or a Go template can depend on."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


def _within(part: Any, whole: Any) -> bool:
    """Every key of `part` is in `whole` with the same shape (moto leaves out some fields AWS sends)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(k in whole and _within(v, whole[k]) for k, v in part.items())
    if isinstance(part, list):
        return isinstance(whole, list) and len(part) == len(whole) and all(map(_within, part, whole))
    return bool(part == whole)


def _moto_messages(*keys: str) -> list[dict[str, Any]]:
    """S3 → SQS as AWS does it (moto): the SQS messages for a PUT of each key, bodies parsed."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        queue = sqs.create_queue(QueueName="new-objects")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET,
            NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
        )
        for key in keys:
            s3.put_object(Bucket=BUCKET, Key=key, Body=b"PAR1")
        received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0)["Messages"]
    bodies = [json.loads(m["Body"]) for m in received]
    return [
        {"messageId": m["MessageId"], "messageAttributes": {}, "body": b}
        for m, b in zip(received, bodies, strict=True)
        if "Records" in b
    ]  # S3 also sends an s3:TestEvent without Records when the configuration is set


def _object() -> StoredObject:
    return StoredObject(KEY, "0123456789abcdef0123456789abcdef", datetime(2026, 11, 28, 23, 5, tzinfo=UTC), 4)


def test_aws_records_have_the_shape_s3_sends_to_sqs() -> None:
    real = _moto_messages(KEY)[0]
    ours = sqs_event_data(aws_record(BUCKET, _object(), REGION))
    # moto omits userIdentity, requestParameters, responseElements, ownerIdentity and sequencer, which AWS's
    # notification structure has and ours keeps; everything moto sends is there with the same JSON kinds
    assert _within(_shape(real), _shape(ours))
    record, real_record = ours["body"]["Records"][0], real["body"]["Records"][0]
    assert record["s3"]["object"]["key"] == real_record["s3"]["object"]["key"]  # the same URL-encoding
    assert "+" in record["s3"]["object"]["key"]
    assert "%2F" in record["s3"]["object"]["key"]
    assert record["eventName"] == real_record["eventName"] == "ObjectCreated:Put"


def test_minio_records_are_the_s3_record_plus_minio_fields_with_the_key_as_stored() -> None:
    real = _moto_messages(KEY)[0]["body"]["Records"][0]
    record = minio_event_data(minio_record(BUCKET, _object()))["notification"][0]
    assert _within(_shape(real), _shape(record))
    assert _within({"source": {"host": "str", "userAgent": "str"}}, _shape(record))  # MinIO's own additions
    assert _within({"s3": {"object": {"contentType": "str", "userMetadata": {}}}}, _shape(record))
    assert record["s3"]["object"]["key"] == KEY  # ToEvent(false): the listen stream does not escape it
    assert record["eventName"] == "s3:ObjectCreated:Put"  # MinIO keeps the s3: prefix AWS drops


def _settings(markers: Path) -> str:
    return f"""
[tool.compiler]
name = "object-events"
image = "registry.example/object-events"
namespace = "argo"
service_account = "object-events"
config_map = "object-events-config"

[tool.compiler.config]
FIXTURE_MARKER_DIR = "{markers}"
MINIO_BUCKET = "{BUCKET}"

[tool.compiler.events]
store = "aws-sqs"
queue = "new-objects"
region = "{REGION}"
"""


@pytest.mark.timeout(600)
def test_a_real_s3_message_runs_the_partition_its_encoded_key_names(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    (tmp_path / "pyproject.toml").write_text(_settings(markers), encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(REPO), "FIXTURE_MARKER_DIR": str(markers), "MINIO_BUCKET": BUCKET}

    def compiler(*arguments: str) -> subprocess.CompletedProcess[str]:
        return compiler_process(list(arguments), REPO, environment, timeout=600)

    out = tmp_path / "out"
    built = compiler("build", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out))
    assert built.returncode == 0, built.stderr
    assert "SQS records carry the key URL-encoded" in built.stderr
    inside, outside = _moto_messages(KEY, OUTSIDE)
    results = []
    for number, message in enumerate((inside, outside)):
        event = tmp_path / f"event-{number}.json"
        event.write_text(json.dumps(message), encoding="utf-8")
        results.append(compiler("run-events", str(out), "--event", str(event), "--state", str(tmp_path / "s.json")))
    assert results[0].returncode == 0, results[0].stdout + results[0].stderr
    assert {p.name for p in markers.iterdir()} == {"daily_summary@wiener neustadt|2026-11-28"}
    assert results[1].returncode == 1
    assert f"object {OUTSIDE!r} starts no run of sensor new_measurements" in results[1].stdout
