"""run-local's `withParam` over an upstream task's output parameter follows Argo's controller: the JSON list gives
one child node `task(i:item)` per element (a string as is, other values as JSON), `{{item}}` bound in each; a task
depending on the withParam task waits for every child; an empty list makes it Skipped ("Skipped, empty params": a
bare `depends` holds, `.Succeeded` does not); a value that is no JSON list fails the task."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.run_local.errors import RunLocalError
from compiler.run_local.with_param import parse_items

WRITE = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"
TOUCH = "import pathlib, sys; pathlib.Path(sys.argv[1], sys.argv[2]).touch()"
# Lists what `each` created when it runs: `after` must find every child's marker.
CHECK = "import pathlib, sys; pathlib.Path(sys.argv[1], 'after').write_text(','.join(sorted(p.name for p in pathlib.Path(sys.argv[1]).iterdir())))"  # noqa: E501


def _workflow(tmp_path: Path, listed: str) -> Path:
    marker = tmp_path / "ran"
    marker.mkdir()
    document = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "with-param-test"},
        "spec": {
            "entrypoint": "main",
            "arguments": {"parameters": [{"name": "prefix", "value": "k-"}]},
            "templates": [
                {
                    "name": "main",
                    "dag": {
                        "tasks": [
                            {"name": "plan", "template": "plan"},
                            {
                                "name": "each",
                                "template": "work",
                                "depends": "plan",
                                "withParam": "{{tasks.plan.outputs.parameters.keys}}",
                                "arguments": {
                                    "parameters": [{"name": "n", "value": "{{workflow.parameters.prefix}}{{item}}"}]
                                },
                            },
                            {"name": "after-bare", "template": "check", "depends": "each"},
                            {
                                "name": "after-succeeded",
                                "template": "work",
                                "depends": "each.Succeeded",
                                "arguments": {"parameters": [{"name": "n", "value": "succeeded"}]},
                            },
                        ]
                    },
                },
                {
                    "name": "plan",
                    "outputs": {"parameters": [{"name": "keys", "valueFrom": {"path": "/tmp/keys.json"}}]},
                    "container": {
                        "image": "python",
                        "command": ["python", "-c", WRITE, "{{outputs.parameters.keys.path}}", listed],
                    },
                },
                {
                    "name": "work",
                    "inputs": {"parameters": [{"name": "n"}]},
                    "container": {
                        "image": "python",
                        "command": ["python", "-c", TOUCH, str(marker), "{{inputs.parameters.n}}"],
                    },
                },
                {"name": "check", "container": {"image": "python", "command": ["python", "-c", CHECK, str(marker)]}},
            ],
        },
    }
    path = tmp_path / "with-param.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _replay(manifest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler.run_local", str(manifest), "--max-parallel", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_each_item_is_a_child_node_and_dependents_wait_for_all(tmp_path: Path) -> None:
    keys = ["2026-11-28-00:00", "2026-11-28-01:00", "2026-11-28-02:00"]
    result = _replay(_workflow(tmp_path, json.dumps(keys)))
    assert result.returncode == 0, result.stdout + result.stderr
    ran = tmp_path / "ran"
    children = {f"k-{key}" for key in keys}
    assert {p.name for p in ran.iterdir()} == {*children, "after", "succeeded"}
    assert children <= set((ran / "after").read_text().split(","))  # every child finished before `after-bare`
    for index, key in enumerate(keys):  # named as Argo names the nodes
        assert f"✔ each({index}:{key}) " in result.stdout


def test_non_string_items_are_their_json_text(tmp_path: Path) -> None:
    result = _replay(_workflow(tmp_path, json.dumps([1, True])))
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in (tmp_path / "ran").iterdir()} >= {"k-1", "k-true"}


def test_an_empty_list_skips_the_task_so_only_bare_dependents_run(tmp_path: Path) -> None:
    result = _replay(_workflow(tmp_path, "[]"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in (tmp_path / "ran").iterdir()} == {"after"}  # after-bare ran, after-succeeded omitted
    assert "each skipped (Skipped, empty params)" in result.stdout


def test_a_value_that_is_no_json_list_fails_the_task(tmp_path: Path) -> None:
    result = _replay(_workflow(tmp_path, '{"a": 1}'))
    assert result.returncode == 1
    assert "withParam value could not be parsed as a JSON list" in result.stdout + result.stderr
    assert not any((tmp_path / "ran").iterdir())  # nothing downstream ran


@pytest.mark.parametrize(
    ("value", "items"),
    [('["a", 2, 1.5, null, {"b": 1, "a": [2]}]', ["a", "2", "1.5", "null", '{"a":[2],"b":1}']), ("[]", [])],
)
def test_items_are_argos_item_text(value: str, items: list[Any]) -> None:
    assert parse_items(value, "task t") == items


def test_only_json_lists_are_accepted() -> None:
    with pytest.raises(RunLocalError, match="could not be parsed as a JSON list"):
        parse_items("a,b", "task t")


# Marks itself running, records whether another child was running, then finishes.
EXCLUSIVE = (
    "import pathlib, sys, time; d = pathlib.Path(sys.argv[1]); me = d / ('running-' + sys.argv[2]); "
    "others = [p.name for p in d.iterdir() if p.name.startswith('running-')]; me.touch(); time.sleep(0.3); "
    "(d / ('seen-' + sys.argv[2])).write_text(','.join(others)); me.unlink()"
)


def test_the_dags_parallelism_counts_each_child(tmp_path: Path) -> None:
    manifest = _workflow(tmp_path, json.dumps(["a", "b", "c"]))
    document = yaml.safe_load(manifest.read_text())
    main, _, work, _ = document["spec"]["templates"]
    main["parallelism"] = 1
    work["container"]["command"] = ["python", "-c", EXCLUSIVE, str(tmp_path / "ran"), "{{inputs.parameters.n}}"]
    manifest.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = _replay(manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    seen = {p.name: p.read_text() for p in (tmp_path / "ran").iterdir() if p.name.startswith("seen-")}
    assert set(seen) == {"seen-k-a", "seen-k-b", "seen-k-c", "seen-succeeded"}
    assert all(text == "" for text in seen.values())  # no child ever saw another one running
