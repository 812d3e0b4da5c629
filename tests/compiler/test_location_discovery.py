"""`discovered_targets` gives Dagster's own `loadable_targets_from_loaded_module` answer (or error) for every shape
of module, without importing `dagster._utils.test` for the common ones; `build` of the flagship never imports it."""

import subprocess
import sys
import textwrap
import types

import pytest
from dagster._core.workspace.autodiscovery import loadable_targets_from_loaded_module

from compiler.location_loading import discovered_targets
from tests.compiler.support import REPO

HEADER = "import dagster as dg\n\n@dg.asset\ndef a() -> int:\n    return 1\n\n@dg.op\ndef o() -> None:\n    pass\n\n"
MODULES = {
    "one Definitions": "defs = dg.Definitions(assets=[a])",
    "one @definitions function": "@dg.definitions\ndef defs():\n    return dg.Definitions(assets=[a])",
    "a function beside a Definitions": (
        "plain = dg.Definitions(assets=[a])\n@dg.definitions\ndef defs():\n    return dg.Definitions(assets=[a])"
    ),
    "two Definitions": "one = dg.Definitions(assets=[a])\ntwo = dg.Definitions(assets=[a])",
    "two @definitions functions": (
        "@dg.definitions\ndef one():\n    return dg.Definitions()\n"
        "@dg.definitions\ndef two():\n    return dg.Definitions()"
    ),
    "one job": "@dg.job\ndef only_job() -> None:\n    o()",
    "one graph": "@dg.graph\ndef only_graph() -> None:\n    o()",
    "assets only": "",
    "nothing": "del a, o",
}


def _module(name: str, body: str) -> types.ModuleType:
    module = types.ModuleType(f"discovery_{name.replace(' ', '_').replace('@', '')}")
    exec(compile(HEADER + textwrap.dedent(body), module.__name__, "exec"), module.__dict__)  # noqa: S102
    return module


def _answer(module: types.ModuleType, find: object) -> object:
    try:
        targets = find(module)  # type: ignore[operator]
    except Exception as error:  # Dagster's error is part of its answer
        return (type(error), str(error))
    return [(target.attribute, _identity(target.target_definition)) for target in targets]


def _identity(definition: object) -> object:
    """A module of assets is a fresh list of fresh definitions each call: compare their keys; anything else is the
    module's own object."""
    if isinstance(definition, list):
        return sorted(key.to_user_string() for item in definition for key in item.keys)
    return id(definition)


@pytest.mark.parametrize("shape", sorted(MODULES))
def test_discovered_targets_match_dagsters_discovery(shape: str) -> None:
    module = _module(shape, MODULES[shape])
    assert _answer(module, discovered_targets) == _answer(module, loadable_targets_from_loaded_module)


def test_build_does_not_import_dagsters_test_utilities() -> None:
    """The flagship's location is one Definitions object: `dagster._utils.test` (SQLite storage, alembic) stays out."""
    probe = (
        "import sys\nfrom compiler.cli import main\nsys.argv = ['compiler', 'build', '--check']\ncode = main()\n"
        "print(code, 'dagster._utils.test' in sys.modules, 'alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.stdout.split() == ["0", "False", "False"], done.stderr
