"""Step fusion's rules (compiler/builder/fusion.py): which chains become one task, and what is refused or noted."""

import dataclasses
from datetime import timedelta
from typing import Any

import dagster as dg
import pytest

from compiler.builder.load import load_project, project_from_definitions
from compiler.builder.pipeline import BuildResult, compile_project
from compiler.errors import UnsupportedInputError
from compiler.parse import parse_documents
from compiler.settings import load_settings
from tests.compiler.argo_schema import schema_errors
from tests.compiler.support import REPO, compile_defs, dag, demo_settings, workflow_template

DAILY = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="Europe/Vienna")
HOURLY = dg.HourlyPartitionsDefinition(start_date="2026-01-01-00:00", timezone="Europe/Vienna")


def build(defs: dg.Definitions, **settings: Any) -> tuple[BuildResult, dict[str, Any]]:
    result = compile_project(project_from_definitions("project", defs), demo_settings(**settings))
    documents = {}
    for name, text in result.files.items():
        [document] = parse_documents(text, name)
        assert schema_errors(document) == [], (name, schema_errors(document)[:5])
        documents[name] = document
    return result, documents


def chain(**overrides: dict[str, Any]) -> list[dg.AssetsDefinition]:
    """a → b → c, daily (`deps`: values would need an IO manager on shared storage); `overrides[name]` are extra
    @asset arguments."""

    @dg.asset(partitions_def=DAILY, **overrides.get("a", {}))
    def a() -> None:
        return None

    @dg.asset(partitions_def=DAILY, deps=["a"], **overrides.get("b", {}))
    def b() -> None:
        return None

    @dg.asset(partitions_def=DAILY, deps=["b"], **overrides.get("c", {}))
    def c() -> None:
        return None

    return [a, b, c]


def templates(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {template["name"]: template for template in document["spec"]["templates"]}


def test_a_linear_chain_becomes_one_task_running_the_fused_step_in_order() -> None:
    result, documents = build(dg.Definitions(assets=chain()), fuse_chains=True)
    document = workflow_template(documents)
    [task] = dag(document).values()
    assert task["name"] == "a-to-c"
    parameters = {p["name"]: p["value"] for p in task["arguments"]["parameters"]}
    assert parameters["asset"] == "a,b,c"  # Dagster's topological order
    step = templates(document)[task["template"]]
    # Argo's attempt number: a first attempt computes the whole chain, only a retry resumes (materialize/resume.py)
    assert step["container"]["args"][-3:] == ["--fused", "--attempt", "{{retries}}"]
    assert step["retryStrategy"]["limit"] == "2"  # Argo sets {{retries}} only on a template with a retryStrategy
    assert result.notes == ()
    # Dagster's default IO manager cannot say when it stored a value: a retry would rerun the whole chain
    assert [w for w in result.warnings if "cannot say when it stored a value" in w] == [
        "fused task a-to-c: the IO manager of a, b cannot say when it stored a value (no stored_at) and there is no "
        "shared instance: a retry reruns the chain from its first asset"
    ]


def test_a_fused_step_without_a_retry_strategy_has_no_attempt_and_unfused_steps_never_do() -> None:
    """Without a retryStrategy Argo leaves `{{retries}}` literal and never retries: the only attempt is the first."""
    never = {"retry_policy": dg.RetryPolicy(max_retries=0)}  # Dagster's "no retries": no retryStrategy
    _, documents = build(dg.Definitions(assets=chain(a=never, b=never, c=never)), fuse_chains=True)
    document = workflow_template(documents)
    [task] = dag(document).values()
    step = templates(document)[task["template"]]
    assert "retryStrategy" not in step
    assert step["container"]["args"][-1] == "--fused"
    assert "--attempt" not in step["container"]["args"]
    _, unfused = build(dg.Definitions(assets=chain()))
    for template in templates(workflow_template(unfused)).values():
        if "container" in template:
            assert "retryStrategy" in template
            assert "--attempt" not in template["container"]["args"]
            assert "{{retries}}" not in str(template)


def test_without_the_setting_or_a_tag_nothing_changes() -> None:
    _, plain = build(dg.Definitions(assets=chain()))
    _, off = build(dg.Definitions(assets=chain(b={"tags": {"argo/fuse": "false"}})))
    assert plain == off
    assert set(dag(workflow_template(plain))) == {"a", "b", "c"}


def city_keys(defs: dg.Definitions, key: list[str]) -> list[str]:
    """Dagster's answer: the static (city) keys of the asset's date × city partitions, in its order."""
    partitions_def = defs.resolve_asset_graph().get(dg.AssetKey(key)).partitions_def
    assert isinstance(partitions_def, dg.MultiPartitionsDefinition)
    [city] = [d for d in partitions_def.partitions_defs if isinstance(d.partitions_def, dg.StaticPartitionsDefinition)]
    return list(city.partitions_def.get_partition_keys())


def fused_per_key(document: dict[str, Any], dag_name: str = "main") -> tuple[dict[str, Any], dict[str, Any]]:
    """The DAG's one fan-out task and the one (fused) task of its per-key DAG."""
    [fan_out] = dag(document, dag_name).values()
    [task] = dag(document, fan_out["template"]).values()
    return fan_out, task


def test_the_flagship_fuses_into_one_task_per_city_with_the_larger_resources_and_the_most_patient_retry() -> None:
    from assets import defs

    settings = load_settings(REPO / "pyproject.toml")
    unfused = compile_project(load_project("assets"), settings)
    fused = compile_project(load_project("assets"), dataclasses.replace(settings, fuse_chains=True))
    [document] = parse_documents(fused.files["air-quality.workflowtemplate.yaml"], "wt")
    assert schema_errors(document) == []
    # The nightly job's DAG (the CronWorkflow's entrypoint) runs the chain as one task per city.
    fan_out, task = fused_per_key(document, "job-air-quality-daily")
    assert fan_out["withItems"] == city_keys(defs, ["openaq", "raw_measurements"])
    parameters = {p["name"]: p["value"] for p in task["arguments"]["parameters"]}
    assert parameters["asset"] == "openaq/raw_measurements,openaq/clean_measurements,openaq/measurements_parquet"
    assert parameters["static-key"] == "{{inputs.parameters.static-key}}"  # the per-key DAG's city
    step = templates(document)[task["template"]]
    args = step["container"]["args"]
    assert args[-3:] == ["--fused", "--attempt", "{{retries}}"]
    assert args[args.index("--static-key") + 1] == "{{inputs.parameters.static-key}}"
    assert "FAN_OUT_PARALLELISM" in {entry["name"] for entry in step["container"]["env"]}
    [plain] = parse_documents(unfused.files["air-quality.workflowtemplate.yaml"], "wt")
    steps = templates(plain)
    limits = [s["container"]["resources"]["limits"]["memory"] for n, s in steps.items() if n.startswith("materialize")]
    assert step["container"]["resources"]["limits"]["memory"] == "2Gi" == max(limits, key=lambda m: int(m[:-2]))
    assert step["retryStrategy"]["limit"] == "2"
    assert step["retryStrategy"]["backoff"]["duration"] == "30"  # raw's RetryPolicy: the longest first wait
    assert any("fused task" in warning and "30s" in warning for warning in fused.warnings)
    assert not any("cannot say when it stored" in warning for warning in fused.warnings)  # ObjectStoreIOManager can
    # main also runs the event-driven summary, which no schedule selects with the chain: it keeps its own task.
    assert fused.notes == (
        "asset openaq/daily_summary is not fused with openaq/measurements_parquet: "
        "schedule air_quality_nightly runs one without the other",
    )
    [main_fan_out] = dag(document, "main").values()
    main_tasks = dag(document, main_fan_out["template"])
    assert [t["depends"] for t in main_tasks.values() if "depends" in t] == [task["name"]]
    assert {p["value"] for t in main_tasks.values() for p in t["arguments"]["parameters"] if p["name"] == "asset"} == {
        "openaq/raw_measurements,openaq/clean_measurements,openaq/measurements_parquet",
        "openaq/daily_summary",
    }
    # the CronWorkflow is untouched: it only names the WorkflowTemplate
    assert (
        fused.files["air-quality-nightly.cronworkflow.yaml"] == unfused.files["air-quality-nightly.cronworkflow.yaml"]
    )
    # the main DAG keeps its fan-out bound and failFast off
    [main] = [t for t in document["spec"]["templates"] if t["name"] == "main"]
    [plain_main] = [t for t in plain["spec"]["templates"] if t["name"] == "main"]
    assert {k: main.get(k) for k in ("parallelism", "failFast")} == {
        k: plain_main.get(k) for k in ("parallelism", "failFast")
    }


def test_several_cities_in_two_zones_fuse_into_one_task_per_key_in_valid_manifests() -> None:
    """Three cities in Vienna's zone and one in Tokyo's: each zone's chain fuses inside its per-key DAG, every
    manifest passes Argo's strict schema and the compiler's own validation."""
    from assets.city import GRAZ, LINZ, VIENNA, City
    from assets.definitions import build_defs
    from compiler.validate import template_names_by_workflow_template, validate_manifest
    from compiler.validate.events import events_problems, is_events_kind

    tokyo = City(name="tokyo", latitude=35.6762, longitude=139.6503, radius_m=20_000, timezone="Asia/Tokyo")
    defs = build_defs((VIENNA, GRAZ, LINZ, tokyo))
    # the flagship's new_object_sensors read their bucket from [tool.compiler.config], as the repository's own does
    config = {"OPENAQ_BASE_URL": "https://api.openaq.org", "MINIO_ENDPOINT": "http://minio:9000", "MINIO_BUCKET": "aq"}
    documents = compile_defs(defs, module="assets", fuse_chains=True, config=config)  # Argo's JSON schema on each
    known = template_names_by_workflow_template(list(documents.values()))
    events = {name: document for name, document in documents.items() if is_events_kind(document)}
    assert events_problems(events, known) == []  # each zone's new_object_sensor: its EventSource and Sensor
    for name, document in documents.items():
        if name not in events:
            assert validate_manifest(document, known) == [], name
    document = workflow_template(documents)
    main = dag(document)
    assert len(main) == 2  # one fan-out task per zone
    fused_steps = set()
    for fan_out in main.values():
        # the chain's one fused task per key, beside the event-driven summary's own task (no schedule selects it)
        [task, summary] = dag(document, fan_out["template"]).values()
        assert summary["depends"] == task["name"]
        keys = task["arguments"]["parameters"][[p["name"] for p in task["arguments"]["parameters"]].index("asset")]
        [raw, *_] = keys["value"].split(",")
        assert keys["value"].count(",") == 2  # raw, clean, parquet of that zone
        assert fan_out["withItems"] == city_keys(defs, raw.split("/"))
        fused_steps.add(task["template"])
        args = templates(document)[task["template"]]["container"]["args"]
        assert args[-3:] == ["--fused", "--attempt", "{{retries}}"]
    assert {c.name for c in (VIENNA, GRAZ, LINZ, tokyo)} == {k for t in main.values() for k in t["withItems"]}
    # every nightly job DAG (one per zone's schedule) runs the same fused task per key; the summary jobs (one per
    # zone, started by the zone's new_object_sensor) run the summary alone
    job_per_key = [
        template["dag"]["tasks"]
        for template in document["spec"]["templates"]
        if template.get("dag")
        and template["name"].startswith("job-")
        and "-each-" in template["name"]
        and "daily-summary" not in template["name"]
    ]
    assert len(job_per_key) == 2
    for tasks in job_per_key:
        [task] = tasks
        assert task["template"] in fused_steps


def test_a_fan_out_ends_a_chain_and_a_fan_in_starts_one() -> None:
    @dg.asset(partitions_def=DAILY)
    def root() -> None:
        return None

    @dg.asset(partitions_def=DAILY, deps=[root])
    def left() -> None:
        return None

    @dg.asset(partitions_def=DAILY, deps=[root])
    def right() -> None:
        return None

    @dg.asset(partitions_def=DAILY, deps=[left, right])
    def join() -> None:
        return None

    @dg.asset(partitions_def=DAILY, deps=[join])
    def tail() -> None:
        return None

    _, documents = build(dg.Definitions(assets=[root, left, right, join, tail]), fuse_chains=True)
    tasks = dag(workflow_template(documents))
    assert set(tasks) == {"root", "left", "right", "join-to-tail"}
    assert tasks["join-to-tail"]["depends"] == "left && right"


def test_a_false_tag_keeps_an_asset_in_its_own_task() -> None:
    _, documents = build(dg.Definitions(assets=chain(c={"tags": {"argo/fuse": "false"}})), fuse_chains=True)
    tasks = dag(workflow_template(documents))
    assert set(tasks) == {"a-to-b", "c"}
    assert tasks["c"]["depends"] == "a-to-b"


def test_true_tags_fuse_only_the_tagged_assets_without_the_setting() -> None:
    tagged = {"tags": {"argo/fuse": "true"}}
    _, documents = build(dg.Definitions(assets=chain(b=tagged, c=tagged)))
    assert set(dag(workflow_template(documents))) == {"a", "b-to-c"}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"b": {"retry_policy": dg.RetryPolicy(max_retries=5)}}, "retry limits differ"),
        ({"b": {"op_tags": {"dagster-k8s/config": {"container_config": {"image": "other:1"}}}}}, "image differs"),
        (
            {"b": {"op_tags": {"dagster-k8s/config": {"container_config": {"env": [{"name": "X", "value": "1"}]}}}}},
            None,  # a variable only one asset sets merges into the pod
        ),
    ],
)
def test_pods_that_cannot_merge_are_not_fused_and_say_why(overrides: dict[str, Any], reason: str | None) -> None:
    result, documents = build(dg.Definitions(assets=chain(**overrides)), fuse_chains=True)
    tasks = set(dag(workflow_template(documents)))
    if reason is None:
        assert tasks == {"a-to-c"}
        return
    assert tasks == {"a", "b", "c"}
    assert any(reason in note and "asset b is not fused with a" in note for note in result.notes), result.notes
    true = {"tags": {"argo/fuse": "true"}}
    tagged = {**overrides, "a": true, "b": {**overrides["b"], **true}}
    with pytest.raises(UnsupportedInputError, match=f"asset b is not fused with a: .*{reason}.*argo/fuse"):
        build(dg.Definitions(assets=chain(**tagged)))


def test_different_partitions_definitions_are_not_fused() -> None:
    @dg.asset(partitions_def=DAILY)
    def a() -> None:
        return None

    @dg.asset(deps=[a])
    def b() -> None:
        return None

    result, documents = build(dg.Definitions(assets=[a, b]), fuse_chains=True)
    assert set(dag(workflow_template(documents))) == {"a", "b"}
    assert any("partitions definitions differ" in note for note in result.notes)


def test_a_schedule_selecting_part_of_a_chain_splits_it() -> None:
    assets = chain()
    job = dg.define_asset_job("ab", selection=["a", "b"], partitions_def=DAILY)
    schedule = dg.build_schedule_from_partitioned_job(job, hour_of_day=1)
    result, documents = build(dg.Definitions(assets=assets, jobs=[job], schedules=[schedule]), fuse_chains=True)
    document = workflow_template(documents)
    assert set(dag(document)) == {"a-to-b", "c"}
    assert set(dag(document, "job-ab")) == {"a-to-b"}
    assert any("schedule ab_schedule runs one without the other" in note for note in result.notes)


def test_a_multi_asset_keeps_its_own_task() -> None:
    @dg.multi_asset(specs=[dg.AssetSpec("m1"), dg.AssetSpec("m2")])
    def both() -> Any:
        yield dg.MaterializeResult(asset_key="m1")
        yield dg.MaterializeResult(asset_key="m2")

    @dg.asset(deps=["m1", "m2"])
    def after() -> None:
        return None

    result, documents = build(dg.Definitions(assets=[both, after]), fuse_chains=True)
    assert set(dag(workflow_template(documents))) == {"both", "after"}
    assert any("multi-asset" in note for note in result.notes)


def test_a_tagged_asset_with_no_neighbour_to_fuse_with_is_refused() -> None:
    @dg.asset(tags={"argo/fuse": "true"})
    def alone() -> None:
        return None

    with pytest.raises(UnsupportedInputError, match='asset alone: tagged argo/fuse = "true" but it has no neighbour'):
        build(dg.Definitions(assets=[alone]))


def test_a_malformed_tag_is_refused() -> None:
    with pytest.raises(UnsupportedInputError, match='tag argo/fuse must be "true" or "false"'):
        build(dg.Definitions(assets=chain(a={"tags": {"argo/fuse": "yes"}})))


def test_the_setting_must_be_a_boolean() -> None:
    with pytest.raises(UnsupportedInputError, match="fuse_chains = 'yes' is invalid"):
        demo_settings(fuse_chains="yes")


def test_a_job_dag_keeps_only_its_own_dependencies_of_a_fused_chain() -> None:
    @dg.asset(partitions_def=DAILY)
    def source() -> None:
        return None

    job = dg.define_asset_job("abc", selection=["a", "b", "c"], partitions_def=DAILY)
    schedule = dg.build_schedule_from_partitioned_job(job, hour_of_day=1)
    defs = dg.Definitions(assets=[source, *chain(a={"deps": [source]})], jobs=[job], schedules=[schedule])
    result, documents = build(defs, fuse_chains=True)
    document = workflow_template(documents)
    assert dag(document)["a-to-c"]["depends"] == "source"
    [task] = dag(document, "job-abc").values()
    assert task["name"] == "a-to-c"
    assert "depends" not in task  # source is not in the job
    assert any("asset a is not fused with source: schedule abc_schedule" in note for note in result.notes)


def test_a_variable_two_members_apart_set_to_different_values_cuts_the_chain() -> None:
    def env(value: str) -> dict[str, Any]:
        return {"op_tags": {"dagster-k8s/config": {"container_config": {"env": [{"name": "X", "value": value}]}}}}

    result, documents = build(dg.Definitions(assets=chain(a=env("1"), c=env("2"))), fuse_chains=True)
    tasks = dag(workflow_template(documents))
    assert set(tasks) == {"a-to-b", "c"}
    assert any("asset c is not fused with the chain before it: environment variable X" in n for n in result.notes)


def test_a_static_chain_fuses_inside_its_per_key_dag_and_an_unpartitioned_asset_after_it_waits_for_every_key() -> None:
    keys = dg.StaticPartitionsDefinition(["graz", "vienna"])

    @dg.asset(partitions_def=keys)
    def a() -> None:
        return None

    @dg.asset(partitions_def=keys, deps=[a])
    def b() -> None:
        return None

    @dg.asset(deps=[b])
    def overview() -> None:
        return None

    result, documents = build(dg.Definitions(assets=[a, b, overview]), fuse_chains=True)
    document = workflow_template(documents)
    main = dag(document)
    assert set(main) == {"each-a", "overview"}
    assert main["each-a"]["withItems"] == keys.get_partition_keys()
    assert main["overview"]["depends"] == "each-a"
    [task] = dag(document, main["each-a"]["template"]).values()
    assert task["name"] == "a-to-b"
    step = templates(document)[task["template"]]
    assert step["container"]["args"][-4:] == ["{{inputs.parameters.static-key}}", "--fused", "--attempt", "{{retries}}"]
    assert result.notes == ()  # b → overview: one is per key, the other not; they sit in different DAGs


def test_a_gated_dag_fuses_and_the_fused_task_carries_the_gates_when() -> None:
    """A schedule with code of its own (should_execute) gets a gate; the fused task gets one gate output of its own."""
    job = dg.define_asset_job("abc", selection=["a", "b", "c"], partitions_def=DAILY)
    gated = dg.ScheduleDefinition(
        name="weekdays",
        job=job,
        cron_schedule="0 1 * * *",
        execution_timezone="Europe/Vienna",
        should_execute=lambda context: context.scheduled_execution_time.weekday() < 5,
    )
    result, documents = build(dg.Definitions(assets=chain(), jobs=[job], schedules=[gated]), fuse_chains=True)
    assert not [note for note in result.notes if "fuse" in note]
    document = workflow_template(documents)
    tasks = dag(document, "job-abc")  # the schedule's job's DAG
    assert set(tasks) == {"schedule-gate", "a-to-c"}
    assert tasks["a-to-c"]["depends"] == "schedule-gate"
    assert tasks["a-to-c"]["when"] == "{{tasks.schedule-gate.outputs.parameters.a-to-c}} == true"
    gate = templates(document)[tasks["schedule-gate"]["template"]]
    assert [p["name"] for p in gate["outputs"]["parameters"]] == ["a-to-c"]
    arguments = gate["container"]["args"]
    assert arguments[arguments.index("--task") + 1 : arguments.index("--task") + 3] == ["a-to-c", "a,b,c"]
    assert arguments[-2:] == ["--fused", "a-to-c"]


def test_assets_a_sampled_tick_selects_apart_are_not_fused_and_a_true_tag_is_refused() -> None:
    """Dagster runs only the asset_selection; a fused task would run the chain whole, so such pairs stay apart."""
    job = dg.define_asset_job("abc", selection=["a", "b", "c"], partitions_def=DAILY)

    @dg.schedule(job=job, cron_schedule="0 1 * * *", execution_timezone="Europe/Vienna")
    def mondays_only_c(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        partition = (context.scheduled_execution_time - timedelta(days=1)).strftime("%Y-%m-%d")
        if context.scheduled_execution_time.weekday() == 0:
            return dg.RunRequest(partition_key=partition, asset_selection=[dg.AssetKey("c")])
        return dg.RunRequest(partition_key=partition)

    result, documents = build(dg.Definitions(assets=chain(), jobs=[job], schedules=[mondays_only_c]), fuse_chains=True)
    tasks = dag(workflow_template(documents), "job-abc")
    assert set(tasks) == {"schedule-gate", "a-to-b", "c"}  # a and b still fuse: every tick selects both or neither
    assert tasks["c"]["when"] == "{{tasks.schedule-gate.outputs.parameters.c}} == true"
    [note] = [note for note in result.notes if "fused" in note]
    assert note.startswith("asset c is not fused with b: schedule mondays_only_c selects one without the other")
    assert "tick at 2027-02-08T01:00:00+01:00" in note  # the first Monday sampled (400 days after the start)
    tagged = {"tags": {"argo/fuse": "true"}}
    with pytest.raises(UnsupportedInputError, match=r"asset c is not fused with b: schedule mondays_only_c.*argo/fuse"):
        build(dg.Definitions(assets=chain(b=tagged, c=tagged), jobs=[job], schedules=[mondays_only_c]))
