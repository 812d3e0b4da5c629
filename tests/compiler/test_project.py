"""The pipeline-shaped fixture project: golden output and the contract with the step runner and run-local."""

from pathlib import Path
from typing import Any

from compiler.builder.load import load_project
from compiler.builder.pipeline import compile_project
from compiler.exit_codes import INFRASTRUCTURE_RETRY_EXPRESSION
from tests.compiler.support import compile_defs, dag, demo_settings, workflow_template

GOLDEN = Path(__file__).parent / "golden" / "vienna"
MODULE = "tests.compiler.projects.vienna"


def _vienna() -> dict[str, Any]:
    from tests.compiler.projects.vienna import defs

    return compile_defs(defs, module=MODULE)


def test_matches_golden_files() -> None:
    """Reviewed by hand once; any change to the output shows up here as a diff to review again."""
    files = compile_project(load_project(MODULE), demo_settings()).files
    assert sorted(files) == sorted(p.name for p in GOLDEN.iterdir())
    for name, text in files.items():
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_dag_follows_asset_dependencies() -> None:
    tasks = dag(workflow_template(_vienna()))
    assert list(tasks) == ["openaq-raw-measurements", "openaq-clean-measurements", "openaq-measurements-parquet"]
    assert "depends" not in tasks["openaq-raw-measurements"]
    assert tasks["openaq-clean-measurements"]["depends"] == "openaq-raw-measurements"
    assert tasks["openaq-measurements-parquet"]["depends"] == "openaq-clean-measurements"
    assert tasks["openaq-clean-measurements"]["arguments"]["parameters"][:2] == [
        {"name": "asset", "value": "openaq/clean_measurements"},
        {"name": "task", "value": "openaq-clean-measurements"},
    ]


def test_step_container_follows_the_runner_contract() -> None:
    document = workflow_template(_vienna())
    assert document["spec"]["arguments"]["parameters"] == [
        {"name": "partition", "value": ""},
        {"name": "schedule", "value": ""},  # set by each CronWorkflow, empty for a manual submit
        {"name": "cronScheduleTime", "value": ""},  # set by `argo cron backfill` (its default --argname)
    ]
    templates = {t["name"]: t for t in document["spec"]["templates"]}
    # Argo passes spec.arguments to the entrypoint's inputs; a backfill Workflow passes each partition instead.
    assert templates["main"]["inputs"]["parameters"] == [{"name": "partition", "default": ""}]
    for task in templates["main"]["dag"]["tasks"]:
        assert {"name": "partition", "value": "{{inputs.parameters.partition}}"} in task["arguments"]["parameters"]
    step = templates["materialize"]
    assert step["inputs"]["parameters"] == [
        {"name": "asset"},
        {"name": "task"},
        {"name": "partition", "default": ""},
        {"name": "description", "default": ""},
        {"name": "owners", "default": ""},
    ]
    # Label values cannot hold '/': the per-asset pod label is the task name, the key stays an annotation.
    assert step["metadata"]["labels"]["dagster.io/asset"] == "{{inputs.parameters.task}}"
    assert step["metadata"]["annotations"]["dagster.io/asset-key"] == "{{inputs.parameters.asset}}"
    container = step["container"]
    assert container["command"] == ["python", "-m", "compiler", "materialize"]
    assert container["args"] == [
        "--module",
        MODULE,
        "--asset",
        "{{inputs.parameters.asset}}",
        "--scheduled-time",
        "{{workflow.scheduledTime}}",
        "--created-time",
        "{{workflow.creationTimestamp}}",
        "--partition",
        "{{inputs.parameters.partition}}",
        "--backfill-time",
        "{{workflow.parameters.cronScheduleTime}}",
        "--schedule",
        "{{workflow.parameters.schedule}}",
    ]
    env = {entry["name"]: entry for entry in container["env"]}
    assert env["HOME"] == {"name": "HOME", "value": "/tmp"}
    assert env["MINIO_ENDPOINT"]["valueFrom"] == {"configMapKeyRef": {"name": "demo-config", "key": "MINIO_ENDPOINT"}}
    assert env["OPENAQ_API_KEY"]["valueFrom"] == {"secretKeyRef": {"name": "openaq", "key": "api-key"}}
    assert env["MINIO_SECRET_KEY"]["valueFrom"] == {"secretKeyRef": {"name": "minio-credentials", "key": "secret-key"}}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert document["spec"]["volumes"] == [{"name": "tmp", "emptyDir": {}}]
    assert document["spec"]["securityContext"]["runAsNonRoot"] is True


def test_retry_policy_and_k8s_config_get_their_own_template() -> None:
    document = workflow_template(_vienna())
    templates = {t["name"]: t for t in document["spec"]["templates"]}
    assert dag(document)["openaq-raw-measurements"]["template"] == "materialize-openaq-raw-measurements"
    raw = templates["materialize-openaq-raw-measurements"]
    # RetryPolicy(max_retries=3, delay=30, backoff=EXPONENTIAL) -> 3 retries, 30 s doubling.
    assert raw["retryStrategy"] == {
        "limit": "3",
        "retryPolicy": "Always",
        # exit 2 (bad arguments) and 3 (dagster.Failure(allow_retries=False)) are never retried
        "expression": "asInt(lastRetry.exitCode) != 2 && asInt(lastRetry.exitCode) != 3",
        "backoff": {"duration": "30", "factor": "2"},
    }
    assert raw["container"]["resources"] == {"limits": {"memory": "1Gi"}}
    assert raw["container"]["args"] == templates["materialize"]["container"]["args"]
    # Assets without a RetryPolicy are retried only after infrastructure faults (pod deleted, evicted, node lost):
    # [tool.compiler.defaults] retry_limit (2), 10 s x2; a failure ends them, as Dagster runs them once.
    assert templates["materialize"]["retryStrategy"] == {
        "limit": "2",
        "retryPolicy": "Always",
        "expression": INFRASTRUCTURE_RETRY_EXPRESSION,
        "backoff": {"duration": "10", "factor": "2"},
    }
    # Every step has a wall-clock limit per attempt: the settings default unless the asset sets one.
    assert {t["name"]: t["activeDeadlineSeconds"] for t in templates.values() if "container" in t} == {
        name: "7200" for name in templates if name.startswith("materialize")
    }


def test_schedule_becomes_a_thin_cron_workflow() -> None:
    cron = _vienna()["demo-nightly-schedule.cronworkflow.yaml"]
    assert cron["kind"] == "CronWorkflow"
    spec = cron["spec"]
    assert spec["schedules"] == ["0 1 * * *"]
    assert spec["timezone"] == "Europe/Vienna"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["workflowSpec"] == {
        "workflowTemplateRef": {"name": "demo"},
        "entrypoint": "job-nightly",  # its job's own DAG (every asset job has one)
        "arguments": {"parameters": [{"name": "schedule", "value": "nightly_schedule"}]},
    }


def test_descriptions_and_owners_travel_with_their_task_to_the_pod() -> None:
    document = workflow_template(_vienna())
    tasks = dag(document)

    def parameters(task: str) -> dict[str, str]:
        return {p["name"]: p["value"] for p in tasks[task]["arguments"]["parameters"]}

    assert parameters("openaq-raw-measurements")["owners"] == "team:air-quality"
    assert parameters("openaq-clean-measurements")["description"] == "One typed row per sensor-hour."
    assert set(document["metadata"]["annotations"]) == {"workflows.argoproj.io/description"}
    for template in document["spec"]["templates"]:
        if "container" in template:  # every step puts them on its pod, where kubectl and the Argo UI show them
            assert template["metadata"]["annotations"]["dagster.io/description"] == "{{inputs.parameters.description}}"
            assert template["metadata"]["annotations"]["dagster.io/owners"] == "{{inputs.parameters.owners}}"
