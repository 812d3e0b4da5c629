"""dagster-argo's wheel: only the `compiler` package (with its templates), and exactly the dependencies it imports.

The wheel is built here as `make dist` builds it. Its Requires-Dist must name the distributions of every third-party
module `compiler` imports (found with `ast` over the source, mapped to distributions by importlib.metadata), no
more, plus tzdata (zone data for zoneinfo); optional imports sit in extras. Every requirement must admit the
version this repository's lock pins, so the compiler installs beside the same Dagster release.
"""

import ast
import importlib.metadata
import re
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.compiler.distribution import SOURCE, build_wheel
from tests.compiler.support import REPO

PACKAGE = SOURCE / "compiler"
DATA_ONLY = {"tzdata"}  # no import: zoneinfo reads its files when the image has no system time-zone database
# imported only where their feature is used: validate's k8s checks, new_object_sensor / run-events listing a store,
# the shared PostgreSQL instance's bounded waits
EXTRAS_BY_IMPORT = {"kubernetes_validate": "validate", "minio": "events", "psycopg2": "postgres"}
FOREIGN_TOP_LEVEL = ("assets/", "devservices/", "benchmarks/", "tests/", "tools/")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_wheel_holds_compiler_and_its_templates_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"compiler", "dagster_argo-0.1.0.dist-info"}
    assert not [name for name in names if name.startswith(FOREIGN_TOP_LEVEL)]
    sources = {path.relative_to(SOURCE).as_posix() for path in PACKAGE.rglob("*.py")}
    templates = {path.relative_to(SOURCE).as_posix() for path in (PACKAGE / "builder" / "templates").glob("*.j2")}
    assert templates, "no jinja2 templates found in the source"
    assert sources | templates <= set(names), sorted((sources | templates) - set(names))
    assert "compiler/README.md" in names  # the guide `python -m compiler init` points to


def _imported_top_level() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "compiler"}


def _requirements(wheel: Path) -> list[Requirement]:
    metadata = zipfile.ZipFile(wheel).read("dagster_argo-0.1.0.dist-info/METADATA").decode()
    lines = metadata.splitlines()
    return [Requirement(line.split(":", 1)[1].strip()) for line in lines if line.startswith("Requires-Dist:")]


def test_the_dependencies_are_what_compiler_imports(wheel: Path) -> None:
    requirements = _requirements(wheel)
    core = {_normal(r.name) for r in requirements if r.marker is None}
    extras = {_normal(r.name): str(r.marker) for r in requirements if r.marker is not None}
    distributions = importlib.metadata.packages_distributions()
    imported = _imported_top_level()
    needed = {_normal(distributions[name][0]) for name in imported if name not in EXTRAS_BY_IMPORT}
    assert core == needed | DATA_ONLY, f"imports need {sorted(needed)}, the wheel requires {sorted(core)}"
    for module, extra in EXTRAS_BY_IMPORT.items():
        assert f'extra == "{extra}"' in extras[_normal(distributions[module][0])]
    # [postgres]: dagster-postgres is named by the pods' dagster.yaml, not imported (compiler/materialize/instance.py)
    assert {"dagster-postgres", "psycopg2-binary"} <= set(extras)


def test_every_requirement_admits_the_locked_version(wheel: Path) -> None:
    locked = {
        _normal(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (REPO / "requirements.lock").read_text(), re.M)
    }
    for requirement in _requirements(wheel):
        version = locked[_normal(requirement.name)]
        assert requirement.specifier.contains(version), f"{requirement} excludes the locked {version}"
        assert requirement.specifier, f"{requirement.name} is unbounded"
