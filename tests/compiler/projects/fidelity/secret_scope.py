"""Issue 14 case 8, second half: only `uses_vault`'s resource reads VAULT_TOKEN; `plain` needs no resource but reads
AUDIT_TOKEN with os.environ (invisible to the compiler, hence global_secrets in the test's settings)."""

import os

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


class Vault(dg.ConfigurableResource):
    token: str


def _seen(name: str) -> None:
    record_run(f"{name} VAULT_TOKEN={'VAULT_TOKEN' in os.environ} AUDIT_TOKEN={'AUDIT_TOKEN' in os.environ}")


@dg.asset
def uses_vault(vault: Vault) -> None:
    assert vault.token
    _seen("uses_vault")


@dg.asset(deps=[uses_vault])
def plain() -> None:
    _seen("plain")


defs = dg.Definitions(assets=[uses_vault, plain], resources={"vault": Vault(token=dg.EnvVar("VAULT_TOKEN"))})
