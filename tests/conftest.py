"""Shared fixtures: the real embedded services every test talks to, and the optional cross-check files."""

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.shared_files import require_shared

pytest_plugins = ["devservices.s3.fixture", "devservices.openaq_server.fixture", "devservices.postgres.fixture"]


@pytest.fixture
def shared_file() -> Callable[[str], Path]:
    """`shared_file("argo/schema.json")`: the file from the shared folder, or the test is skipped with the reason."""
    return require_shared
