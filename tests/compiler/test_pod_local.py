"""Issue 25: assets handing values through pod-local IO managers (Dagster's default filesystem IO manager, an
in-memory IO manager) compile into one pod per connected component (compiler/builder/pod_local.py), and the compiled
YAML replayed by run-local runs what Dagster in process runs: the same asset bodies, computing the same values from
the values they loaded, the same failure ending the run."""

from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.exit_codes import INFRASTRUCTURE_RETRY_EXPRESSION
from tests.compiler.argo_schema import schema_errors
from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs

DEFAULT_IO = "Dagster's default filesystem IO manager"


def _template(tmp_path: Path) -> dict[str, Any]:
    document = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    return document


def _dag_tasks(document: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    [dag] = [t for t in document["spec"]["templates"] if t["name"] == name]
    return {task["name"]: task for task in dag["dag"]["tasks"]}


def _dagster_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, defs: dg.Definitions, **kwargs: Any) -> list[str]:
    record = tmp_path / "dagster-record"
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    assets = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    result = dg.materialize(
        assets,
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        **kwargs,
    )
    return [*runs(record), "success" if result.success else "failure"]


def test_a_chain_and_a_diamond_on_the_default_io_manager_run_in_one_pod_like_dagster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import pod_local as project

    built = build(tmp_path, "pod_local")
    assert built.returncode == 0, built.stderr
    [warning] = [line for line in built.stderr.splitlines() if "run together in one pod" in line]
    assert warning.startswith(
        f"warning: asset doubled: loads asset readings through IO manager 'io_manager' ({DEFAULT_IO})"
    )
    tasks = _dag_tasks(_template(tmp_path), "main")
    # audit (deps= on readings only) joins too: Dagster runs it whatever happens to doubled, so must the pod
    [task] = tasks.values()
    assert task["name"] == "readings-to-total"  # its first and last asset in the DAG's order
    [step] = [t for t in _template(tmp_path)["spec"]["templates"] if t["name"] == task["template"]]
    arguments = step["container"]["args"]
    assert "--fused" in arguments
    assert "--attempt" not in arguments
    [asset] = [p["value"] for p in task["arguments"]["parameters"] if p["name"] == "asset"]
    assert sorted(asset.split(",")) == sorted(["readings", "doubled", "total", "lowest", "highest", "spread", "audit"])

    replay = run_local(tmp_path)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    expected = _dagster_runs(tmp_path, monkeypatch, project.defs)
    assert expected[-1] == "success"
    assert "total=24" in expected
    assert "spread=2" in expected
    assert sorted([*runs(tmp_path / "argo-record"), "success"]) == sorted(expected)


def test_a_failing_middle_asset_ends_the_run_as_in_dagster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.compiler.projects.fidelity import pod_local as project

    for side in ("argo-record", "dagster-record"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "fail").write_text("doubled", encoding="utf-8")
    built = build(tmp_path, "pod_local")
    assert built.returncode == 0, built.stderr
    replay = run_local(tmp_path)
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert "doubled failed as the test asked" in replay.stdout + replay.stderr

    expected = _dagster_runs(tmp_path, monkeypatch, project.defs)
    assert expected[-1] == "failure"
    assert not any(line.startswith(("doubled=", "total=")) for line in expected)  # failed, and skipped after it
    assert "spread=2" in expected
    assert "audit=seen" in expected
    assert sorted([*runs(tmp_path / "argo-record"), "failure"]) == sorted(expected)


def test_a_partitioned_chain_in_memory_runs_one_partition_in_one_pod(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import pod_local_partitioned as project

    built = build(tmp_path, "pod_local_partitioned")
    assert built.returncode == 0, built.stderr
    assert "(an in-memory IO manager)" in built.stderr
    document = _template(tmp_path)
    assert (
        list(_dag_tasks(document, "main"))
        == list(_dag_tasks(document, "job-daily-job"))
        == ["day-readings-to-day-total"]
    )
    replay = run_local(tmp_path, "-p", "partition=2026-11-27")
    assert replay.returncode == 0, replay.stdout + replay.stderr

    expected = _dagster_runs(tmp_path, monkeypatch, project.defs, partition_key="2026-11-27")
    assert expected == ["day_readings[2026-11-27]=[27, 28]", "day_total[2026-11-27]=55", "success"]
    assert [*runs(tmp_path / "argo-record"), "success"] == expected


def test_a_static_fan_out_runs_each_keys_chain_in_one_pod_like_dagster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import pod_local_cities as project

    built = build(tmp_path, "pod_local_cities")
    assert built.returncode == 0, built.stderr
    document = _template(tmp_path)
    per_key = [t["name"] for t in document["spec"]["templates"] if "dag" in t and t["name"].startswith("main-")]
    [dag] = per_key
    assert list(_dag_tasks(document, dag)) == ["city-raw-to-city-clean", "rank"]
    replay = run_local(tmp_path)
    assert replay.returncode == 0, replay.stdout + replay.stderr

    for city in ("graz", "vienna"):  # Dagster: one run per key; the records accumulate
        assert _dagster_runs(tmp_path, monkeypatch, project.defs, partition_key=city)[-1] == "success"
    expected = runs(tmp_path / "dagster-record")
    assert "city_clean[vienna]=vienna:6" in expected
    assert sorted(runs(tmp_path / "argo-record")) == sorted(expected)


def _plan(*assets: Any, jobs: tuple[Any, ...] = (), **settings: Any) -> Any:
    from compiler.builder.load import project_from_definitions
    from compiler.builder.plan import make_plan
    from tests.compiler.support import demo_settings

    defs = dg.Definitions(assets=list(assets), jobs=list(jobs))
    return make_plan(project_from_definitions("p", defs), demo_settings(**settings))


def test_a_job_running_the_reader_without_its_upstream_is_refused_naming_both() -> None:
    from compiler.errors import UnsupportedInputError
    from tests.compiler.projects.fidelity import pod_local as project

    only_total = dg.define_asset_job("only_total", selection=[project.total])
    with pytest.raises(UnsupportedInputError) as error:
        _plan(project.readings, project.doubled, project.total, jobs=(only_total,))
    message = str(error.value)
    assert message.startswith(f"asset total: loads asset doubled through IO manager 'io_manager' ({DEFAULT_IO})")
    assert "DAG job-only-total runs total without doubled" in message
    assert "S3PickleIOManager" in message  # what to use instead


def test_a_component_one_pod_cannot_honour_is_refused_with_the_reason() -> None:
    from compiler.errors import UnsupportedInputError

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2026-11-01"))
    def daily() -> int:
        return 1

    @dg.asset(partitions_def=dg.WeeklyPartitionsDefinition(start_date="2026-11-01"))
    def weekly(daily: dict[str, int]) -> int:
        return sum(daily.values())

    with pytest.raises(UnsupportedInputError) as error:
        _plan(daily, weekly)
    assert str(error.value).startswith("asset weekly: loads asset daily through IO manager 'io_manager'")
    assert "which they cannot: their partitions definitions differ" in str(error.value)

    @dg.asset
    def settings() -> int:
        return 1

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2026-11-01"))
    def scaled(settings: int) -> int:
        return settings

    with pytest.raises(UnsupportedInputError) as error:
        _plan(settings, scaled)
    assert "must run in one pod, which they cannot: their partitions definitions differ" in str(error.value)


def test_a_retry_policy_inside_the_pod_is_applied_by_dagster_as_on_one_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import pod_local_retry as project

    built = build(tmp_path, "pod_local_retry")
    assert built.returncode == 0, built.stderr
    document = _template(tmp_path)
    [task] = _dag_tasks(document, "main").values()
    [step] = [t for t in document["spec"]["templates"] if t["name"] == task["template"]]
    assert "--dagster-retries" in step["container"]["args"]
    assert step["retryStrategy"]["expression"] == INFRASTRUCTURE_RETRY_EXPRESSION  # Argo: not after a failure
    replay = run_local(tmp_path)
    assert replay.returncode == 0, replay.stdout + replay.stderr

    expected = _dagster_runs(tmp_path, monkeypatch, project.defs)
    assert expected == ["first=1", "flaky attempt 1", "flaky attempt 2", "last=3", "success"]
    assert [*runs(tmp_path / "argo-record"), "success"] == expected


def test_components_depend_on_each_other_by_their_own_tasks_in_every_dag() -> None:
    @dg.asset
    def a() -> int:
        return 1

    @dg.asset
    def b(a: int) -> int:
        return a

    @dg.asset(deps=[b])
    def c() -> int:
        return 1

    @dg.asset
    def d(c: int) -> int:
        return c

    only_cd = dg.define_asset_job("only_cd", selection=[c, d])
    plan = _plan(a, b, c, d, jobs=(only_cd,))
    dags = {dag.name: [(task.name, task.asset, task.depends) for task in dag.tasks] for dag in plan.dags}
    assert dags["main"] == [("a-to-b", "a,b", ()), ("c-to-d", "c,d", ("a-to-b",))]
    assert dags["job-only-cd"] == [("c-to-d", "c,d", ())]  # c's upstream b is not this job's: c waits for nothing
    assert len(plan.pod_local_warnings) == 2  # one per component


def test_components_of_different_pods_get_step_templates_of_their_own() -> None:
    """main joins a, b, c; a job of a and b only joins those two: two pods of different deadlines, two templates."""

    @dg.asset
    def a() -> int:
        return 1

    @dg.asset
    def b(a: int) -> int:
        return a

    @dg.asset
    def c(b: int) -> int:
        return b

    plan = _plan(a, b, c, jobs=(dg.define_asset_job("only_ab", selection=[a, b]),))
    templates = {task.name: task.template for dag in plan.dags for task in dag.tasks}
    steps = {step.name: step for step in plan.steps}
    assert steps[templates["a-to-c"]].active_deadline_seconds > steps[templates["a-to-b"]].active_deadline_seconds


def test_step_fusion_never_fuses_a_component_further() -> None:
    """A fused task's retry resumes part-way in a new pod, which would hold none of the component's values."""

    @dg.asset
    def a() -> int:
        return 1

    @dg.asset
    def b(a: int) -> int:
        return a

    @dg.asset(deps=[b])
    def c() -> None:
        return None

    @dg.asset(deps=[c])
    def d() -> None:
        return None

    plan = _plan(a, b, c, d, fuse_chains=True)
    [main] = [dag for dag in plan.dags if dag.name == "main"]
    assert [(task.name, task.asset) for task in main.tasks] == [("a-to-b", "a,b"), ("c-to-d", "c,d")]
    steps = {step.name: step for step in plan.steps}
    assert steps[main.tasks[0].template].together
    assert not steps[main.tasks[1].template].together  # c and d: step fusion, resuming as it does


def test_deps_only_and_shared_io_managers_keep_one_task_per_asset() -> None:
    @dg.asset
    def first() -> int:
        return 1

    @dg.asset(deps=[first])
    def second() -> None:
        return None

    plan = _plan(first, second)
    assert plan.pod_local_warnings == ()
    assert [task.name for dag in plan.dags for task in dag.tasks] == ["first", "second"]


def test_reading_another_partition_through_pod_local_storage_is_refused() -> None:
    """Yesterday's partition was stored by yesterday's run, on a pod that is gone: no one pod holds it."""
    from compiler.errors import UnsupportedInputError

    daily = dg.DailyPartitionsDefinition(start_date="2026-11-01")

    @dg.asset(partitions_def=daily)
    def events() -> int:
        return 1

    yesterday = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)

    @dg.asset(partitions_def=daily, ins={"events": dg.AssetIn(partition_mapping=yesterday)})
    def yesterday_stats(events: int) -> int:
        return events

    with pytest.raises(UnsupportedInputError) as error:
        _plan(events, yesterday_stats)
    assert str(error.value).startswith("asset yesterday_stats: loads asset events through IO manager 'io_manager'")
    assert "yesterday_stats reads other partitions of events than the one its run materializes" in str(error.value)


def test_dynamic_partitions_fanned_out_per_asset_are_refused_by_name_without_a_crash() -> None:
    """Each dynamic asset's step fans out over the keys its planning task lists: one pod cannot run two fan-outs."""
    from compiler.errors import UnsupportedInputError
    from tests.compiler.test_dynamic_partitions_compile import INSTANCE

    files = dg.DynamicPartitionsDefinition(name="files")

    @dg.asset(partitions_def=files)
    def parsed() -> int:
        return 1

    @dg.asset(partitions_def=files)
    def counted(parsed: int) -> int:
        return parsed

    with pytest.raises(UnsupportedInputError) as error:
        _plan(parsed, counted, instance=INSTANCE)
    assert str(error.value).startswith("asset counted: loads asset parsed through IO manager 'io_manager'")
    assert "task counted runs once per partition a planning task lists (withParam)" in str(error.value)
