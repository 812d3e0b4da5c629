"""`validate` accepts good manifests (ours and Argo's own examples) and names what is wrong in broken ones."""

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.parse import ManifestParseError, parse_documents
from compiler.validate import validate_manifest
from tests.compiler.argo_schema import SCHEMA, schema_errors
from tests.compiler.support import REPO, run_compiler

GOLDEN = Path(__file__).parent / "golden" / "vienna"


def _template() -> dict[str, Any]:
    return yaml.safe_load((GOLDEN / "demo.workflowtemplate.yaml").read_text(encoding="utf-8"))


def _cron() -> dict[str, Any]:
    return yaml.safe_load((GOLDEN / "demo-nightly-schedule.cronworkflow.yaml").read_text(encoding="utf-8"))


def _step(document: dict[str, Any]) -> dict[str, Any]:
    """The golden template's step template (after its DAGs: main, then one per job)."""
    [step] = [t for t in document["spec"]["templates"] if t["name"] == "materialize"]
    return step


def _tasks(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["spec"]["templates"][0]["dag"]["tasks"]


@pytest.mark.parametrize("name", ["dag-diamond.yaml", "cron-workflow.yaml", "retry-backoff.yaml", "secrets.yaml"])
def test_argo_examples_are_valid(name: str, shared_file) -> None:
    [document] = parse_documents(shared_file(f"argo/examples/{name}").read_text(encoding="utf-8"), name)
    assert validate_manifest(document) == []


def test_golden_manifests_are_valid() -> None:
    assert validate_manifest(_template()) == []
    assert validate_manifest(_cron()) == []


def _problems_after(change: Any, document: dict[str, Any] | None = None) -> str:
    document = copy.deepcopy(document or _template())
    change(document)
    return "\n".join(validate_manifest(document))


def test_unknown_field_deep_inside() -> None:
    def change(d: dict[str, Any]) -> None:
        _step(d)["container"]["securityContext"]["runAsNonRot"] = True

    assert "securityContext.runAsNonRot: unknown field" in _problems_after(change)


def test_missing_dependency() -> None:
    def change(d: dict[str, Any]) -> None:
        _tasks(d)[1]["depends"] = "no-such-task"

    assert "depends on 'no-such-task', which is not a task of this DAG" in _problems_after(change)


def test_cycle() -> None:
    def change(d: dict[str, Any]) -> None:
        _tasks(d)[0]["depends"] = "openaq-measurements-parquet"

    assert "dependency cycle" in _problems_after(change)


def test_mixed_depends_and_dependencies() -> None:
    def change(d: dict[str, Any]) -> None:
        _tasks(d)[2].pop("depends")
        _tasks(d)[2]["dependencies"] = ["openaq-clean-measurements"]

    assert "both 'depends' and 'dependencies'" in _problems_after(change)


@pytest.mark.parametrize(
    ("cron", "named"), [("61 * * * *", "minute"), ("0 1 * *", "5 fields"), ("@nightly", "@nightly")]
)
def test_bad_cron(cron: str, named: str) -> None:
    def change(d: dict[str, Any]) -> None:
        d["spec"]["schedules"] = [cron]

    assert named in _problems_after(change, _cron())


def test_valid_cron_forms() -> None:
    for cron in ["*/15 0-6,22 ? JAN-MAR mon-fri", "@daily", "@every 1h30m", "0 1 1/2 * SUN"]:

        def change(d: dict[str, Any], cron: str = cron) -> None:
            d["spec"]["schedules"] = [cron]

        assert _problems_after(change, _cron()) == "", cron


def test_bad_time_zone() -> None:
    def change(d: dict[str, Any]) -> None:
        d["spec"]["timezone"] = "Europe/Atlantis"

    assert "spec.timezone: 'Europe/Atlantis' is not an IANA time zone" in _problems_after(change, _cron())


def test_long_cron_workflow_name() -> None:
    def change(d: dict[str, Any]) -> None:
        d["metadata"]["name"] = "n" * 53

    assert "a CronWorkflow allows at most 52" in _problems_after(change, _cron())


def test_bad_enum_and_undeclared_parameter() -> None:
    def change(d: dict[str, Any]) -> None:
        d["spec"]["concurrencyPolicy"] = "Sometimes"

    assert "'Sometimes' is not one of Allow, Forbid, Replace" in _problems_after(change, _cron())

    def undeclared(d: dict[str, Any]) -> None:
        _step(d)["container"]["args"][3] = "{{inputs.parameters.assett}}"

    assert "does not declare" in _problems_after(undeclared)


def test_live_braces_in_free_text_are_flagged() -> None:
    def change(d: dict[str, Any]) -> None:
        _step(d)["metadata"]["annotations"]["note"] = "{{ this is prose }}"

    assert "is not an Argo variable" in _problems_after(change)


def test_the_retry_attempt_variable_is_accepted_where_argo_accepts_it() -> None:
    """`{{retries}}` (what fused steps pass as `--attempt`): Argo's validator binds it on a template with a
    retryStrategy and does not check tags outside its prefixes (item., steps., inputs., outputs., pod., workflow.,
    tasks.) elsewhere, so both pass; a misspelling is flagged, as any unknown `{{...}}` is here (Argo would leave it
    literal in the pod)."""

    def with_retry(d: dict[str, Any]) -> None:
        step = _step(d)
        assert "retryStrategy" in step
        step["container"]["args"] += ["--attempt", "{{retries}}"]

    assert _problems_after(with_retry) == ""

    def without_retry(d: dict[str, Any]) -> None:
        step = _step(d)
        del step["retryStrategy"]
        step["container"]["args"] += ["--attempt", "{{retries}}"]

    assert _problems_after(without_retry) == ""

    def misspelt(d: dict[str, Any]) -> None:
        _step(d)["container"]["args"] += ["--attempt", "{{retry}}"]

    assert "{{retry}} is not an Argo variable" in _problems_after(misspelt)


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(ManifestParseError, match="duplicate key 'kind'"):
        parse_documents("kind: CronWorkflow\nkind: Workflow\n", "x.yaml")


def test_cli_exit_codes(tmp_path: Path) -> None:
    broken = _cron()
    broken["spec"]["timezone"] = "Nowhere/Else"
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = run_compiler("validate", str(GOLDEN / "demo.workflowtemplate.yaml"), "broken.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "broken.yaml: spec.timezone: 'Nowhere/Else'" in result.stderr
    assert run_compiler("validate", *map(str, sorted(GOLDEN.iterdir())), cwd=tmp_path).returncode == 0
    assert run_compiler("validate", "missing.yaml", cwd=tmp_path).returncode == 2


def test_argo_schema_cross_check(shared_file) -> None:
    """Every committed manifest passes Argo's own strict JSON schema, which also rejects a field it does not know.

    Skipped (with the path) when the schema is absent; the schema cross-checks inside other tests (`compile_defs`
    and the rest) are then listed as skipped in the run's terminal summary (tests/cross_checks.py).
    """
    shared_file(SCHEMA)
    manifests = sorted((REPO / "argo_out").glob("*flow*.yaml")) + sorted(GOLDEN.glob("*.yaml"))
    assert manifests
    for path in manifests:
        [document] = parse_documents(path.read_text(encoding="utf-8"), path.name)
        assert schema_errors(document) == [], path.name
    broken = _template()
    _step(broken)["container"]["securityContext"]["runAsNonRot"] = True
    assert any("runAsNonRot" in error for error in schema_errors(broken))


def test_validate_checks_the_whole_deploy_bundle(tmp_path: Path) -> None:
    """`validate argo_out/*.yaml` covers the Kubernetes kinds too: each by its own schema, the kustomization's files."""
    out = REPO / "argo_out"
    committed = sorted(str(path) for path in out.glob("*.yaml"))
    result = run_compiler("validate", *committed, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"ok: {len(committed)} manifest(s) valid" in result.stderr

    for path in out.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    role = next(tmp_path.glob("*.role.yaml"))
    broken_role = yaml.safe_load(role.read_text(encoding="utf-8"))
    broken_role["rules"][0]["verbs"] = "create"  # a string where Kubernetes wants a list
    role.write_text(yaml.safe_dump(broken_role), encoding="utf-8")
    (tmp_path / "air-quality.serviceaccount.yaml").unlink()  # the executor's (the Sensors' account stays)
    remaining = sorted(path.name for path in tmp_path.glob("*.yaml"))
    result = run_compiler("validate", *remaining, cwd=tmp_path)
    assert result.returncode == 1
    assert f"invalid: {role.name}: " in result.stderr
    assert "kustomization.yaml: resources: air-quality.serviceaccount.yaml does not exist beside the kustomization" in (
        result.stderr
    )
