"""IO managers of Dagster's own integrations, recognised by name: object stores and warehouses every pod reaches.

A value an upstream pod stored in S3, GCS, ADLS2, BigQuery or Snowflake is there for the next pod, so these compile
without settings. DuckDB keeps its database in one file: shared only when that file is on the shared volume
(`[tool.compiler.shared_volume]`) or is a MotherDuck database (`md:`), which io_handoff.py checks with the settings.
Recognised by the module and name of the resource's class (its whole MRO, so subclasses count) or of an
`@io_manager` function, never by importing the integration: the compiler does not depend on dagster-aws and friends.
"""

from typing import Any

# Top-level package of an integration → what its IO managers store in. Every class named *IOManager in these
# packages, and every @io_manager function defined in them, keeps values outside the pod.
OBJECT_STORES_AND_WAREHOUSES: dict[str, str] = {
    "dagster_aws": "S3",
    "dagster_gcp": "GCS / BigQuery",
    "dagster_gcp_pandas": "BigQuery",
    "dagster_gcp_pyspark": "BigQuery",
    "dagster_azure": "ADLS2",
    "dagster_snowflake": "Snowflake",
    "dagster_snowflake_pandas": "Snowflake",
    "dagster_snowflake_pyspark": "Snowflake",
    "dagster_snowflake_polars": "Snowflake",
}
DUCKDB_PACKAGES = frozenset(
    {"dagster_duckdb", "dagster_duckdb_pandas", "dagster_duckdb_polars", "dagster_duckdb_pyspark"}
)
MOTHERDUCK_PREFIXES = ("md:", "motherduck:")


def integration_of(resource: Any) -> tuple[str, str] | None:
    """(top-level package, class or function name) of the integration IO manager `resource` is, or None."""
    for cls in type(resource).__mro__:
        package = cls.__module__.split(".")[0]
        if _known(package) and cls.__name__.endswith("IOManager"):
            return package, cls.__name__
    resource_fn = getattr(resource, "resource_fn", None)  # an @io_manager function's IOManagerDefinition
    module = getattr(resource_fn, "__module__", None)
    if isinstance(module, str) and _known(module.split(".")[0]):
        return module.split(".")[0], str(getattr(resource_fn, "__name__", "io_manager"))
    return None


def is_object_store_or_warehouse(package: str) -> bool:
    return package in OBJECT_STORES_AND_WAREHOUSES


def is_duckdb(package: str) -> bool:
    return package in DUCKDB_PACKAGES


def duckdb_database(resource: Any) -> Any:
    """The `database` a pythonic DuckDB IO manager was given (a path, `md:...`, an EnvVar), or None when unknown
    (an `@io_manager` function's config is not readable before a run)."""
    return getattr(resource, "database", None) if not hasattr(resource, "resource_fn") else None


def _known(package: str) -> bool:
    return package in OBJECT_STORES_AND_WAREHOUSES or package in DUCKDB_PACKAGES
