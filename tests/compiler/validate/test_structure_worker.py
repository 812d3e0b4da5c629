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


FRESH_PROCESS_PROBE = """
import json, sys
from pathlib import Path
import yaml
from compiler.validate.structure_worker import structure_check_in_child

paths = [Path(p) for p in sys.argv[1:]]
documents = [d for p in paths for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if isinstance(d, dict)]
broken = json.loads(sys.stdin.read())
assert "hera.workflows" not in sys.modules
with structure_check_in_child() as check:
    from_child = [check(d) for d in [*documents, *broken]]
from compiler.validate.structure import check_structure  # now hera imports here, the usual way

in_process = [check_structure(d) for d in [*documents, *broken]]
print(json.dumps({"child": from_child, "in_process": in_process, "count": len(documents)}))
"""


def test_a_fresh_child_importing_only_hera_models_answers_as_the_full_import_does() -> None:
    """A process that has not imported hera (as `build`): its child loads hera's models without the rest of
    `hera.workflows` and must give the in-process answer for every Argo manifest we ship and for broken ones."""
    import json
    import subprocess
    import sys

    repo = Path(__file__).parents[3]
    paths = sorted(str(p) for p in [*(repo / "argo_out").glob("*.yaml"), *GOLDEN.parent.parent.rglob("*.yaml")])
    wrong_type = _broken()
    wrong_type["spec"]["templates"][0]["retryStrategy"] = {"limit": {"no": "map"}}
    broken = [_broken(), wrong_type, {"kind": "CronWorkflow", "apiVersion": "argoproj.io/v1alpha1", "spec": {}}]
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS_PROBE, *paths],
        input=json.dumps(broken),
        capture_output=True,
        text=True,
        check=True,
        cwd=repo,
    )
    answer = json.loads(done.stdout)
    assert answer["count"] >= len(paths)  # every shipped manifest, the WorkflowTemplates and CronWorkflow among them
    assert answer["child"] == answer["in_process"]
    assert all(answer["child"][-3:])  # each broken document has problems
