"""Step templates: one per distinct set of pod and retry settings (not one per asset), and their env.

The env of a step is the `[tool.compiler]` env, ConfigMap keys and Secrets (only those the step's assets need with
`secrets_per_asset`), the shared instance's connection, and the `dagster-k8s/config` tag's own variables.
"""

import dataclasses
import json
from collections.abc import Hashable, Mapping
from typing import Any

from compiler.builder.fan_out import FAN_OUT_PARALLELISM_ENV
from compiler.builder.fidelity.container_resources import check_container_resources
from compiler.builder.fidelity.secret_scope import secrets_for
from compiler.builder.k8s_config import PodExtras
from compiler.builder.model import AssetSpec, PodOverrides, RetrySpec
from compiler.builder.naming import fit_name
from compiler.builder.plan_types import DEFAULT_STEP, EnvEntry, StepTemplate
from compiler.builder.pod_security import pod_security_for
from compiler.errors import UnsupportedInputError
from compiler.instance_settings import (
    ARGO_UI_URL_ENV,
    INSTANCE_KIND_ENV,
    PG_CONFIG_KEYS,
    PG_PASSWORD_ENV,
    RUN_TAG_ENV,
)
from compiler.settings import Settings, require_declared_plain


def shared_steps(
    assets: tuple[AssetSpec, ...],
    tasks_by_key: Mapping[tuple[str, ...], str],
    settings: Settings,
    needed: Mapping[str, frozenset[str]] | None = None,
    pools: Mapping[tuple[str, ...], tuple[str, ...]] | None = None,
) -> tuple[list[StepTemplate], dict[tuple[str, ...], str]]:
    """One step template per distinct set of pod/retry settings, not one per asset: a graph where every asset has
    the same RetryPolicy gets one extra template, not thousands. The default settings keep the name `materialize`;
    other settings are named after the first asset (in topological order) that uses them."""
    default = step_template(DEFAULT_STEP, None, settings, needed)
    by_settings: dict[str, StepTemplate] = {settings_key(default): default}
    used: list[StepTemplate] = []
    step_names: dict[tuple[str, ...], str] = {}
    by_inputs: dict[Hashable, StepTemplate] = {}
    for asset in assets:
        in_pools = sorted({pool for key in asset.all_keys for pool in (pools or {}).get(key, ())})
        inputs = _template_inputs(asset, settings, needed, in_pools)
        step = by_inputs.get(inputs) if inputs is not None else None
        if step is None:
            candidate = step_template(f"{DEFAULT_STEP}-{tasks_by_key[asset.key]}", asset, settings, needed)
            candidate = dataclasses.replace(candidate, pools=tuple(in_pools)) if in_pools else candidate
            step = by_settings.setdefault(settings_key(candidate), _fit_step_name(candidate))
            if inputs is not None:
                by_inputs[inputs] = step
        if step not in used:
            used.append(step)
        step_names[asset.key] = step.name
    used.sort(key=lambda step: step.name != DEFAULT_STEP)  # stable: the default first, then first-use order
    return used, step_names


def _template_inputs(
    asset: AssetSpec, settings: Settings, needed: Mapping[str, frozenset[str]] | None, in_pools: list[str]
) -> Hashable | None:
    """All that `step_template` reads of an asset without `dagster-k8s/config` overrides (the common case), as a
    hashable key: two such assets with equal keys get templates equal but for the name, so the second takes the
    first's step without building and serialising its own (~50 µs an asset: half a second at 10,000 assets).
    None for an asset with overrides, which goes the whole way."""
    if asset.pod != _NO_OVERRIDES:
        return None
    every_key = ["/".join(key) for key in asset.all_keys]
    return secrets_for(settings, every_key, needed), bool(asset.fan_out), asset.retry, tuple(in_pools)


_NO_OVERRIDES = PodOverrides()


def settings_key(step: StepTemplate) -> str:
    """Everything but the name, as canonical JSON (the mappings inside are not hashable).

    json's encoder walks the dicts, lists and tuples itself and calls `_plain` only for the dataclasses inside:
    `dataclasses.asdict` deep-copied every leaf, once per asset, a second of the compile of 10,000 assets.
    """
    fields = dict(_plain(step))
    del fields["name"]
    return _SETTINGS_ENCODER.encode(fields)


def _plain(value: Any) -> Any:
    """A dataclass as the dict of its fields, another mapping as a dict, anything else as its text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # a dataclass's fields are its __dict__ unless it has slots
        own = getattr(value, "__dict__", None)
        return own if own is not None else {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


_SETTINGS_ENCODER = json.JSONEncoder(sort_keys=True, default=_plain)  # json.dumps would build one per asset


def _fit_step_name(step: StepTemplate) -> StepTemplate:
    return StepTemplate(**{**step.__dict__, "name": fit_name(step.name)})


def step_template(
    name: str, asset: AssetSpec | None, settings: Settings, needed: Mapping[str, frozenset[str]] | None = None
) -> StepTemplate:
    env: dict[str, EnvEntry] = {key: EnvEntry(key, value=value) for key, value in settings.env}
    env.update({key: EnvEntry(key, config_map=settings.config_map) for key in settings.config_keys})
    every_key = ["/".join(key) for key in asset.all_keys] if asset else None  # a multi-asset: all its keys
    secrets = secrets_for(settings, every_key, needed)  # all, unless secrets_per_asset
    env.update({key: EnvEntry(key, secret=ref) for key, ref in secrets})
    env.update(instance_env(settings))
    if asset and asset.fan_out:
        env[FAN_OUT_PARALLELISM_ENV] = EnvEntry(FAN_OUT_PARALLELISM_ENV, value=str(settings.fan_out_parallelism))
    pod = asset.pod if asset else None
    for key, value in pod.env if pod else ():
        if key in env and env[key].value is None:
            raise UnsupportedInputError(
                f"asset {asset.key_path if asset else ''}: dagster-k8s env {key} would replace the "
                "ConfigMap/Secret reference from [tool.compiler]; remove it from the tag"
            )
        require_declared_plain(asset.key_path if asset else "", key, settings)  # never a literal credential
        env[key] = EnvEntry(key, value=value)
    security = pod_security_for(asset.key_path if asset else "", pod.extras if pod else PodExtras(), env, settings)
    resources = {k: dict(v) for k, v in settings.defaults.resources.items()}
    for kind, amounts in (pod.resources if pod else {}).items():
        resources[kind] = {**resources.get(kind, {}), **amounts}
    check_container_resources(resources, asset.key_path if asset else None, pod.resources if pod else {})
    defaults = settings.defaults
    default_retry = (  # no RetryPolicy: infrastructure faults only, unless the project asks for more (retry.py)
        RetrySpec(defaults.retry_limit, defaults.retry_backoff_seconds, 2, failures=defaults.retry_failures)
        if defaults.retry_limit
        else None
    )
    retry = asset.retry if asset and asset.retry else default_retry
    return StepTemplate(
        name=name,
        image=(pod.image if pod and pod.image else settings.image_ref),
        retry=retry if retry and retry.limit else None,
        resources={k: dict(sorted(v.items())) for k, v in sorted(resources.items())},
        env=tuple(env[key] for key in sorted(env)),
        node_selector=pod.node_selector if pod else {},
        tolerations=pod.tolerations if pod else (),
        service_account=pod.service_account if pod else None,
        active_deadline_seconds=(
            pod.active_deadline_seconds
            if pod and pod.active_deadline_seconds
            else settings.defaults.step_active_deadline_seconds
        ),
        extras=pod.extras if pod else PodExtras(),
        container_security=security[0],
        pod_security=security[1],
        fan_out=bool(asset and asset.fan_out),
    )


def instance_env(settings: Settings) -> dict[str, EnvEntry]:
    """`[tool.compiler.instance]` postgres: the shared instance's connection and the Argo run tags (see
    compiler/instance_settings.py); nothing for the default throw-away instance."""
    instance = settings.instance
    if instance is None:
        return {}
    entries = [EnvEntry(INSTANCE_KIND_ENV, value=instance.kind), EnvEntry(PG_PASSWORD_ENV, secret=instance.password)]
    entries += [EnvEntry(key, config_map=settings.config_map) for key in PG_CONFIG_KEYS]
    entries += [EnvEntry(variable, value=argo_variable) for variable, argo_variable in RUN_TAG_ENV.values()]
    if instance.argo_ui_url:
        entries.append(EnvEntry(ARGO_UI_URL_ENV, value=instance.argo_ui_url))
    return {entry.name: entry for entry in entries}
