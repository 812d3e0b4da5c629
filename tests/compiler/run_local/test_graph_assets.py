"""Graph-backed assets compiled and replayed: each graph is one task running all its ops in process, and the
replay materializes the keys Dagster materializes in process, with the same values."""

from pathlib import Path

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.replay_support import (
    asset_argument,
    build,
    dag_tasks,
    in_process,
    load_yaml,
    run_local,
    written_keys,
)

MODULE = "tests.compiler.projects.graph_assets"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("graph")
    result = build(MODULE, root)
    assert result.returncode == 0, result.stderr
    return root / "out" / "shapes.workflowtemplate.yaml", result.stderr


def test_one_task_per_graph(built: tuple[Path, str]) -> None:
    template, stderr = built
    document = load_yaml(template)
    assert schema_errors(document) == []
    main = dag_tasks(document, "main")
    assert set(main) == {"base", "combined", "scale", "bounds", "report"}
    assert main["combined"]["depends"] == "base"
    assert main["scale"]["depends"] == "combined"
    assert asset_argument(main["bounds"]) == "high,low"
    assert main["report"]["depends"] == "bounds && combined"
    # the op's RetryPolicy becomes the graph task's, with the documented difference printed once
    [step] = [t for t in document["spec"]["templates"] if t["name"] == main["combined"]["template"]]
    assert step["retryStrategy"]["limit"] == "2"
    assert "asset combined: graph combined runs in one pod, so a failed attempt reruns all 2 ops" in stderr


def test_replay_materializes_what_dagster_does(built: tuple[Path, str], tmp_path: Path) -> None:
    replay = run_local(built[0], tmp_path / "replay")
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    keys = in_process(MODULE, tmp_path / "direct")
    assert written_keys(tmp_path / "replay") == written_keys(tmp_path / "direct") == keys
    assert keys == {"base", "combined", "scale", "low", "high", "report"}
    for key in keys:  # the same values (the IO manager's pickles of ints and strings), not only the same keys
        assert (tmp_path / "replay" / key).read_bytes() == (tmp_path / "direct" / key).read_bytes(), key


def test_graph_ops_with_different_retry_policies_are_refused() -> None:
    @dg.op(retry_policy=dg.RetryPolicy(max_retries=1))
    def first() -> int:
        return 1

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=3))
    def second(value: int) -> int:
        return value

    @dg.graph_asset
    def mixed() -> int:
        return second(first())

    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("p", dg.Definitions(assets=[mixed]))
    assert "asset mixed: graph mixed has ops with different RetryPolicy (first, second)" in str(error.value)
