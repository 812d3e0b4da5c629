"""`secrets_per_asset = true`: each pod gets only the Secrets its asset's resources read (plus `global_secrets`).

Without it every Secret of `[tool.compiler.secrets]` reaches every pod, also pods whose asset uses no resource: a
compromised or merely verbose asset could leak a credential it never needed. Code that reads a secret with
`os.environ` instead of `EnvVar` is invisible to the compiler, so such variables must be listed in `global_secrets`.
"""

from collections.abc import Mapping, Sequence

from compiler.builder.model import Project
from compiler.settings import SecretRef, Settings


def needed_env(project: Project) -> dict[str, frozenset[str]]:
    """Asset (a/b/c) → the variables its resources (and its checks' resources) read through EnvVar, and the
    store's credentials for an asset an @asset_sensor monitors (its pod writes the marker:
    materialize/asset_events.py) and for an eager asset (its pod gates on the markers: materialize/eager_gate.py)."""
    needed: dict[str, set[str]] = {}
    for use in project.fidelity.env_vars:
        for asset in use.assets:
            needed.setdefault(asset, set()).add(use.variable)
    for trigger in project.object_triggers:  # an asset sensor: each monitored asset's pod writes its marker
        watched = ["/".join(key) for key in trigger.monitored_keys] or (
            [trigger.monitored] if trigger.monitored else []
        )
        if trigger.eager:  # AutomationCondition.eager(): its pod reads the markers and writes its own
            watched.append(trigger.eager)
        for asset in watched:
            store = trigger.spec.variables
            needed.setdefault(asset, set()).update((store.access_key, store.secret_key))
    return {asset: frozenset(names) for asset, names in needed.items()}


def secrets_for(
    settings: Settings, asset: str | Sequence[str] | None, needed: Mapping[str, frozenset[str]] | None
) -> tuple[tuple[str, SecretRef], ...]:
    """The Secrets one step template mounts; the shared default template (asset None) gets only the global ones.
    A multi-asset's task runs every key's op (and checks) in one pod: `asset` lists all its keys (a/b/c each)."""
    if not settings.secrets_per_asset or needed is None:
        return settings.secrets
    keys = (asset,) if isinstance(asset, str) else tuple(asset or ())
    wanted = set(settings.global_secrets).union(*(needed.get(key, frozenset()) for key in keys))
    return tuple((name, ref) for name, ref in settings.secrets if name in wanted)
