"""`[tool.compiler.instance]`: the default keeps the throw-away instance; postgres wires the shared instance and the
Argo run tags into every step, with the password only as a secretKeyRef."""

from typing import Any

import dagster as dg
import pytest

from compiler.errors import UnsupportedInputError
from compiler.instance_settings import RUN_TAG_ENV
from compiler.materialize.run_tags import argo_run_tags
from tests.compiler.support import compile_defs, demo_settings, workflow_template

POSTGRES = {"kind": "postgres", "password": {"name": "dagster-pg", "key": "password"}}


@dg.asset
def one() -> None:
    """A single asset is enough: every step template gets the same env."""


def step_env(**settings: Any) -> dict[str, dict[str, Any]]:
    document = workflow_template(compile_defs(dg.Definitions(assets=[one]), **settings))
    [step] = [t for t in document["spec"]["templates"] if "container" in t]
    return {entry["name"]: entry for entry in step["container"]["env"]}


def test_default_instance_adds_nothing() -> None:
    assert step_env() == step_env(instance={"kind": "ephemeral"})
    assert "DAGSTER_ARGO_INSTANCE" not in step_env()


def test_postgres_instance_reads_connection_from_the_config_map_and_password_from_a_secret() -> None:
    env = step_env(instance={**POSTGRES, "argo_ui_url": "https://argo.example.test/"})
    assert env["DAGSTER_ARGO_INSTANCE"] == {"name": "DAGSTER_ARGO_INSTANCE", "value": "postgres"}
    assert env["DAGSTER_PG_PASSWORD"]["valueFrom"] == {"secretKeyRef": {"name": "dagster-pg", "key": "password"}}
    for key in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_DB", "DAGSTER_PG_USER"):
        assert env[key]["valueFrom"] == {"configMapKeyRef": {"name": "demo-config", "key": key}}
    for variable, argo_variable in RUN_TAG_ENV.values():
        assert env[variable]["value"] == argo_variable
    assert env["ARGO_UI_URL"]["value"] == "https://argo.example.test"


@pytest.mark.parametrize(
    ("instance", "message"),
    [
        ({"kind": "postgres"}, "needs password"),
        ({"kind": "mysql"}, "kind = 'mysql' is invalid"),
        ({**POSTGRES, "host": "db"}, "unknown setting.*host"),
        ({**POSTGRES, "password": {"name": "dagster-pg"}}, "key is required"),
        ({**POSTGRES, "argo_ui_url": "https://user:pw@argo.example.test"}, "argo_ui_url"),
    ],
)
def test_bad_instance_settings_are_named(instance: dict[str, object], message: str) -> None:
    with pytest.raises(UnsupportedInputError, match=message):
        demo_settings(instance=instance)


def test_a_hand_set_instance_variable_is_refused() -> None:
    with pytest.raises(UnsupportedInputError, match="DAGSTER_PG_HOST set by hand"):
        demo_settings(instance=POSTGRES, config_keys=["DAGSTER_PG_HOST"])


def test_run_tags_leave_out_what_argo_left_literal_and_link_the_workflow() -> None:
    tags = argo_run_tags(
        {
            "ARGO_WORKFLOW": "air-quality-x7k2p",
            "ARGO_NAMESPACE": "argo",
            "ARGO_POD": "air-quality-x7k2p-materialize-123",
            "ARGO_CRON_WORKFLOW": "",
            "ARGO_SCHEDULED_TIME": "{{workflow.scheduledTime}}",
            "ARGO_UI_URL": "https://argo.example.test",
        }
    )
    assert tags == {
        "argo/workflow": "air-quality-x7k2p",
        "argo/namespace": "argo",
        "argo/pod": "air-quality-x7k2p-materialize-123",
        "argo/workflow-url": "https://argo.example.test/workflows/argo/air-quality-x7k2p",
    }


def test_each_cron_workflow_passes_its_own_name_for_the_cron_workflow_tag() -> None:
    @dg.asset(partitions_def=dg.DailyPartitionsDefinition("2026-01-01"))
    def daily() -> None:
        """Scheduled, so the build emits a CronWorkflow."""

    job = dg.define_asset_job("nightly", selection=[daily])
    defs = dg.Definitions(
        assets=[daily], schedules=[dg.build_schedule_from_partitioned_job(job, hour_of_day=1)], jobs=[job]
    )
    documents = compile_defs(defs, instance=POSTGRES)
    template = workflow_template(documents)
    assert {"name": "cron-workflow", "value": ""} in template["spec"]["arguments"]["parameters"]
    [cron] = [d for d in documents.values() if d["kind"] == "CronWorkflow"]
    parameters = cron["spec"]["workflowSpec"]["arguments"]["parameters"]
    assert {"name": "cron-workflow", "value": cron["metadata"]["name"]} in parameters
    without = compile_defs(defs)
    [plain] = [d for d in without.values() if d["kind"] == "CronWorkflow"]
    assert "cron-workflow" not in str(plain)


def test_the_deploy_bundle_config_map_carries_the_instance_connection() -> None:
    """With `[tool.compiler.config]` the emitted ConfigMap is what pods read: the connection keys must be in it."""
    from compiler.builder.load import project_from_definitions
    from compiler.builder.pipeline import compile_project
    from compiler.parse import parse_documents

    base = {key: "x" for key in demo_settings().config_keys}
    connection = {
        "DAGSTER_PG_HOST": "db",
        "DAGSTER_PG_PORT": "5432",
        "DAGSTER_PG_DB": "dagster",
        "DAGSTER_PG_USER": "u",
    }
    with pytest.raises(UnsupportedInputError, match="no value for DAGSTER_PG_DB, DAGSTER_PG_HOST"):
        demo_settings(instance=POSTGRES, config=base)
    settings = demo_settings(instance=POSTGRES, config={**base, **connection})
    result = compile_project(project_from_definitions("project", dg.Definitions(assets=[one])), settings)
    [config_map] = [
        document
        for name, text in result.bundle.items()
        for document in parse_documents(text, name)
        if document["kind"] == "ConfigMap"
    ]
    step = step_env(instance=POSTGRES)
    read_from_config_map = {name for name, entry in step.items() if "configMapKeyRef" in entry.get("valueFrom", {})}
    assert read_from_config_map <= set(config_map["data"])
    assert set(connection) <= set(config_map["data"])
