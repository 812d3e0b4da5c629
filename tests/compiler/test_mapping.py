"""Naming, collisions, schedule subsets and hostile text: what the compiler emits for tricky inputs."""

import hashlib
import json
from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.errors import UnsupportedInputError
from tests.compiler.shapes import make_asset
from tests.compiler.support import REPO, compile_defs, dag, demo_settings, workflow_template

HOSTILE = 'Says "hi": {{workflow.name}} # not a comment\nline two: ünïcödé \' }} {{{x}}}'


def _single_spec_asset(key: list[str]) -> dg.AssetsDefinition:
    """An asset with an explicit key path (Dagster itself limits key parts to [A-Za-z0-9_])."""

    @dg.multi_asset(name="op_" + hashlib.sha256("/".join(key).encode()).hexdigest()[:6], specs=[dg.AssetSpec(key)])
    def _asset() -> None:
        return None

    return _asset


def _description(document: dict[str, Any], task: str = "clean") -> str:
    """The description a task passes to its step (which puts it on the pod as an annotation)."""
    parameters = {p["name"]: p["value"] for p in dag(document)[task]["arguments"]["parameters"]}
    return str(parameters["description"])


def test_hostile_description_survives_yaml_and_is_not_live_for_argo() -> None:
    asset = make_asset("clean", [], description=HOSTILE)
    document = workflow_template(compile_defs(dg.Definitions(assets=[asset])))
    text = _description(document)
    assert "{{" not in text
    assert "}}" not in text
    assert text == 'Says "hi": { {workflow.name} } # not a comment\nline two: ünïcödé \' } } { { {x} } }'


def test_mixed_case_key_is_lowercased_and_passed_exactly() -> None:
    documents = compile_defs(dg.Definitions(assets=[_single_spec_asset(["OpenAQ", "Raw__Data_"])]))
    task = next(iter(dag(workflow_template(documents)).values()))
    assert task["name"] == "openaq-raw-data"  # runs of '_' collapse, trailing ones dropped
    assert task["arguments"]["parameters"][0]["value"] == "OpenAQ/Raw__Data_"


def test_output_is_ascii_and_each_value_a_json_string() -> None:
    asset = make_asset("clean", [], description=HOSTILE)
    result = compile_project(project_from_definitions("p", dg.Definitions(assets=[asset])), demo_settings())
    text = result.files["demo.workflowtemplate.yaml"]
    assert text.isascii()
    line = next(line for line in text.splitlines() if "not a comment" in line)
    assert json.loads(line.split(": ", 1)[1]) == _description(yaml.safe_load(text))


def test_colliding_names_get_hash_suffixes_and_are_reported() -> None:
    left, right = _single_spec_asset(["a", "b_c"]), _single_spec_asset(["a_b", "c"])
    result = compile_project(project_from_definitions("p", dg.Definitions(assets=[left, right])), demo_settings())
    expected = {f"a-b-c-{hashlib.sha256(k.encode()).hexdigest()[:8]}": k for k in ("a/b_c", "a_b/c")}
    tasks = dag(yaml.safe_load(result.files["demo.workflowtemplate.yaml"]))
    assert {name: task["arguments"]["parameters"][0]["value"] for name, task in tasks.items()} == expected
    assert sorted(r.source for r in result.renamings) == ["a/b_c", "a_b/c"]


def test_long_names_are_cut_to_63_with_a_hash() -> None:
    name = "x" * 80
    tasks = dag(workflow_template(compile_defs(dg.Definitions(assets=[make_asset(name, [])]))))
    [task_name] = tasks
    assert task_name == "x" * 54 + "-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    # The pod label value dagster.io/asset comes from this argument: ≤ 63 chars, no '/'.
    assert tasks[task_name]["arguments"]["parameters"][:2] == [
        {"name": "asset", "value": name},
        {"name": "task", "value": task_name},
    ]
    assert len(task_name) == 63


def test_digit_first_asset_gets_a_prefix() -> None:
    tasks = dag(workflow_template(compile_defs(dg.Definitions(assets=[make_asset("2024_data", [])]))))
    assert list(tasks) == ["asset-2024-data"]


def test_every_scheduled_job_gets_its_own_dag_and_entrypoint() -> None:
    a, b, c = make_asset("a", []), make_asset("b", ["a"]), make_asset("c", ["b"])
    partial = dg.define_asset_job("tail_only", selection=["b", "c"])
    everything = dg.define_asset_job("everything", selection=dg.AssetSelection.all())
    schedules = [
        dg.ScheduleDefinition(name="tail", job=partial, cron_schedule="30 2 * * *", execution_timezone="Asia/Tokyo"),
        dg.ScheduleDefinition(name="all", job=everything, cron_schedule=["0 1 * * *", "0 13 * * *"]),
    ]
    documents = compile_defs(dg.Definitions(assets=[a, b, c], schedules=schedules))
    template = workflow_template(documents)
    subset = dag(template, "job-tail-only")
    assert list(subset) == ["b", "c"]
    assert "depends" not in subset["b"]  # a is not selected, so b starts the DAG
    assert subset["c"]["depends"] == "b"
    assert list(dag(template, "main")) == ["a", "b", "c"]
    tail = documents["demo-tail.cronworkflow.yaml"]["spec"]
    assert tail["workflowSpec"]["entrypoint"] == "job-tail-only"
    assert (tail["schedules"], tail["timezone"]) == (["30 2 * * *"], "Asia/Tokyo")
    full = documents["demo-all.cronworkflow.yaml"]["spec"]
    assert full["workflowSpec"]["entrypoint"] == "job-everything"  # every job has its DAG, even selecting all
    assert list(dag(template, "job-everything")) == ["a", "b", "c"]
    assert (full["schedules"], full["timezone"]) == (["0 1 * * *", "0 13 * * *"], "UTC")


def test_k8s_pod_spec_config_is_honoured() -> None:
    config = {
        "container_config": {"image": "other:2", "env": [{"name": "MODE", "value": "fast"}]},
        "pod_spec_config": {
            "node_selector": {"pool": "big"},
            "tolerations": [{"key": "big", "operator": "Exists", "effect": "NoSchedule", "toleration_seconds": 5}],
            "service_account_name": "heavy",
        },
    }
    documents = compile_defs(
        dg.Definitions(assets=[make_asset("heavy_one", [], op_tags={"dagster-k8s/config": config})])
    )
    [step] = [t for t in workflow_template(documents)["spec"]["templates"] if t["name"] == "materialize-heavy-one"]
    assert step["nodeSelector"] == {"pool": "big"}
    assert step["tolerations"] == [{"key": "big", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}]
    assert step["serviceAccountName"] == "heavy"
    assert step["container"]["image"] == "other:2"
    assert {"name": "MODE", "value": "fast"} in step["container"]["env"]


def test_credential_named_settings_are_refused_outside_secrets() -> None:
    with pytest.raises(UnsupportedInputError, match="API_TOKEN"):
        demo_settings(env={"API_TOKEN": "s3cr3t"})
    with pytest.raises(UnsupportedInputError, match="MINIO_PASS looks like a credential"):
        demo_settings(config_keys=["MINIO_ENDPOINT", "MINIO_PASS"])
    with pytest.raises(UnsupportedInputError, match=r"user:password@ credentials"):
        demo_settings(env={"DATABASE_URL": "postgres://app:hunter2@db:5432/air"})
    assert demo_settings(env={"DATABASE_URL": "postgres://db:5432/air"}).env == (
        ("DATABASE_URL", "postgres://db:5432/air"),
    )


def test_unknown_setting_is_named() -> None:
    with pytest.raises(UnsupportedInputError, match="imag_tag"):
        demo_settings(imag_tag="1")


def test_characters_beyond_the_basic_plane_and_line_separators_survive() -> None:
    astral = "air 😀 quality\u2028𝔘 ok"
    asset = make_asset("clean", [], description=astral)
    result = compile_project(project_from_definitions("p", dg.Definitions(assets=[asset])), demo_settings())
    text = result.files["demo.workflowtemplate.yaml"]
    assert "\\U0001f600" in text  # YAML's escape, not JSON's surrogate pair that YAML parsers reject
    assert _description(yaml.safe_load(text)) == astral


@pytest.mark.parametrize(
    ("status", "suspended"), [(dg.DefaultScheduleStatus.STOPPED, True), (dg.DefaultScheduleStatus.RUNNING, False)]
)
def test_a_stopped_schedule_becomes_a_suspended_cron_workflow(
    status: dg.DefaultScheduleStatus, suspended: bool
) -> None:
    asset = make_asset("clean", [])
    schedule = dg.ScheduleDefinition(name="nightly", target=[asset], cron_schedule="0 1 * * *", default_status=status)
    defs = dg.Definitions(assets=[asset], schedules=[schedule])
    result = compile_project(project_from_definitions("p", defs), demo_settings())

    cron = yaml.safe_load(result.files["demo-nightly.cronworkflow.yaml"])
    assert cron["spec"].get("suspend", False) is suspended
    assert [note.split(":")[0] for note in result.notes] == (
        ["schedule nightly has default_status STOPPED (Dagster's default)"] if suspended else []
    )


def test_the_flagship_schedule_is_running() -> None:
    from assets import defs

    [schedule] = defs.schedules or []
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    cron = yaml.safe_load((REPO / "argo_out" / "air-quality-nightly.cronworkflow.yaml").read_text())
    assert "suspend" not in cron["spec"]
