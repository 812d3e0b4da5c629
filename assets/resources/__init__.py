"""Dagster resources of the code location."""
