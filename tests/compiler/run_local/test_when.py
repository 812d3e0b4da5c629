"""run-local's `when` and output parameters follow Argo's controller: the output file becomes
`tasks.T.outputs.parameters.P`, a false `when` ends the task Skipped (no process), a bare `depends: "t"` holds for a
Skipped `t` while `t.Succeeded` does not, and the comparison is govaluate's (booleans, numbers, bare words)."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.run_local.errors import RunLocalError
from compiler.run_local.when import should_execute

WRITE = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"
TOUCH = "import pathlib, sys; pathlib.Path(sys.argv[1], sys.argv[2]).touch()"


def _workflow(tmp_path: Path, decision: str) -> Path:
    marker = str(tmp_path / "ran")
    Path(marker).mkdir()

    def work(name: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "template": "work", "arguments": {"parameters": [{"name": "n", "value": name}]}, **extra}

    when = "{{tasks.decide.outputs.parameters.go}} == true"
    document = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "when-test"},
        "spec": {
            "entrypoint": "main",
            "templates": [
                {
                    "name": "main",
                    "dag": {
                        "tasks": [
                            {"name": "decide", "template": "decide"},
                            work("gated", depends="decide", when=when),
                            work("after-bare", depends="gated"),
                            work("after-succeeded", depends="gated.Succeeded"),
                        ]
                    },
                },
                {
                    "name": "decide",
                    "outputs": {"parameters": [{"name": "go", "valueFrom": {"path": "/tmp/go"}}]},
                    "container": {
                        "image": "python",
                        "command": ["python", "-c", WRITE, "{{outputs.parameters.go.path}}", decision],
                    },
                },
                {
                    "name": "work",
                    "inputs": {"parameters": [{"name": "n"}]},
                    "container": {
                        "image": "python",
                        "command": ["python", "-c", TOUCH, marker, "{{inputs.parameters.n}}"],
                    },
                },
            ],
        },
    }
    path = tmp_path / "when.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _replay(manifest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler.run_local", str(manifest)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_false_when_skips_the_task_and_only_succeeded_dependents_with_it(tmp_path: Path) -> None:
    replay = _replay(_workflow(tmp_path, "false"))
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(p.name for p in (tmp_path / "ran").iterdir()) == ["after-bare"]
    assert "○ gated skipped (when 'false == true' evaluated false)" in replay.stdout
    assert "2 skipped by when (gated, after-succeeded)" in replay.stdout
    assert "○ after-succeeded omitted" in replay.stdout


def test_a_true_when_runs_the_task(tmp_path: Path) -> None:
    replay = _replay(_workflow(tmp_path, "true"))
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(p.name for p in (tmp_path / "ran").iterdir()) == ["after-bare", "after-succeeded", "gated"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("true == true", True),
        ("false == true", False),
        ("heads == heads", True),
        ("heads != tails", True),
        ("'a b' == 'a b'", True),
        ("1 == 1.0", True),
        ("true == 'true'", False),  # govaluate: a boolean is not the string
        ("", True),
    ],
)
def test_when_compares_like_govaluate(expression: str, expected: bool) -> None:
    assert should_execute(expression, "t") is expected


def test_a_when_beyond_equality_comparisons_is_refused() -> None:
    with pytest.raises(RunLocalError, match="not supported locally"):
        should_execute("a == b && c < d", "t")  # && joins (test_exit_handler.py); ordering is not modelled
