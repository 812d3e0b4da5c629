"""Embedded PostgreSQL for dev and tests: the shared Dagster instance's database (devservices/postgres/server.py)."""
