"""A project's own IO manager may keep values on the producing pod (Dagster's docs write one under the instance's
storage directory). Under Dagster's default executor every step shares that disk, so the handoff works; on Argo the
next pod has its own disk. The compiler cannot read where such an IO manager stores values, so `build` warns, naming
the IO manager and the assets that load through it, until `[tool.compiler] shared_io_managers` lists its key."""

import json
import os
import tempfile
from typing import Any

import dagster as dg

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from tests.compiler.support import demo_settings


class LocalJsonIOManager(dg.ConfigurableIOManager):
    """Writes each value as JSON under a directory of the producing machine's own disk."""

    base_dir: str = os.path.join(tempfile.gettempdir(), "values")

    def _path(self, context: Any) -> str:
        return os.path.join(self.base_dir, *context.asset_key.path)

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        os.makedirs(os.path.dirname(self._path(context)), exist_ok=True)
        with open(self._path(context), "w") as file:
            json.dump(obj, file)

    def load_input(self, context: dg.InputContext) -> Any:
        with open(self._path(context.upstream_output)) as file:
            return json.load(file)


@dg.asset
def readings() -> list[int]:
    return [3, 1, 2]


@dg.asset
def ordered(readings: list[int]) -> list[int]:
    return sorted(readings)


@dg.asset(deps=[ordered])
def report() -> None:  # `deps=`: nothing is loaded through the IO manager
    return None


DEFS = dg.Definitions(assets=[readings, ordered, report], resources={"io_manager": LocalJsonIOManager()})


def _warnings(**settings: Any) -> list[str]:
    result = compile_project(project_from_definitions("project", DEFS), demo_settings(**settings))
    return [w for w in result.warnings if w.startswith("IO manager")]


def test_dagster_hands_the_value_through_the_one_machines_disk(tmp_path: Any) -> None:
    resources = {"io_manager": LocalJsonIOManager(base_dir=str(tmp_path))}
    result = dg.materialize([readings, ordered, report], instance=dg.DagsterInstance.ephemeral(), resources=resources)
    assert result.success
    assert result.output_for_node("ordered") == [1, 2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ordered", "readings"]  # on this machine's disk only


def test_build_warns_naming_the_io_manager_and_the_asset_that_loads_through_it() -> None:
    [warning] = _warnings()
    assert warning.startswith("IO manager 'io_manager' (LocalJsonIOManager): asset ordered loads asset readings ")
    assert "report" not in warning  # deps= loads nothing
    assert 'add "io_manager" to [tool.compiler] shared_io_managers' in warning


def test_declaring_the_io_manager_shared_silences_the_warning() -> None:
    assert _warnings(shared_io_managers=["io_manager"]) == []


def test_a_project_without_value_handoffs_gets_no_warning() -> None:
    defs = dg.Definitions(assets=[readings], resources={"io_manager": LocalJsonIOManager()})
    result = compile_project(project_from_definitions("project", defs), demo_settings())
    assert not [w for w in result.warnings if w.startswith("IO manager")]
