"""Every security test must leave no process behind (see tests.faults.processes.no_process_left_behind), and starts
only once the session's object store takes a write (tests/store_ready.py): these tests were seen reporting "store
unreachable" on a loaded machine while passing alone."""

import pytest

from devservices.s3.seaweed import SeaweedS3
from tests.faults.processes import no_process_left_behind
from tests.store_ready import wait_until_writable

__all__ = ["no_process_left_behind", "s3_env"]


@pytest.fixture
def s3_env(s3_env: dict[str, str], seaweed: SeaweedS3) -> dict[str, str]:
    """The plugin's `s3_env` (a fresh bucket, not yet created), handed over once the store takes a write."""
    wait_until_writable(seaweed)
    return s3_env
