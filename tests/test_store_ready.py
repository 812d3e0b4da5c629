"""The readiness wait the store fixtures use: it waits out a store that does not answer yet, and fails at once on
what waiting cannot fix (the store gone, credentials refused)."""

import dataclasses
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from assets.resources.object_store import CredentialsRejected
from devservices.s3.seaweed import S3Credentials, SeaweedS3, running_seaweed
from tests.store_ready import wait_until_writable


def test_a_store_that_stops_answering_is_waited_for_until_it_takes_a_write(tmp_path: Path) -> None:
    with running_seaweed(tmp_path / "store") as server:
        os.killpg(server.process.pid, signal.SIGSTOP)  # the store as a loaded machine shows it: no answer for a while
        outcome: list[BaseException | None] = []

        def wait() -> None:
            try:
                wait_until_writable(server, deadline_seconds=60)
                outcome.append(None)
            except BaseException as error:
                outcome.append(error)

        waiter = threading.Thread(target=wait)
        try:
            waiter.start()
            time.sleep(2)
            assert outcome == []  # still waiting, not failed
        finally:
            os.killpg(server.process.pid, signal.SIGCONT)
        waiter.join(timeout=60)
        assert outcome == [None]


def test_a_store_that_exited_fails_at_once_naming_its_log(tmp_path: Path) -> None:
    with running_seaweed(tmp_path / "store") as server:
        server.stop()
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="exited") as raised:
            wait_until_writable(server, deadline_seconds=60)
        assert time.monotonic() - started < 30
        assert str(server.log_path) in str(raised.value)


def test_refused_credentials_are_raised_at_once(seaweed: SeaweedS3) -> None:
    stranger = dataclasses.replace(seaweed, credentials=S3Credentials.generate())
    started = time.monotonic()
    with pytest.raises(CredentialsRejected):
        wait_until_writable(stranger, deadline_seconds=60)
    assert time.monotonic() - started < 30
