"""run-local's `spec.onExit` follows Argo's controller: the exit handler runs after the entrypoint DAG whatever its
outcome, in the same Workflow (same `workflow.name`), with `{{workflow.status}}` and `{{workflow.mainEntrypoint}}`
set; the Workflow fails when the entrypoint failed, and also when it succeeded but the exit handler failed
(operator.go: `if onExitNode != nil && onExitNode.FailedOrError()` after a Succeeded entrypoint)."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.run_local.when import should_execute

# appends "<task> <workflow.status> <workflow.mainEntrypoint> <workflow.name>" to the record file
RECORD = "import sys; open(sys.argv[1], 'a').write(' '.join(sys.argv[2:]) + chr(10))"


def _workflow(tmp_path: Path, main_exit: int, handler_exit: int) -> Path:
    record = str(tmp_path / "record.log")

    def container(code: int, *words: str) -> dict[str, Any]:
        return {"image": "python", "command": ["python", "-c", f"{RECORD}; sys.exit({code})", record, *words]}

    document = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "exit-test"},
        "spec": {
            "entrypoint": "main",
            "onExit": "on-exit",
            "templates": [
                {"name": "main", "dag": {"tasks": [{"name": "work", "template": "work"}]}},
                {"name": "work", "container": container(main_exit, "work", "{{workflow.name}}")},
                {
                    "name": "on-exit",
                    "dag": {
                        "tasks": [
                            {"name": "always", "template": "notify"},
                            {
                                "name": "on-failure",
                                "template": "notify",
                                "when": "'{{workflow.mainEntrypoint}}' == 'main' && "
                                "('{{workflow.status}}' == 'Failed' || '{{workflow.status}}' == 'Error')",
                            },
                        ]
                    },
                },
                {
                    "name": "notify",
                    "container": container(
                        handler_exit,
                        "notify",
                        "{{workflow.status}}",
                        "{{workflow.mainEntrypoint}}",
                        "{{workflow.name}}",
                    ),
                },
            ],
        },
    }
    path = tmp_path / "exit.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", "run-local", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _records(tmp_path: Path) -> list[list[str]]:
    return [line.split() for line in (tmp_path / "record.log").read_text(encoding="utf-8").splitlines()]


def test_the_exit_handler_runs_after_a_failed_dag_and_sees_failed(tmp_path: Path) -> None:
    replay = _run(_workflow(tmp_path, main_exit=1, handler_exit=0))
    assert replay.returncode == 1, replay.stdout + replay.stderr  # the entrypoint failed: the Workflow did
    work, *notified = _records(tmp_path)
    assert work[0] == "work"
    assert sorted(notified) == [["notify", "Failed", "main", work[1]]] * 2  # both: the when holds on Failed
    assert work[1].startswith("exit-test-")  # one Workflow: the handler sees the entrypoint's workflow.name


def test_the_exit_handler_sees_succeeded_and_its_when_skips(tmp_path: Path) -> None:
    replay = _run(_workflow(tmp_path, main_exit=0, handler_exit=0))
    assert replay.returncode == 0, replay.stdout + replay.stderr
    work, *notified = _records(tmp_path)
    assert notified == [["notify", "Succeeded", "main", work[1]]]  # on-failure Skipped by its when
    assert "skipped by when (on-failure)" in replay.stdout


def test_a_failing_exit_handler_fails_a_succeeded_workflow(tmp_path: Path) -> None:
    replay = _run(_workflow(tmp_path, main_exit=0, handler_exit=1))
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert [record[0] for record in _records(tmp_path)] == ["work", "notify"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'a' == 'a' && ('F' == 'F' || 'F' == 'E')", True),
        ("'a' == 'b' && ('F' == 'F' || 'F' == 'E')", False),
        ("'a' == 'a' && ('S' == 'F' || 'S' == 'E')", False),
        ("'a' == 'b' || 'c' == 'c' && 'd' == 'd'", True),  # && binds tighter, as in govaluate
        ("('x && y' == 'x && y')", True),  # operators inside quotes are text
    ],
)
def test_when_joins_comparisons_as_govaluate(expression: str, expected: bool) -> None:
    assert should_execute(expression, "test") is expected
