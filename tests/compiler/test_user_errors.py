"""Every user error of the CLI is one line and exit 2, naming what is wrong and what to do; `--debug` adds the trace.

Each case runs the real command in a subprocess and asserts its whole stderr, so a stray traceback or a second line
fails the test.
"""

import shutil
from pathlib import Path

import pytest

from tests.compiler.support import REPO, run_compiler

# build finds the location as Dagster does: [tool.dg.project] code_location_target_module of pyproject.toml
CITY_ERROR = (
    "error: module 'assets.definitions' failed to import: city 'vienna': timezone 'Europe/Viena' is not an IANA "
    "time zone (for example 'Europe/Vienna') (CitySettingError; --debug shows where)\n"
)


@pytest.fixture
def misspelt_zone(tmp_path: Path) -> Path:
    """A copy of this project whose assets/city.py names a time zone that does not exist."""
    shutil.copytree(REPO / "assets", tmp_path / "assets", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "workspace.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    city = tmp_path / "assets" / "city.py"
    source = city.read_text(encoding="utf-8")
    assert 'timezone="Europe/Vienna")' in source
    city.write_text(source.replace('timezone="Europe/Vienna")', 'timezone="Europe/Viena")'), encoding="utf-8")
    return tmp_path


def test_a_misspelt_city_time_zone_is_one_line_and_exit_2(misspelt_zone: Path) -> None:
    result = run_compiler("build", cwd=misspelt_zone)
    assert (result.returncode, result.stderr) == (2, CITY_ERROR)
    assert not (misspelt_zone / "argo_out").exists()


def test_debug_adds_the_traceback(misspelt_zone: Path) -> None:
    result = run_compiler("build", "--debug", cwd=misspelt_zone)
    assert result.returncode == 2
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert 'assets/city.py", line' in result.stderr  # the trace reaches the user's own setting
    assert result.stderr.endswith(CITY_ERROR)


def test_materialize_with_a_misspelt_zone_is_a_usage_error_argo_does_not_retry(misspelt_zone: Path) -> None:
    result = run_compiler("materialize", "--module", "assets", "--asset", "openaq/raw_measurements", cwd=misspelt_zone)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith(
        "materialize: bad usage: module 'assets' failed to import: city 'vienna': timezone 'Europe/Viena' is not "
        "an IANA"
    )


def test_build_out_pointing_at_a_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    for extra in ([], ["--check"]):
        result = run_compiler("build", "--out", str(target), *extra, cwd=REPO)
        assert (result.returncode, result.stderr) == (
            2,
            f"error: --out {target} is a file, not a directory: pass a directory\n",
        )
    assert target.read_text(encoding="utf-8") == "mine"


def test_settings_that_are_not_toml(tmp_path: Path) -> None:
    settings = tmp_path / "pyproject.toml"
    settings.write_text("[tool.compiler\nname = 1\n", encoding="utf-8")
    result = run_compiler("build", "--settings", str(settings), cwd=REPO)
    assert (result.returncode, result.stderr) == (
        2,
        f"error: {settings} is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 15)\n",
    )


def test_validate_and_run_local_refuse_a_file_that_is_not_text(tmp_path: Path) -> None:
    binary = tmp_path / "image.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    result = run_compiler("validate", str(binary), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, f"error: {binary}: not UTF-8 text; pass YAML manifests\n")
    result = run_compiler("run-local", str(binary), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        f"run-local: error: {binary}: not UTF-8 text; pass a generated WorkflowTemplate or Workflow YAML\n",
    )


def test_an_unwritable_output_directory(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("", encoding="utf-8")
    result = run_compiler("build", "--out", str(blocked / "argo_out"), cwd=REPO)
    # the last line is the error; the flagship's new_object_sensor warnings come before it
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"error: Not a directory: {blocked / 'argo_out'}"
    assert all(line.startswith(("warning: ", "error: ")) for line in result.stderr.splitlines())


def test_validate_a_directory(tmp_path: Path) -> None:
    result = run_compiler("validate", str(tmp_path), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        f"error: {tmp_path} is a directory: pass manifest files (e.g. {tmp_path}/*.yaml)\n",
    )


def test_yaml_errors_are_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n", encoding="utf-8")
    detail = 'not valid YAML: while parsing a flow node did not find expected node content in "<unicode string>", '
    validated = run_compiler("validate", str(broken), cwd=tmp_path)
    assert (validated.returncode, validated.stderr) == (1, f"invalid: {broken}: {detail}line 2, column 1\n")
    replayed = run_compiler("run-local", str(broken), cwd=tmp_path)
    assert (replayed.returncode, replayed.stderr) == (
        2,
        f"run-local: error: cannot read manifest {broken}: {broken}: {detail}line 2, column 1\n",
    )
