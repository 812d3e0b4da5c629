"""Step templates are shared by settings: each asset's step must carry exactly the settings of its own template.

`shared_steps` lets an asset without `dagster-k8s/config` overrides take the step of an earlier asset whose
template inputs (secrets, fan-out, RetryPolicy, pools) are equal, without building its own; these tests build every
asset's own template the long way and check that the step it was given has the same settings, and that assets whose
settings differ never share one.
"""

import json

import dagster as dg

from compiler.builder.load import project_from_definitions
from compiler.builder.steps import settings_key, shared_steps, step_template
from compiler.settings import Settings
from tests.compiler.shapes import make_asset
from tests.compiler.support import demo_settings

FAST = dg.RetryPolicy(max_retries=2, delay=5)
SLOW = dg.RetryPolicy(max_retries=4, delay=60, backoff=dg.Backoff.EXPONENTIAL)
K8S = {"dagster-k8s/config": json.dumps({"container_config": {"resources": {"limits": {"memory": "2Gi"}}}})}


def _assets() -> list[dg.AssetsDefinition]:
    """Plain assets interleaved with ones that differ in RetryPolicy or in pod overrides (the long way)."""
    assets = []
    for index in range(24):
        options: dict[str, object] = {}
        if index % 4 == 1:
            options["retry_policy"] = FAST
        elif index % 4 == 2:
            options["retry_policy"] = SLOW
        elif index % 8 == 3:
            options["op_tags"] = K8S
        assets.append(make_asset(f"a_{index:02d}", [f"a_{index - 1:02d}"] if index else [], **options))
    return assets


def _check_each_asset_has_its_own_settings(settings: Settings, needed: dict[str, frozenset[str]] | None) -> int:
    project = project_from_definitions("p", dg.Definitions(assets=_assets()))
    tasks = {asset.key: "-".join(asset.key).replace("_", "-") for asset in project.assets}
    steps, names = shared_steps(project.assets, tasks, settings, needed)
    by_name = {step.name: step for step in steps}
    for asset in project.assets:
        own = step_template(f"materialize-{tasks[asset.key]}", asset, settings, needed)
        assert settings_key(by_name[names[asset.key]]) == settings_key(own), asset.key
    assert len({settings_key(step) for step in steps}) == len(steps)  # no two steps with the same settings
    return len(steps)


def test_assets_share_a_step_only_when_their_retry_and_pod_settings_agree() -> None:
    # the default step, FAST, SLOW and the overridden pod (its asset's own template, by the long way)
    assert _check_each_asset_has_its_own_settings(demo_settings(), None) == 4


def test_with_secrets_per_asset_assets_needing_different_secrets_get_different_steps() -> None:
    needed = {"a_04": frozenset({"OPENAQ_API_KEY"}), "a_08": frozenset({"OPENAQ_API_KEY"}), "a_12": frozenset()}
    # a_04 and a_08 (plain, same secret) share one step beside the default, FAST, SLOW and the overridden pod
    assert _check_each_asset_has_its_own_settings(demo_settings(secrets_per_asset=True), needed) == 5
