"""Issue 24 item 6: which IO managers hand values between pods, and the shared volume every pod mounts.

Dagster's storage integrations are recognised by their class's (or `@io_manager` function's) module and name, so
the compiler needs none of them installed: the classes below are real Dagster IO managers that carry the module and
name of the integration's own (dagster_aws.s3.io_manager.S3PickleIOManager, ...). The shared volume is replayed:
run-local treats the mount path as a local directory, and what the pods stored there equals what Dagster in process
stores with the same IO manager.
"""

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.plan import make_plan
from compiler.builder.plan_types import Plan
from compiler.errors import UnsupportedInputError
from compiler.shared_volume import VOLUME_NAME
from tests.compiler.argo_schema import schema_errors
from tests.compiler.projects.fidelity import io_handoff
from tests.compiler.support import REPO, demo_settings

VOLUME = {"claim": "pipeline-io", "mount_path": "/mnt/io"}


def integration(module: str, name: str, **fields: Any) -> dg.ConfigurableIOManager:
    """A real ConfigurableIOManager whose class has the integration's module and name (e.g. dagster_aws.s3...)."""

    def handle_output(self: Any, context: dg.OutputContext, obj: object) -> None: ...

    def load_input(self: Any, context: dg.InputContext) -> object: ...

    namespace = {
        "__module__": module,
        "__annotations__": {key: str for key in fields},
        "handle_output": handle_output,
        "load_input": load_input,
    }
    cls = type(name, (dg.ConfigurableIOManager,), namespace)
    return cls(**fields)


def plan_with(io_manager: object, **settings: Any) -> Plan:
    """`reading` → `total` (a value input) through `io_manager`, planned with `settings`."""
    defs = dg.Definitions(assets=[io_handoff.reading, io_handoff.total], resources={"io_manager": io_manager})
    return make_plan(project_from_definitions("p", defs), demo_settings(**settings))


def one_pod_warning(plan: Plan) -> str:
    """A handoff no second pod could complete: both assets in one task (compiler/builder/pod_local.py), and why."""
    [main] = [dag for dag in plan.dags if dag.name == "main"]
    assert [task.asset for task in main.tasks] == ["reading,total"]
    [warning] = plan.pod_local_warnings
    return warning


def shared(plan: Plan) -> None:
    """Each asset in its own task, no warning: the handoff reaches the next pod."""
    assert plan.pod_local_warnings == ()
    assert [task.asset for dag in plan.dags if dag.name == "main" for task in dag.tasks] == ["reading", "total"]


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("dagster_aws.s3.io_manager", "S3PickleIOManager"),
        ("dagster_aws.s3.io_manager", "ConfigurablePickledObjectS3IOManager"),
        ("dagster_gcp.gcs.io_manager", "GCSPickleIOManager"),
        ("dagster_gcp.bigquery.io_manager", "BigQueryIOManager"),
        ("dagster_gcp_pandas.bigquery.bigquery_pandas_type_handler", "BigQueryPandasIOManager"),
        ("dagster_azure.adls2.io_manager", "ADLS2PickleIOManager"),
        ("dagster_snowflake.snowflake_io_manager", "SnowflakeIOManager"),
        ("dagster_snowflake_pandas.snowflake_pandas_type_handler", "SnowflakePandasIOManager"),
    ],
)
def test_object_store_and_warehouse_io_managers_compile_without_settings(module: str, name: str) -> None:
    shared(plan_with(integration(module, name)))


def test_an_integration_io_manager_function_is_recognised_by_its_module() -> None:
    def s3_pickle_io_manager(init_context: dg.InitResourceContext) -> dg.IOManager:
        raise NotImplementedError

    s3_pickle_io_manager.__module__ = "dagster_aws.s3.io_manager"
    shared(plan_with(dg.io_manager(s3_pickle_io_manager)))


@pytest.mark.parametrize("database", ["/mnt/io/warehouse.duckdb", "md:analytics"])
def test_duckdb_compiles_on_the_shared_volume_or_motherduck(database: str) -> None:
    shared(
        plan_with(
            integration("dagster_duckdb_pandas.duckdb_pandas_type_handler", "DuckDBPandasIOManager", database=database),
            shared_volume=VOLUME,
        )
    )


def test_duckdb_on_a_pod_disk_runs_in_one_pod_naming_the_resource_and_what_to_do() -> None:
    duckdb = integration("dagster_duckdb.io_manager", "DuckDBIOManager", database="/data/warehouse.duckdb")
    assert one_pod_warning(plan_with(duckdb, shared_volume=VOLUME)).startswith(
        "asset total: loads asset reading through IO manager 'io_manager' (a DuckDB IO manager, whose database is "
        "one file), whose database /data/warehouse.duckdb is not under [tool.compiler.shared_volume] mount_path "
        "/mnt/io, so the next pod does not see it: put the database under /mnt/io; as it is, assets reading, total "
        "run together in one pod (task reading-to-total)"
    )
    assert "Mount a shared volume in every pod with [tool.compiler" in one_pod_warning(plan_with(duckdb))


def test_filesystem_base_dir_must_lie_under_the_mount_path_to_give_each_asset_its_pod() -> None:
    warning = one_pod_warning(plan_with(dg.FilesystemIOManager(base_dir="/elsewhere/io"), shared_volume=VOLUME))
    assert "whose base_dir /elsewhere/io is not under [tool.compiler.shared_volume] mount_path /mnt/io" in warning
    shared(plan_with(dg.FilesystemIOManager(base_dir="/mnt/io/io"), shared_volume=VOLUME))
    shared(
        plan_with(
            dg.FilesystemIOManager(base_dir=dg.EnvVar("IO_DIR")), shared_volume=VOLUME, env={"IO_DIR": "/mnt/io/x"}
        )
    )
    # unset in the pods: the EnvVar check names it first (no pod could even build the IO manager)
    with pytest.raises(UnsupportedInputError, match=r"maps to nothing: IO_DIR \(resource 'io_manager'"):
        plan_with(dg.FilesystemIOManager(base_dir=dg.EnvVar("IO_DIR")), shared_volume=VOLUME)
    implicit = make_plan(  # the implicit default never shares, whatever the volume
        project_from_definitions("p", dg.Definitions(assets=[io_handoff.reading, io_handoff.total])),
        demo_settings(shared_volume=VOLUME),
    )
    assert "keeps values inside one pod" in one_pod_warning(implicit)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"claim": "Bad_Name", "mount_path": "/mnt/io"}, "claim: the PersistentVolumeClaim's name"),
        ({"claim": "io", "mount_path": "mnt/io"}, "mount_path: an absolute path"),
        ({"claim": "io", "mount_path": "/tmp"}, "would hide the image (/) or the compiler's writable emptyDir"),
        ({"claim": "io", "mount_path": "/mnt/io", "size": "1Gi"}, "unknown key(s) size"),
    ],
)
def test_shared_volume_settings_are_checked(table: dict[str, str], message: str) -> None:
    with pytest.raises(UnsupportedInputError) as error:
        demo_settings(shared_volume=table)
    assert str(error.value).startswith("[tool.compiler.shared_volume]")
    assert message in str(error.value)


SETTINGS = """
[tool.compiler]
name = "volume-demo"
image = "registry.example/volume-demo"
namespace = "argo"
service_account = "volume-demo"
config_map = "volume-demo-config"

[tool.compiler.shared_volume]
claim = "pipeline-io"
mount_path = "{mount}"

[tool.compiler.env]
SHARED_IO_DIR = "{mount}/io"
"""
PROJECT_FILE = "tests/compiler/projects/fidelity/shared_volume.py"


def _compiler(*arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "compiler", *arguments], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def _stored(base_dir: Path) -> dict[str, object]:
    """What FilesystemIOManager wrote: asset key path → unpickled value."""
    return {
        path.relative_to(base_dir).as_posix(): pickle.loads(path.read_bytes())  # noqa: S301 (our own values)
        for path in sorted(base_dir.rglob("*"))
        if path.is_file()
    }


def test_a_shared_volume_is_mounted_and_replayed_like_dagster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A -f location (its pods get the same relative --python-file) with its base_dir on the shared volume."""
    mount = tmp_path / "io"  # run-local: the mount path is a local directory every task sees
    settings = tmp_path / "pyproject.toml"
    settings.write_text(SETTINGS.format(mount=mount), encoding="utf-8")
    out = tmp_path / "out"
    built = _compiler("build", "-f", PROJECT_FILE, "-a", "defs", "--settings", str(settings), "--out", str(out))
    assert built.returncode == 0, built.stderr
    template_path = out / "volume-demo.workflowtemplate.yaml"
    document = yaml.safe_load(template_path.read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    assert {"name": VOLUME_NAME, "persistentVolumeClaim": {"claimName": "pipeline-io"}} in document["spec"]["volumes"]
    [step] = [t for t in document["spec"]["templates"] if t["name"] == "materialize"]
    assert {"name": VOLUME_NAME, "mountPath": str(mount)} in step["container"]["volumeMounts"]
    assert step["container"]["args"][:4] == ["--python-file", PROJECT_FILE, "--attribute", "defs"]

    replayed = _compiler("run-local", str(template_path))
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr

    monkeypatch.setenv("SHARED_IO_DIR", str(tmp_path / "dagster" / "io"))
    from tests.compiler.projects.fidelity import shared_volume as project

    result = dg.materialize([project.reading, project.total], resources=project.defs.resources)
    assert result.success
    assert _stored(mount / "io") == _stored(tmp_path / "dagster" / "io") == {"reading": 41, "total": 42}
