"""Test project: `combined` depends on two compiled root assets and carries AutomationCondition.eager(); each of its
materializations leaves one file `combined@<uuid>` in FIXTURE_MARKER_DIR, so a test counts how often it ran. The
jobs run one upstream asset each; `main` (every asset) materializes both and then `combined`."""

import os
import uuid
from pathlib import Path

import dagster as dg


@dg.asset
def upstream_a() -> dg.MaterializeResult:
    return dg.MaterializeResult()


@dg.asset
def upstream_b() -> dg.MaterializeResult:
    return dg.MaterializeResult()


@dg.asset(deps=[upstream_a, upstream_b], automation_condition=dg.AutomationCondition.eager())
def combined() -> None:
    marker = Path(os.environ["FIXTURE_MARKER_DIR"])
    marker.mkdir(parents=True, exist_ok=True)
    (marker / f"combined@{uuid.uuid4().hex}").write_text("ran", encoding="utf-8")


a_job = dg.define_asset_job("a_job", selection=[upstream_a])
b_job = dg.define_asset_job("b_job", selection=[upstream_b])

defs = dg.Definitions(assets=[upstream_a, upstream_b, combined], jobs=[a_job, b_job])
