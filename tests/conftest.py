"""Shared fixtures: the real embedded services every test talks to."""

pytest_plugins = ["devservices.s3.fixture", "devservices.openaq_server.fixture", "devservices.postgres.fixture"]
