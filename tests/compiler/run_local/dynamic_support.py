"""What the dynamic-partition replays share: the shared Dagster instance as a deployment opens it (the embedded
PostgreSQL), the settings that give the pods that instance, and the objects a run stored in SeaweedFS."""

import json
import os
from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

from assets.resources.object_store import ObjectStore
from devservices.postgres.server import PostgresServer
from tests.compiler.support import REPO, compiler_process

SETTINGS = """
[tool.compiler]
name = "dynamic"
image = "registry.example/dynamic"
image_tag = "1.0"
namespace = "argo"
service_account = "dynamic"
config_map = "dynamic-config"
config_keys = ["MINIO_ENDPOINT", "MINIO_BUCKET"]
# the projects' PartitionedJsonIOManager stores every value in the bucket, which every pod reads
shared_io_managers = ["io_manager"]

[tool.compiler.env]
HOME = "/tmp"

[tool.compiler.secrets]
MINIO_ACCESS_KEY = { name = "minio-credentials", key = "access-key" }
MINIO_SECRET_KEY = { name = "minio-credentials", key = "secret-key" }
"""
INSTANCE = """
[tool.compiler.instance]
kind = "postgres"
password = { name = "dagster-postgresql", key = "password" }
"""


def open_instance(directory: Path, pg: dict[str, str]) -> dg.DagsterInstance:
    """The shared instance as a Dagster deployment opens it, from a dagster.yaml written here."""
    directory.mkdir(parents=True, exist_ok=True)
    url = (
        f"postgresql+psycopg2://{pg['DAGSTER_PG_USER']}:{pg['DAGSTER_PG_PASSWORD']}@{pg['DAGSTER_PG_HOST']}:"
        f"{pg['DAGSTER_PG_PORT']}/{pg['DAGSTER_PG_DB']}"
    )
    (directory / "dagster.yaml").write_text(json.dumps({"storage": {"postgres": {"postgres_url": url}}}))
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(directory)))


def stored(env: dict[str, str]) -> dict[str, bytes]:
    """Every object under `cadence/` (the projects' IO manager) with its bytes; none when no run made the bucket."""
    store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"],
        access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"],
        bucket=env["MINIO_BUCKET"],
    )
    if not store.client().bucket_exists(store.bucket):
        return {}
    names = [o.object_name for o in store.client().list_objects(store.bucket, prefix="cadence/", recursive=True)]
    return {name: store.get_bytes(name) for name in names if name}


def build_with_partitions(
    tmp: Path, postgres: PostgresServer, module: str, database: str, cities: list[str]
) -> tuple[Path, dict[str, str]]:
    """`module` built into `tmp/out` with the shared instance, on a fresh database `database` (this process's id
    appended) whose dynamic partitions definition `cities` holds `cities`: the WorkflowTemplate and the PostgreSQL
    environment its pods read."""
    database = f"{database}_{os.getpid()}"
    postgres.create_database(database)
    pg = postgres.env(database)
    with open_instance(tmp / "instance", pg) as instance:
        instance.add_dynamic_partitions("cities", cities)
    (tmp / "pyproject.toml").write_text(SETTINGS + INSTANCE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), **pg}
    built = compiler_process(
        ["build", "--module", module, "--settings", str(tmp / "pyproject.toml"), "--out", str(tmp / "out")], REPO, env
    )
    assert built.returncode == 0, built.stderr
    return tmp / "out" / "dynamic.workflowtemplate.yaml", pg
