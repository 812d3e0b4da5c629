"""The forked structure check gives exactly the in-process answer, and falls back when its child is gone."""

import multiprocessing
from pathlib import Path
from typing import Any

import yaml

from compiler.validate import validate_manifest
from compiler.validate.structure import check_structure
from compiler.validate.structure_worker import structure_check_in_child

GOLDEN = Path(__file__).parents[1] / "golden" / "vienna" / "demo.workflowtemplate.yaml"


def _broken() -> dict[str, Any]:
    document = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    [step] = [t for t in document["spec"]["templates"] if t["name"] == "materialize"]  # after the DAGs
    step["container"]["securityContext"]["runAsNonRot"] = True
    return document


def test_child_check_matches_the_in_process_check() -> None:
    good = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    with structure_check_in_child() as check:
        assert check(good) == [] == check_structure(good)
        problems = check(_broken())
        assert problems == check_structure(_broken())
        assert any("securityContext.runAsNonRot: unknown field" in problem for problem in problems)
        assert validate_manifest(_broken(), structure=check) == problems


def test_a_dead_child_falls_back_to_the_in_process_check() -> None:
    with structure_check_in_child() as check:
        assert check({"kind": "Nope"}) == check_structure({"kind": "Nope"})  # the child answers
        (child,) = [p for p in multiprocessing.active_children() if p.name == "argo-structure-check"]
        child.kill()
        child.join()
        assert any("runAsNonRot" in problem for problem in check(_broken()))
