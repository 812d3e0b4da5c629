"""The walker: every field of the Dagster objects the compiler reads must have a verdict (mapped, warned, refused) in
compiler/builder/fidelity/dagster_features.py, so a Dagster upgrade adding a feature fails here instead of being
dropped silently. The fields are Dagster's own: the parameters of its decorators and constructors and the
properties of the graph's asset node."""

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster._core.definitions.assets.graph.asset_graph import AssetNode

from compiler.builder.fidelity.dagster_features import FEATURES, Verdict
from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.errors import UnsupportedInputError
from tests.compiler.definition_kinds import COMPILE, REFUSE, WARN, definition_kinds
from tests.compiler.support import demo_settings, run_compiler, write_project

SIGNATURES: dict[str, Callable[..., Any]] = {
    "asset": dg.asset,
    "multi_asset": dg.multi_asset,
    "graph_asset": dg.graph_asset,
    "graph_multi_asset": dg.graph_multi_asset,
    "AssetSpec": dg.AssetSpec,
    "asset_check": dg.asset_check,
    "AssetCheckSpec": dg.AssetCheckSpec,
    "ScheduleDefinition": dg.ScheduleDefinition.__init__,
    "schedule": dg.schedule,
    "define_asset_job": dg.define_asset_job,
    "Definitions": dg.Definitions,
    "RunRequest": dg.RunRequest,
    "RetryPolicy": dg.RetryPolicy,
    "job": dg.job,
    "op": dg.op,
}


def _fields(name: str) -> set[str]:
    if name == "AssetNode":
        return {
            member
            for member, value in inspect.getmembers(AssetNode)
            if not member.startswith("_") and isinstance(value, property | type(dg.AssetsDefinition.keys))
        }
    parameters = inspect.signature(SIGNATURES[name]).parameters
    return {p for p in parameters if p not in ("self", "args", "kwargs")}


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_every_field_dagster_has_is_mapped_warned_or_refused(name: str) -> None:
    fields = _fields(name)
    assert fields, name  # the walk found the object's fields
    missing = sorted(fields - set(FEATURES[name]))
    assert not missing, f"Dagster's {name} has fields without a verdict in dagster_features.py: {missing}"
    assert all(isinstance(verdict, Verdict) and reason for verdict, reason in FEATURES[name].values())


def test_the_walk_would_catch_a_new_field() -> None:
    def asset_with_a_new_feature(compute_fn: object = None, *, brand_new_feature: bool = False) -> None:
        return None

    fields = {p for p in inspect.signature(asset_with_a_new_feature).parameters}
    assert fields - set(FEATURES["asset"]) == {"brand_new_feature"}


def _build_warnings(defs: dg.Definitions) -> list[str]:
    return [w for w in project_from_definitions("p", defs).fidelity.warnings if "executor" not in w]


def test_warned_fields_print_one_line_each() -> None:
    @dg.asset(output_required=False, backfill_policy=dg.BackfillPolicy.single_run())
    def maybe() -> None:
        return None

    @dg.asset_check(asset=maybe, retry_policy=dg.RetryPolicy(max_retries=2))
    def maybe_ok() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    job = dg.define_asset_job("maybe_job", selection=[maybe], tags={"team": "air"})
    schedule = dg.ScheduleDefinition(job=job, cron_schedule="0 1 * * *", tags={"source": "cron"})
    defs = dg.Definitions(assets=[maybe], asset_checks=[maybe_ok], jobs=[job], schedules=[schedule])
    assert _build_warnings(defs) == [
        "asset maybe: output(s) maybe are optional (output_required=False/skippable); when the op yields none, "
        "Dagster skips the downstream assets, Argo still runs their tasks",
        "asset maybe: backfill_policy is not mapped; `compiler backfill` runs one step per partition whatever the "
        "policy",
        "asset check maybe_ok: retry_policy is not mapped; the check runs in its asset's pod with Dagster's retries "
        "off, so a failing check is not retried alone",
        "job maybe_job: run tags (team) are not passed to the pods' runs",
        "schedule maybe_job_schedule: run tags are not passed to the pods' runs",
    ]


def test_a_plain_project_gets_no_feature_warning() -> None:
    @dg.asset(freshness_policy=None, retry_policy=dg.RetryPolicy(max_retries=1, delay=5))
    def plain() -> None:
        return None

    assert _build_warnings(dg.Definitions(assets=[plain])) == []


def test_virtual_assets_are_refused() -> None:
    virtual = dg.AssetSpec("view", is_virtual=True)

    @dg.asset(deps=[virtual])
    def reader() -> None:
        return None

    with pytest.raises(UnsupportedInputError, match="asset view: virtual assets"):
        project_from_definitions("p", dg.Definitions(assets=[virtual, reader]))


KINDS = {kind.name: kind for kind in definition_kinds()}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_of_definition_compiles_warns_or_is_refused(name: str) -> None:
    """Dagster 1.13's definitions, one by one, through the whole build (load → plan → render → validate): never a
    crash nor an invalid manifest (exit 1), only the verdict of definition_kinds.py."""
    kind = KINDS[name]
    if kind.verdict == REFUSE:  # exit 2, one line naming the object
        with pytest.raises(UnsupportedInputError) as refused:
            compile_project(project_from_definitions("p", kind.build()), demo_settings())
        assert "\n" not in str(refused.value)
        assert kind.names in str(refused.value)
        return
    result = compile_project(project_from_definitions("p", kind.build()), demo_settings())
    named = [warning for warning in result.warnings if kind.names and kind.names in warning]
    assert kind.verdict == (WARN if named else COMPILE), (name, result.warnings)


EXTERNAL_BESIDE = """
import dagster as dg

@dg.asset(deps=["ext"])
def reader() -> None:
    return None

defs = dg.Definitions(assets=[dg.AssetSpec("ext"), dg.SourceAsset("src"), reader])
"""
ONLY_EXTERNAL = """
import dagster as dg

defs = dg.Definitions(assets=[dg.AssetSpec("ext"), dg.SourceAsset("src")])
"""


@pytest.mark.parametrize(
    ("source", "code", "stderr"),
    [
        (EXTERNAL_BESIDE, 0, "wrote 5 files to argo_out"),
        (ONLY_EXTERNAL, 2, "error: module 'location': nothing to compile: the Definitions hold no materializable "
         "asset (it has 2 external assets, which are inputs only); Argo workflows run asset materializations, so add "
         "an @asset or compile another module"),
    ],
)  # fmt: skip
def test_the_former_crashes_exit_0_or_2_through_the_cli(tmp_path: Path, source: str, code: int, stderr: str) -> None:
    """Were exit 1 with a traceback (CheckError in the fidelity walker; an invalid WorkflowTemplate)."""
    write_project(tmp_path, "location", source)
    build = run_compiler("build", "--module", "location", cwd=tmp_path)
    assert (build.returncode, build.stderr.strip().splitlines()) == (code, [stderr])
