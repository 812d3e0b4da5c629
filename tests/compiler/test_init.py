"""`python -m compiler init` writes a [tool.compiler] that `build` accepts, and `build` reports every settings
problem in one run: a new project needs one round trip, not seven. Real subprocesses, as a user runs them."""

import textwrap
import tomllib
from pathlib import Path

import pytest

from compiler.init_command import dns_label
from tests.compiler.support import run_compiler

PLAIN_PROJECT = """
import dagster as dg


@dg.asset
def numbers() -> None:
    return None


@dg.asset(deps=[numbers])
def total() -> None:
    return None


defs = dg.Definitions(assets=[numbers, total])
"""
# A file init must not touch: comments, odd spacing, no newline at the end, another [tool.*] table.
USER_PYPROJECT = (
    '[project]\nname = "My_Dagster.Project"\nversion = "0.3.1"\n\n# keep me\n[tool.dg]\ndirectory_type  =  "project"'
)


def _project(tmp_path: Path, pyproject: str | None = USER_PYPROJECT) -> Path:
    (tmp_path / "plain_defs.py").write_text(textwrap.dedent(PLAIN_PROJECT), encoding="utf-8")
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return tmp_path


def test_init_appends_a_section_that_builds(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = (project / "pyproject.toml").read_bytes()
    init = run_compiler("init", cwd=project)
    assert init.returncode == 0, init.stderr
    after = (project / "pyproject.toml").read_bytes()
    assert after.startswith(before)  # the rest of the file, byte for byte
    section = tomllib.loads(after.decode())["tool"]["compiler"]
    assert section == {
        "name": "my-dagster-project",
        "image": "my-dagster-project",
        "image_tag": "0.3.1",
        "namespace": "argo",
        "service_account": "my-dagster-project",
    }
    assert "# config_map" in after.decode()  # what a project may need later, as comments
    build = run_compiler("build", "--module", "plain_defs", "--out", "argo_out", cwd=project)
    assert build.returncode == 0, build.stderr
    assert (project / "argo_out" / "my-dagster-project.workflowtemplate.yaml").is_file()
    assert not list((project / "argo_out").glob("*.configmap.yaml"))  # no config keys: no ConfigMap needed


def test_init_never_overwrites_a_section(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.compiler.env]\nHOME = "/tmp"\n')
    before = (project / "pyproject.toml").read_bytes()
    init = run_compiler("init", cwd=project)
    assert init.returncode == 2
    assert init.stderr.strip().splitlines() == [
        "error: pyproject.toml already has a [tool.compiler] section; init never overwrites it: edit it by hand, or "
        "delete it and run init again"
    ]
    assert (project / "pyproject.toml").read_bytes() == before
    printed = run_compiler("init", "--print", cwd=project)  # shows what it would write, writes nothing
    assert printed.returncode == 0, printed.stderr
    assert tomllib.loads(printed.stdout)["tool"]["compiler"]["name"] == dns_label(project.name)
    assert (project / "pyproject.toml").read_bytes() == before


def test_init_without_a_pyproject_names_the_folder(tmp_path: Path) -> None:
    (tmp_path / "Sales_Reports").mkdir()
    project = _project(tmp_path / "Sales_Reports", pyproject=None)
    init = run_compiler("init", cwd=project)
    assert init.returncode == 0, init.stderr
    assert "from the folder's name" in init.stderr
    section = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["compiler"]
    assert section["name"] == "sales-reports"
    assert "image_tag" not in section
    build = run_compiler("build", "--module", "plain_defs", cwd=project)
    assert build.returncode == 0, build.stderr


def test_build_reports_every_settings_problem_at_once(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.compiler]\nconfig_keys = ["API_URL"]\nfuse_chains = "yes"\nbogus = 1\n')
    build = run_compiler("build", "--module", "plain_defs", cwd=project)
    assert build.returncode == 2
    assert build.stderr.strip().splitlines() == [
        "error: [tool.compiler] name is required (a DNS-1123 label, at most 40 characters)",
        "error: [tool.compiler] image is required (an image reference)",
        "error: [tool.compiler] namespace is required (a DNS-1123 label)",
        "error: [tool.compiler] service_account is required (a DNS-1123 subdomain)",
        "error: [tool.compiler] config_map is required (a DNS-1123 subdomain: the ConfigMap that config_keys are "
        "read from)",
        "error: [tool.compiler] fuse_chains = 'yes' is invalid: expected true or false",
        "error: [tool.compiler] unknown setting(s) bogus: remove them or fix the spelling (see compiler/README.md)",
        "note: `python -m compiler init --print` shows a complete [tool.compiler] with values inferred from the "
        "project",
    ]
    assert "Traceback" not in build.stderr


def test_config_table_without_config_map_names_the_table(tmp_path: Path) -> None:
    """`[tool.compiler.config]` alone sets config_keys implicitly: the error names the table the user wrote, not a
    key they never wrote (a new user's trial, compiling a create-dagster project with a new_object_sensor)."""
    section = '[tool.compiler]\nname = "p"\nimage = "p"\nnamespace = "argo"\nservice_account = "p"\n'
    project = _project(tmp_path, section + '\n[tool.compiler.config]\nAPI_URL = "http://api:80"\n')
    build = run_compiler("build", "--module", "plain_defs", cwd=project)
    assert build.returncode == 2
    assert build.stderr.strip().splitlines()[0] == (
        "error: [tool.compiler] config_map is required (a DNS-1123 subdomain: the ConfigMap that the keys of "
        "[tool.compiler.config] are read from)"
    )


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        (None, "error: settings file pyproject.toml not found: run `python -m compiler init` to write it with "
         "values inferred from the project, or pass --settings PATH to a pyproject.toml"),
        ('[project]\nname = "x"\n', "error: pyproject.toml has no [tool.compiler] section: run `python -m compiler "
         "init` to write it with values inferred from the project"),
    ],
)  # fmt: skip
def test_build_without_settings_says_to_run_init(tmp_path: Path, pyproject: str | None, expected: str) -> None:
    build = run_compiler("build", "--module", "plain_defs", cwd=_project(tmp_path, pyproject))
    assert (build.returncode, build.stderr.strip().splitlines()) == (2, [expected])


@pytest.mark.parametrize(
    ("name", "label"),
    [("my_project", "my-project"), ("My.Dagster__Project-", "my-dagster-project"), ("ü", ""), ("a" * 50, "a" * 40)],
)
def test_dns_label(name: str, label: str) -> None:
    assert dns_label(name) == label
