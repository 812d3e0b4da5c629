"""An observable source asset is an input only, like an external asset: no task runs its observation (Dagster never
runs it while materializing either), a `warning:` names it, and replaying `main` materializes what Dagster's own
run of every asset does, storing the same values. A job selecting it explicitly is refused: Dagster's run of that
job would observe it."""

from pathlib import Path

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.projects import observable_source
from tests.compiler.run_local.replay_support import build, dag_tasks, in_process, load_yaml, run_local, written_keys

MODULE = "tests.compiler.projects.observable_source"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("observable")
    result = build(MODULE, root)
    assert result.returncode == 0, result.stderr
    return root / "out", result.stderr


def test_the_source_has_no_task_and_a_warning_names_it(built: tuple[Path, str]) -> None:
    out, stderr = built
    document = load_yaml(out / "shapes.workflowtemplate.yaml")
    assert set(dag_tasks(document, "main")) == {"cleaned", "summary"}
    assert "warning: asset raw_file: an observable source asset is an input only" in stderr


def test_replaying_main_matches_dagster(built: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = built
    replay_dir, direct_dir = tmp_path / "replay", tmp_path / "direct"
    replay = run_local(out / "shapes.workflowtemplate.yaml", replay_dir)
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = in_process(MODULE, direct_dir)
    assert direct == {"cleaned", "summary"}  # Dagster materializes both and observes nothing
    assert written_keys(replay_dir) == written_keys(direct_dir) == direct
    for key in direct:
        assert (replay_dir / key).read_bytes() == (direct_dir / key).read_bytes(), key


def test_a_job_selecting_the_source_is_refused_naming_both() -> None:
    job = dg.define_asset_job("observe_and_clean", selection=["raw_file", "cleaned"])
    defs = dg.Definitions(assets=[observable_source.raw_file, observable_source.cleaned], jobs=[job])
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", defs)
    assert str(error.value).startswith("job observe_and_clean: selects observable source asset raw_file")
