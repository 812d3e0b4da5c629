"""The OpenAQ key and the store's secret never reach logs, Dagster's event log or metadata: on a good night, a night
where OpenAQ rejects the key, and a night where the store rejects the secret. (Anonymous S3 requests being refused by
the embedded store: tests/devservices/s3/test_seaweed.py::test_anonymous_requests_are_rejected.)"""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterInstance, build_reconstructable_job, execute_job
from dagster_shared.serdes import serialize_value

from compiler.materialize.pod_job import RETRIES_OFF_RUN_CONFIG
from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import day_key
from tests.faults.pipeline import ALL_ASSETS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def pipeline_env(s3_env: dict[str, str], openaq_env: OpenAQServer) -> OpenAQServer:
    return openaq_env


def secrets_in_play() -> list[str]:
    return [os.environ["OPENAQ_API_KEY"], os.environ["MINIO_ACCESS_KEY"], os.environ["MINIO_SECRET_KEY"]]


def run_and_collect(partition: str) -> tuple[bool, str]:
    """Run the pipeline on an ephemeral instance; return success and every stored record, serialized."""
    job = build_reconstructable_job(
        "tests.faults.pipeline",
        "build_fast_job",
        reconstructable_args=ALL_ASSETS,  # type: ignore[arg-type]  # dagster annotates a 1-tuple; any tuple works
    )
    with DagsterInstance.ephemeral() as instance:
        result = execute_job(
            job, instance=instance, run_config=RETRIES_OFF_RUN_CONFIG, tags={"dagster/partition": day_key(partition)}
        )
        run = instance.get_run_by_id(result.run_id)
        records = [serialize_value(entry) for entry in instance.all_logs(result.run_id)]
        materializations = [serialize_value(e) for e in result.get_asset_materialization_events()]
        return result.success, "\n".join([serialize_value(run), *records, *materializations])


def assert_absent(secrets: list[str], *texts: str) -> None:
    for secret in secrets:
        assert len(secret) >= 8  # a short value could match by accident and prove nothing
        for text in texts:
            assert secret not in text


def test_good_night_leaks_nothing(
    pipeline_env: OpenAQServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.DEBUG):
        success, stored = run_and_collect("2026-11-05")
    assert success
    assert "measurements.parquet" in stored  # the records really hold the run's events and metadata
    captured = capfd.readouterr()
    assert_absent(secrets_in_play(), stored, caplog.text, captured.out, captured.err)


@pytest.mark.parametrize(
    ("variable", "wrong_value", "recorded", "partition"),
    [
        ("OPENAQ_API_KEY", "wrong-openaq-key-LEAKCHECK-19af", "Invalid credentials", "2026-11-06"),
        ("MINIO_SECRET_KEY", "wrong-minio-secret-LEAKCHECK-5c2e", "rejected the credentials", "2026-11-07"),
    ],
)
def test_a_rejected_credential_is_not_echoed(
    pipeline_env: OpenAQServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    variable: str,
    wrong_value: str,
    recorded: str,
    partition: str,
) -> None:
    monkeypatch.setenv(variable, wrong_value)
    with caplog.at_level(logging.DEBUG):
        success, stored = run_and_collect(partition)
    assert not success
    assert recorded in stored  # the failure is recorded, just not the credential
    captured = capfd.readouterr()
    assert_absent(secrets_in_play(), stored, caplog.text, captured.out, captured.err)


def test_pod_log_of_a_step_leaks_nothing(pipeline_env: OpenAQServer) -> None:
    """What `kubectl logs` would show: the whole output of the pod's command, with the store secret rejected."""
    env = {**os.environ, "MINIO_SECRET_KEY": "wrong-minio-secret-PODLOG-8d1b"}
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "compiler.materialize",
            "--module",
            "assets",
            "--asset",
            ALL_ASSETS[0],
            "--partition",
            day_key("2026-11-08"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert finished.returncode == 3  # checked before the fetch; retrying cannot fix a wrong secret
    assert "rejected the credentials" in finished.stdout.splitlines()[-1]
    assert_absent(
        [env["OPENAQ_API_KEY"], env["MINIO_ACCESS_KEY"], env["MINIO_SECRET_KEY"]], finished.stdout, finished.stderr
    )
