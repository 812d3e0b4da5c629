"""`build` finds the code location as Dagster does, and its pods load the same one.

Each project is written to a temporary folder and compiled by the real CLI run from that folder, with no location
flag unless the case is about the flags. What the manifests run is compared with Dagster's own answer: the
materializable asset keys of the definitions Dagster loads (`@dg.definitions` called as Dagster calls it).
"""

import importlib
import os
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest
import yaml

from tests.compiler.support import REPO, compiler_process

SETTINGS = """
[tool.compiler]
name = "lab"
image = "registry.example/lab"
namespace = "argo"
service_account = "lab"
config_map = "lab-config"
"""
DEFS_FOLDER_ASSETS = """
import dagster as dg


@dg.asset
def sightings() -> int:
    return 3


@dg.asset(deps=[sightings])
def sightings_report() -> None:
    pass
"""
DEFINITIONS_PY = """
from pathlib import Path

from dagster import definitions, load_from_defs_folder


@definitions
def defs():
    return load_from_defs_folder(path_within_project=Path(__file__).parent)
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def build(root: Path, *flags: str, pythonpath: str = "") -> "tuple[int, str, dict[str, object]]":
    """(exit code, stderr, the WorkflowTemplate) of `python -m compiler build FLAGS` run in `root`."""
    paths = os.pathsep.join(p for p in (pythonpath, str(REPO)) if p)
    done = compiler_process(["build", *flags], root, {**os.environ, "PYTHONPATH": paths})
    out = root / "argo_out" / "lab.workflowtemplate.yaml"
    template = yaml.safe_load(out.read_text(encoding="utf-8")) if done.returncode == 0 else {}
    return done.returncode, done.stderr, template


def compiled_assets(template: dict[str, object]) -> set[str]:
    spec = template["spec"]
    assert isinstance(spec, dict)
    [main] = [t for t in spec["templates"] if t["name"] == "main"]
    return {
        p["value"] for task in main["dag"]["tasks"] for p in task["arguments"]["parameters"] if p["name"] == "asset"
    }


def step_args(template: dict[str, object]) -> list[str]:
    spec = template["spec"]
    assert isinstance(spec, dict)
    [step] = [t for t in spec["templates"] if t["name"] == "materialize"]
    return list(step["container"]["args"])


def dagster_assets(module: str, path: Path, attribute: str = "defs") -> set[str]:
    """Dagster's answer: the module imported as `dagster dev` would, its definitions' materializable keys."""
    sys.path.insert(0, str(path))
    try:
        target = getattr(importlib.import_module(module), attribute)
        defs = target if isinstance(target, dg.Definitions) else target()  # @dg.definitions: called without context
        return {key.to_user_string() for key in defs.resolve_asset_graph().materializable_asset_keys}
    finally:
        sys.path.remove(str(path))
        for name in [m for m in sys.modules if m == module.split(".")[0] or m.startswith(module.split(".")[0] + ".")]:
            del sys.modules[name]


def test_a_dg_project_is_found_from_tool_dg_project_and_its_definitions_function(tmp_path: Path) -> None:
    """create-dagster's layout: src/<root_module>/definitions.py with @dg.definitions + load_from_defs_folder."""
    write(
        tmp_path,
        {
            "pyproject.toml": SETTINGS + '\n[tool.dg]\ndirectory_type = "project"\n\n[tool.dg.project]\n'
            'root_module = "birdlab"\n',
            "src/birdlab/__init__.py": "",
            "src/birdlab/definitions.py": DEFINITIONS_PY,
            "src/birdlab/defs/__init__.py": "",
            "src/birdlab/defs/sightings.py": DEFS_FOLDER_ASSETS,
        },
    )
    code, stderr, template = build(tmp_path, pythonpath=str(tmp_path / "src"))  # src/ on the path: installed
    assert code == 0, stderr
    assert "found 0" not in stderr
    assert compiled_assets(template) == dagster_assets("birdlab.definitions", tmp_path / "src")
    assert step_args(template)[:2] == ["--module", "birdlab.definitions"]  # <root_module>.definitions, as dg


def test_tool_dagster_module_name_and_definitions_merge(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": SETTINGS + '\n[tool.dagster]\nmodule_name = "merged"\ncode_location_name = "m"\n',
            "merged.py": """
                import dagster as dg


                @dg.asset
                def left() -> int:
                    return 1


                @dg.asset(deps=[left])
                def right() -> None:
                    pass


                defs = dg.Definitions.merge(dg.Definitions(assets=[left]), dg.Definitions(assets=[right]))
            """,
        },
    )
    code, stderr, template = build(tmp_path, pythonpath=str(tmp_path))
    assert code == 0, stderr
    assert compiled_assets(template) == dagster_assets("merged", tmp_path) == {"left", "right"}


def test_a_workspace_with_two_locations_asks_which_and_location_picks_one(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": SETTINGS,
            "workspace.yaml": """
                load_from:
                  - python_module: {module_name: first_location, location_name: first}
                  - python_module: {module_name: second_location, location_name: second, attribute: defs}
            """,
            "first_location.py": "import dagster as dg\n\n\n@dg.asset\ndef one() -> int:\n    return 1\n\n\n"
            "defs = dg.Definitions(assets=[one])\n",
            "second_location.py": "import dagster as dg\n\n\n@dg.asset\ndef two() -> int:\n    return 2\n\n\n"
            "defs = dg.Definitions(assets=[two])\n",
        },
    )
    code, stderr, _ = build(tmp_path, pythonpath=str(tmp_path))
    assert code == 2
    assert stderr == (
        "error: workspace.yaml has 2 code locations (first, second): pass -l/--location NAME to compile one; "
        "compile each with its own --settings and --out\n"
    )
    code, stderr, template = build(tmp_path, "-l", "second", pythonpath=str(tmp_path))
    assert code == 0, stderr
    assert compiled_assets(template) == dagster_assets("second_location", tmp_path) == {"two"}
    assert step_args(template)[:4] == ["--module", "second_location", "--attribute", "defs"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("-a", "defs"), "error: -a/--attribute and -d/--working-directory need -m MODULE or -f FILE\n"),
        (("-f", "../elsewhere.py"), "is outside the project root"),
        (("-m", "no_such_module_anywhere"), "error: cannot import module 'no_such_module_anywhere': "),
        (("-m", "two_defs"), "Cannot have more than one Definitions object defined at module scope"),
    ],
)
def test_location_errors_are_one_line_and_exit_2(tmp_path: Path, flags: tuple[str, ...], message: str) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": SETTINGS,
            "two_defs.py": "import dagster as dg\n\na = dg.Definitions()\nb = dg.Definitions()\n",
        },
    )
    code, stderr, _ = build(tmp_path, *flags, pythonpath=str(tmp_path))
    assert code == 2
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
