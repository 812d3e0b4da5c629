"""The walker: every field of the Dagster objects the compiler reads must have a verdict (mapped, warned, refused) in
compiler/builder/fidelity/dagster_features.py, so a Dagster upgrade adding a feature fails here instead of being
dropped silently. The fields are Dagster's own: the parameters of its decorators and constructors and the
properties of the graph's asset node."""

import inspect
from collections.abc import Callable
from typing import Any

import dagster as dg
import pytest
from dagster._core.definitions.assets.graph.asset_graph import AssetNode

from compiler.builder.fidelity.dagster_features import FEATURES, Verdict
from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError

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
