"""`materialize --run-config`: what a manual submit's `run_config` parameter does in the pod, one process each."""

import pickle
from pathlib import Path

from compiler import exit_codes
from tests.compiler.run_local.replay_support import compiler, shapes_env

MODULE = "tests.compiler.projects.run_config"


def _materialize(directory: Path, asset: str, *extra: str) -> tuple[int, str]:
    arguments = ["materialize", "--module", MODULE, "--asset", asset, "--job", "plain", *extra]
    result = compiler(arguments, shapes_env(directory))
    return result.returncode, result.stdout + result.stderr


def test_bad_yaml_is_one_line_naming_the_parameter(tmp_path: Path) -> None:
    code, output = _materialize(tmp_path, "numbers", "--run-config", "ops: {scaled: [")
    assert code == exit_codes.USAGE
    last = output.strip().splitlines()[-1]
    assert last.startswith("materialize: bad usage: run_config is neither YAML nor JSON")
    assert "Traceback" not in output


def test_a_list_is_not_a_run_config(tmp_path: Path) -> None:
    code, output = _materialize(tmp_path, "numbers", "--run-config", "[1, 2]")
    assert code == exit_codes.USAGE
    assert "run_config must be a mapping (ops:, resources:), not a list" in output


def test_execution_config_is_not_applied_and_says_so(tmp_path: Path) -> None:
    """The pod runs its one asset in process with Argo owning retries: the job's executor config has no place."""
    config = (
        '{"execution": {"config": {"multiprocess": {"max_concurrent": 1}}}, '
        '"ops": {"scaled": {"config": {"factor": 4}}}}'
    )
    code, output = _materialize(tmp_path, "numbers", "--run-config", config)
    assert code == exit_codes.SUCCEEDED, output
    assert "materialize: warning: run config execution not applied" in output
    code, output = _materialize(tmp_path, "scaled", "--run-config", config)
    assert code == exit_codes.SUCCEEDED, output
    assert pickle.loads((tmp_path / "scaled").read_bytes())["values"] == [4, 8, 12]  # noqa: S301 - our own file


def test_an_unknown_job_is_a_usage_error(tmp_path: Path) -> None:
    arguments = ["materialize", "--module", MODULE, "--asset", "numbers", "--job", "nope"]
    result = compiler(arguments, shapes_env(tmp_path))
    assert result.returncode == exit_codes.USAGE
    assert "no job named 'nope'" in result.stdout
