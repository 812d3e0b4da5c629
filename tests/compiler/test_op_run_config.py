"""Issue 25, run config for op/graph jobs: the compiled YAML replayed by run-local runs each job with the config
Dagster gives the same run (a manual submit's `-p run_config`, a `@schedule`'s RunRequest(run_config=...) for the
tick, a job's ConfigMapping, its config= dict, its PartitionedConfig for the partition or the schedule's tick), in
both mappings: the whole job in one pod, and one pod per op (the IO manager declared shared), where every op's pod
builds the same config. Compared with Dagster executing the job in process with the same config: the same ops ran
with the same values and the IO manager stored the same outputs; invalid config ends the run with exit 2 and
Dagster's own error, running nothing, as Dagster runs nothing."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from tests.compiler.fidelity_support import REPO, build, run_local
from tests.compiler.projects.fidelity.record import runs
from tests.compiler.test_op_jobs import _stored

SHARED = 'shared_io_managers = ["io_manager"]'
TICK = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
# SCALE_FACTOR, which an EnvVar in a submitted config names, reaches the pods as a ConfigMap key, by name
MAPPINGS = {"one-pod": 'config_keys = ["SCALE_FACTOR"]', "per-op": f'{SHARED}\nconfig_keys = ["SCALE_FACTOR"]'}
MODULE = "tests.compiler.projects.fidelity.op_run_config"
UNREAD = "not read"  # run-local gives a pod a ConfigMap key from the variable of that name: set for every replay


@pytest.fixture(scope="module", params=sorted(MAPPINGS))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The fixture project compiled once per mapping; its pods record under <root>/argo-record."""
    root = tmp_path_factory.mktemp(request.param)
    result = build(root, "op_run_config", MAPPINGS[request.param])
    assert result.returncode == 0, result.stderr
    assert ("runs in one pod" in result.stderr) is (request.param == "one-pod")
    return request.param, root


def _dagster(record: Path, monkeypatch: pytest.MonkeyPatch, job: str, **execute: Any) -> dg.ExecuteInProcessResult:
    """Dagster's own answer: the job executed in process, its filesystem IO manager storing under `record`."""
    from tests.compiler.projects.fidelity import op_run_config as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    definition = project.defs.resolve_job_def(job)
    return definition.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, **execute)


def _tick_request(schedule: str) -> dg.RunRequest:
    """What Dagster's scheduler asks for at the tick (its run config resolved, as `evaluate_tick` resolves it)."""
    from tests.compiler.projects.fidelity import op_run_config as project

    definition = project.defs.resolve_schedule_def(schedule)
    with dg.build_schedule_context(scheduled_execution_time=TICK) as context:
        [request] = definition.evaluate_tick(context).run_requests or []
    return request


def _replay(root: Path, job: str, *args: str) -> str:
    """run-local of `job-<job>` from a clean record directory; its output, after asserting success."""
    shutil.rmtree(root / "argo-record", ignore_errors=True)
    replay = run_local(root, "--entrypoint", f"job-{job}", *args, SCALE_FACTOR=UNREAD)
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-4000:]
    return output


def _same_run(root: Path, direct_record: Path, direct: dg.ExecuteInProcessResult, output: str) -> None:
    assert direct.success
    assert runs(root / "argo-record") == runs(direct_record), output[-4000:]
    assert _stored(root / "argo-record") == _stored(direct_record), output[-4000:]


SUBMITTED: Mapping[str, Any] = {"ops": {"produce": {"config": {"factor": 5}}}}


@pytest.mark.parametrize("as_json", [True, False])
def test_a_manual_submit_gives_the_run_its_run_config(
    built: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    """`scaled`'s op has a Config without defaults: a launch's config (YAML or JSON) is the run's."""
    _mapping, root = built
    text = json.dumps(SUBMITTED) if as_json else yaml.safe_dump(dict(SUBMITTED))
    output = _replay(root, "scaled", "-p", f"run_config={text}")
    direct = _dagster(tmp_path / "dagster", monkeypatch, "scaled", run_config=SUBMITTED)
    _same_run(root, tmp_path / "dagster", direct, output)
    assert runs(tmp_path / "dagster") == ["produce [5, 10, 15]", "total 30"]


def test_an_env_var_in_the_config_resolves_in_the_pod(
    built: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`{"env": NAME}` stays a reference until the run processes its config in the pod: the value is in no
    manifest and no command line, and the ops see it as Dagster's run does."""
    _mapping, root = built
    value = "9173"
    config = {"ops": {"produce": {"config": {"factor": {"env": "SCALE_FACTOR"}}}}}
    shutil.rmtree(root / "argo-record", ignore_errors=True)
    replay = run_local(root, "--entrypoint", "job-scaled", "-p", f"run_config={json.dumps(config)}", SCALE_FACTOR=value)
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-4000:]
    monkeypatch.setenv("SCALE_FACTOR", value)
    direct = _dagster(tmp_path / "dagster", monkeypatch, "scaled", run_config=config)
    _same_run(root, tmp_path / "dagster", direct, output)
    assert runs(tmp_path / "dagster")[0] == "produce [9173, 18346, 27519]"
    assert value not in output
    assert all(value not in path.read_text(encoding="utf-8") for path in (root / "out").iterdir())


def test_an_execution_entry_is_validated_then_said_not_applied(
    built: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster's in-process execution ignores the `execution` entry too; the pod says it is not applied."""
    mapping, root = built
    config = {**SUBMITTED, "execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
    output = _replay(root, "scaled", "-p", f"run_config={json.dumps(config)}")
    direct = _dagster(tmp_path / "dagster", monkeypatch, "scaled", run_config=config)
    _same_run(root, tmp_path / "dagster", direct, output)
    # run-local shows a succeeded pod's output only when it fails: the pod's own command, run as the YAML gives it
    one_op = ("--op", "produce", "--run-id", "a-workflow-uid") if mapping == "per-op" else ()
    pod = subprocess.run(
        [
            *(sys.executable, "-m", "compiler", "materialize", "--module", MODULE),
            *("--job", "scaled", "--run-config", json.dumps(config), *one_op),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "FIDELITY_RECORD_DIR": str(tmp_path / "pod")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert pod.returncode == 0, pod.stdout[-3000:]
    assert "materialize: warning: run config execution not applied" in pod.stdout


def test_a_schedule_tick_gives_the_run_its_request_config(
    built: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The @schedule's RunRequest(run_config=...) for the tick (the factor is the tick's day) reaches the pod(s)."""
    _mapping, root = built
    tick = TICK.isoformat().replace("+00:00", "Z")
    output = _replay(root, "scaled", "--scheduled-time", tick, "-p", "schedule=scaled_nightly")
    request = _tick_request("scaled_nightly")
    direct = _dagster(tmp_path / "dagster", monkeypatch, "scaled", run_config=request.run_config)
    _same_run(root, tmp_path / "dagster", direct, output)


@pytest.mark.parametrize(
    ("job", "submitted"),
    [
        pytest.param("mapped", None, id="config-mapping-defaults"),
        pytest.param("mapped", {"times": 3}, id="config-mapping-submitted"),
        pytest.param("preset", None, id="config-dict"),
    ],
)
def test_a_jobs_config_applies_as_dagster_applies_it(
    built: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    job: str,
    submitted: Mapping[str, Any] | None,
) -> None:
    """A ConfigMapping maps the launch's outer config (or its defaults); a config= dict is the run's default."""
    _mapping, root = built
    args = ("-p", f"run_config={json.dumps(submitted)}") if submitted is not None else ()
    output = _replay(root, job, *args)
    direct = _dagster(tmp_path / "dagster", monkeypatch, job, **({"run_config": submitted} if submitted else {}))
    _same_run(root, tmp_path / "dagster", direct, output)


def test_partitioned_config_for_a_manual_partition(
    built: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _mapping, root = built
    output = _replay(root, "daily", "-p", "partition=2026-11-05")
    direct = _dagster(tmp_path / "dagster", monkeypatch, "daily", partition_key="2026-11-05")
    _same_run(root, tmp_path / "dagster", direct, output)
    assert runs(tmp_path / "dagster")[0] == "produce [5, 10, 15]"


def test_partitioned_config_for_the_schedules_tick(
    built: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build_schedule_from_partitioned_job: the tick's partition, and Dagster's config for it."""
    _mapping, root = built
    tick = TICK.isoformat().replace("+00:00", "Z")
    output = _replay(root, "daily", "--scheduled-time", tick, "-p", "schedule=daily_schedule")
    request = _tick_request("daily_schedule")
    direct = _dagster(
        tmp_path / "dagster",
        monkeypatch,
        "daily",
        run_config=request.run_config,
        partition_key=request.partition_key,
    )
    _same_run(root, tmp_path / "dagster", direct, output)


@pytest.mark.parametrize(
    "submitted",
    [
        pytest.param({"ops": {"produce": {"config": {"factor": "many"}}}}, id="wrong-type"),
        pytest.param(None, id="missing"),
    ],
)
def test_invalid_config_ends_the_run_with_dagsters_error(
    built: tuple[str, Path], tmp_path: Path, submitted: Mapping[str, Any] | None
) -> None:
    mapping, root = built
    shutil.rmtree(root / "argo-record", ignore_errors=True)
    args = ("-p", f"run_config={json.dumps(submitted)}") if submitted is not None else ()
    replay = run_local(root, "--entrypoint", "job-scaled", *args, SCALE_FACTOR=UNREAD)
    output = replay.stdout + replay.stderr
    assert replay.returncode != 0

    from tests.compiler.projects.fidelity import op_run_config as project

    with pytest.raises(dg.DagsterInvalidConfigError) as dagster_error:
        project.scaled.execute_in_process(run_config=submitted, instance=dg.DagsterInstance.ephemeral())
    [error] = dagster_error.value.errors
    assert " ".join(error.message.split()) in output  # Dagster's own words: which field, what type
    first = "produce" if mapping == "per-op" else "scaled"
    assert f"{first} exit 2" in output, output[-3000:]
    assert runs(root / "argo-record") == []  # nothing ran, as Dagster runs nothing


def test_the_workflow_template_offers_run_config_and_op_pods_pass_it(built: tuple[str, Path]) -> None:
    """Required config without a default is no refusal: the WorkflowTemplate has the `run_config` parameter, every
    op job pod passes it, and each names its job once (`--job`)."""
    _mapping, root = built
    document = yaml.safe_load((root / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    assert {"name": "run_config", "value": ""} in document["spec"]["arguments"]["parameters"]
    steps = [t for t in document["spec"]["templates"] if "container" in t]
    assert steps
    for step in steps:
        args = step["container"]["args"]
        assert args.count("--job") == 1, step["name"]
        assert args[args.index("--run-config") + 1] == "{{workflow.parameters.run_config}}"
