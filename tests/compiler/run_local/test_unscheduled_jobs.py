"""No job is dropped: every asset job, scheduled or not, is a `job-<name>` DAG of the WorkflowTemplate with its
selection and its own executor limit, and replaying that entrypoint materializes what Dagster's in-process run of
the job does, storing the same values."""

from pathlib import Path

import pytest

from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.replay_support import build, dag_tasks, in_process, load_yaml, run_local, written_keys

MODULE = "tests.compiler.projects.unscheduled_jobs"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jobs")
    result = build(MODULE, root)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    return root / "out"


def test_every_job_has_its_dag(built: Path) -> None:
    document = load_yaml(built / "shapes.workflowtemplate.yaml")
    assert schema_errors(document) == []
    assert set(dag_tasks(document, "job-totals")) == {"numbers", "total"}  # the external input has no task
    assert set(dag_tasks(document, "job-one-at-a-time")) == {"numbers", "total", "unrelated"}
    assert set(dag_tasks(document, "job-nightly")) == {"unrelated"}
    limits = {t["name"]: t.get("parallelism") for t in document["spec"]["templates"] if "dag" in t}
    assert limits == {"main": None, "job-nightly": None, "job-one-at-a-time": 1, "job-totals": None}
    cron = load_yaml(built / "shapes-nightly-schedule.cronworkflow.yaml")
    assert cron["spec"]["workflowSpec"]["entrypoint"] == "job-nightly"


@pytest.mark.parametrize(("entrypoint", "job"), [("job-totals", "totals"), ("job-one-at-a-time", "one_at_a_time")])
def test_replaying_an_unscheduled_job_matches_dagster(built: Path, tmp_path: Path, entrypoint: str, job: str) -> None:
    replay_dir, direct_dir = tmp_path / "replay", tmp_path / "direct"
    replay = run_local(built / "shapes.workflowtemplate.yaml", replay_dir, "--entrypoint", entrypoint)
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = in_process(MODULE, direct_dir, job)
    assert written_keys(replay_dir) == written_keys(direct_dir) == direct
    for key in direct:  # the same values stored (pickles of the same objects)
        assert (replay_dir / key).read_bytes() == (direct_dir / key).read_bytes(), key
