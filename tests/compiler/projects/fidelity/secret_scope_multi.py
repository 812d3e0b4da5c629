"""Issue 14 case 8 with a multi-asset: only the check of its second key (`beta`) needs the Vault resource
(VAULT_TOKEN); the op's one pod runs that check, so with secrets_per_asset it must still receive the Secret."""

import os

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


class Vault(dg.ConfigurableResource):
    token: str


@dg.multi_asset(specs=[dg.AssetSpec("alpha"), dg.AssetSpec("beta")])
def pair() -> tuple[dg.MaterializeResult, dg.MaterializeResult]:
    record_run(f"pair VAULT_TOKEN={'VAULT_TOKEN' in os.environ}")
    return dg.MaterializeResult(asset_key="alpha"), dg.MaterializeResult(asset_key="beta")


@dg.asset_check(asset="beta")
def beta_is_signed(vault: Vault) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=bool(vault.token))


@dg.asset
def unrelated() -> None:
    record_run(f"unrelated VAULT_TOKEN={'VAULT_TOKEN' in os.environ}")


defs = dg.Definitions(
    assets=[pair, unrelated], asset_checks=[beta_is_signed], resources={"vault": Vault(token=dg.EnvVar("VAULT_TOKEN"))}
)
