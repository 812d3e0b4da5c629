"""Deployment settings from `[tool.compiler]` in pyproject.toml: the only input besides the code."""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.argo import DNS_LABEL, ENUMS
from compiler.errors import SettingsError, UnsupportedInputError
from compiler.settings_reader import ENV_NAME, TableReader
from compiler.shared_volume import SharedVolume, read_shared_volume
from compiler.user_text import reject_credential_value, reject_live_expressions

DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# Heuristic: names like these carry credentials and must come from a Secret, never a plain value.
CREDENTIAL_NAME = re.compile(r"(KEY|SECRET|PASS|PWD|TOKEN|CREDENTIAL|AUTH|PRIVATE|CERT)", re.IGNORECASE)
if TYPE_CHECKING:
    from compiler.events_settings import EventSettings
    from compiler.instance_settings import InstanceSettings

PULL_POLICIES = ENUMS["imagePullPolicy"]
POD_GC_STRATEGIES = ENUMS["podGC.strategy"]
CONCURRENCY_POLICIES = ENUMS["concurrencyPolicy"]


@dataclass(frozen=True)
class SecretRef:
    name: str
    key: str


@dataclass(frozen=True)
class Defaults:
    """Workflow-wide limits; each has a safe value so a minimal `[tool.compiler]` still deploys."""

    active_deadline_seconds: int = 6 * 3600
    starting_deadline_seconds: int = 3600
    concurrency_policy: str = "Forbid"
    successful_jobs_history_limit: int = 3
    failed_jobs_history_limit: int = 3
    ttl_seconds_after_success: int = 7 * 24 * 3600
    ttl_seconds_after_failure: int = 14 * 24 * 3600
    pod_gc_strategy: str = "OnPodSuccess"
    run_as_user: int = 1000
    resources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # A step without its own RetryPolicy is retried this often only when the infrastructure stopped it before it
    # finished (pod deleted, evicted or lost), waiting retry_backoff_seconds, then twice that; 0 turns it off.
    retry_limit: int = 2
    retry_backoff_seconds: int = 10
    # true: such steps are also retried after they fail (exit 1), where Dagster runs them once; build warns
    retry_failures: bool = False
    # Wall-clock limit of one step attempt (template activeDeadlineSeconds), unless the asset sets its own.
    step_active_deadline_seconds: int = 2 * 3600
    # "tighten": a dagster-k8s/config security_context may only tighten the pods' defaults; "user": taken as written
    security_context: str = "tighten"


@dataclass(frozen=True)
class Settings:
    name: str
    image: str
    image_tag: str
    image_pull_policy: str
    namespace: str
    service_account: str
    config_map: str  # "" when nothing reads a ConfigMap (no config_keys, no postgres instance)
    config_keys: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    secrets: tuple[tuple[str, SecretRef], ...]
    defaults: Defaults
    # [tool.compiler.config]: the ConfigMap's values, emitted into the deploy bundle (empty: you create it yourself).
    config: tuple[tuple[str, str], ...] = ()
    # [tool.compiler.instance]: the Dagster instance pods record runs in; None = throw-away (ephemeral) instance.
    instance: "InstanceSettings | None" = None
    # Resource keys of filesystem IO managers whose base_dir is a volume every pod mounts (compiler/builder/fidelity/).
    shared_io_managers: tuple[str, ...] = ()
    # [tool.compiler.shared_volume]: a PersistentVolumeClaim every step pod mounts (compiler/shared_volume.py).
    shared_volume: SharedVolume | None = None
    # Each pod mounts only the Secrets its asset's resources read via EnvVar, plus global_secrets
    # (compiler/builder/fidelity/).
    secrets_per_asset: bool = False
    global_secrets: tuple[str, ...] = ()
    # How many keys of a static/multi-dimensional fan-out run at once (the DAG's `parallelism`); each fanned-out
    # pod gets it as env FAN_OUT_PARALLELISM (compiler/builder/fan_out.py).
    fan_out_parallelism: int = 4
    # [tool.compiler.pools]: Dagster pool name → how many steps may hold it at once (compiler/builder/fidelity/pools.py)
    pools: tuple[tuple[str, int], ...] = ()
    # Step fusion (compiler/builder/fusion.py): each linear chain of compatible assets runs as one task, in one pod.
    fuse_chains: bool = False
    # [tool.compiler.events]: where compiled new-object sensors listen (compiler/events_settings.py)
    events: "EventSettings | None" = None
    # Variables the project declares non-secret: a dagster-k8s/config tag may give them a literal value (which lands
    # in the committed YAML); every other tag variable must come through value_from (see require_declared_plain).
    plain_env: tuple[str, ...] = ()

    @property
    def image_ref(self) -> str:
        return f"{self.image}:{self.image_tag}" if self.image_tag else self.image


INIT_HINT = "run `python -m compiler init` to write it with values inferred from the project"


def load_settings(pyproject: Path) -> Settings:
    """Reads and checks `[tool.compiler]`; every unknown, missing or ill-typed setting is reported at once."""
    if not pyproject.is_file():
        raise UnsupportedInputError(
            f"settings file {pyproject} not found: {INIT_HINT}, or pass --settings PATH to a pyproject.toml"
        )
    with pyproject.open("rb") as handle:
        try:
            document = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise UnsupportedInputError(f"{pyproject} is not valid TOML: {error}") from None
    section = document.get("tool", {}).get("compiler")
    if not isinstance(section, dict):
        raise UnsupportedInputError(f"{pyproject} has no [tool.compiler] section: {INIT_HINT}")
    return parse_settings(section)


def parse_settings(section: Mapping[str, Any]) -> Settings:
    """Every problem of the section in one SettingsError (exit 2), not one per run."""
    problems: list[str] = []
    reader = TableReader("tool.compiler", section, problems)
    reader.attempt(lambda: reject_live_expressions(section, "[tool.compiler]"), None)

    from compiler.events_settings import read_events  # imports this module
    from compiler.instance_settings import check_instance_env, read_instance  # imports this module

    name = reader.text("name", pattern=DNS_LABEL, hint="a DNS-1123 label, at most 40 characters", max_length=40)
    config: dict[str, str] = reader.attempt(lambda: _read_config(reader.table("config")), {})
    config_keys: tuple[str, ...] = reader.attempt(
        lambda: tuple(_config_keys(reader.names("config_keys") or sorted(config))), ()
    )
    env: dict[str, str] = reader.attempt(lambda: _read_env(reader.table("env")), {})
    secrets: dict[str, SecretRef] = reader.attempt(lambda: _read_secrets(reader.table("secrets"), problems), {})
    instance = reader.attempt(lambda: read_instance(reader.table("instance")), None)
    settings = Settings(
        name=name,
        image=reader.text("image", pattern=re.compile(r"^[a-z0-9][a-z0-9._/:@-]*$"), hint="an image reference"),
        image_tag=reader.text(
            "image_tag", default="", pattern=re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$|^$"), hint="an image tag"
        ),
        image_pull_policy=reader.choice("image_pull_policy", PULL_POLICIES, default="IfNotPresent"),
        namespace=reader.text("namespace", pattern=DNS_LABEL, hint="a DNS-1123 label"),
        service_account=reader.text("service_account", pattern=DNS_SUBDOMAIN, hint="a DNS-1123 subdomain"),
        config_map=reader.text(  # needed only when a variable is read from it
            "config_map",
            default=None if config_keys or instance is not None else "",
            pattern=DNS_SUBDOMAIN,
            hint="a DNS-1123 subdomain: the ConfigMap that "
            + _config_map_readers(section, instance is not None)
            + " are read from",
        ),
        config_keys=config_keys,
        env=tuple(sorted(env.items())),
        secrets=tuple(sorted(secrets.items())),
        defaults=reader.attempt(lambda: _read_defaults(reader.table("defaults"), problems), Defaults()),
        config=tuple(sorted(config.items())),
        instance=instance,
        shared_io_managers=tuple(reader.names("shared_io_managers")),
        shared_volume=reader.attempt(lambda: read_shared_volume(reader.table("shared_volume")), None),
        secrets_per_asset=reader.flag("secrets_per_asset"),
        global_secrets=tuple(reader.names("global_secrets")),
        fan_out_parallelism=reader.positive("fan_out_parallelism", 4),
        pools=reader.attempt(lambda: _read_pools(reader.table("pools")), ()),
        fuse_chains=reader.flag("fuse_chains"),
        events=reader.attempt(lambda: read_events(reader.table("events")), None),
        plain_env=tuple(_plain_env_names(reader.names("plain_env"))),
    )
    reader.reject_unknown()
    if not problems:  # the checks across settings, once each setting is valid on its own
        for check in (_reject_overlaps, _check_global_secrets, _check_config_values, check_instance_env):
            reader.attempt(partial(check, settings), None)
    if problems:
        raise SettingsError(problems)
    return settings


def _check_global_secrets(settings: Settings) -> None:
    unknown = sorted(set(settings.global_secrets) - {name for name, _ in settings.secrets})
    if unknown:
        raise UnsupportedInputError(
            f"[tool.compiler] global_secrets: {', '.join(unknown)} not in [tool.compiler.secrets]; add or remove them"
        )


def _read_pools(section: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    for pool, limit in section.items():
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise UnsupportedInputError(
                f"[tool.compiler.pools] {pool}: the limit must be a positive integer, got {limit!r}"
            )
    return tuple(sorted(section.items()))


def _config_map_readers(section: Mapping[str, Any], instance: bool) -> str:
    """What needs `config_map`, as the user wrote it: `[tool.compiler.config]` alone implies `config_keys` (its keys),
    so naming only `config_keys` would point a user who never wrote that key at the wrong setting."""
    readers: list[str] = []
    if "config_keys" in section:
        readers.append("config_keys")
    elif "config" in section:
        readers.append("the keys of [tool.compiler.config]")
    if instance:
        readers.append("the postgres instance's settings")
    return " and ".join(readers)


def _config_keys(names: list[str]) -> list[str]:
    """ConfigMaps are not secret: a credential listed here would reach pods in the clear."""
    for name in names:
        if CREDENTIAL_NAME.search(name):
            raise UnsupportedInputError(
                f"[tool.compiler] config_keys: {name} looks like a credential; put it in [tool.compiler.secrets] "
                "as { name, key } instead (credentials reach pods only as secretKeyRef)"
            )
    return names


def _plain_env_names(names: list[str]) -> list[str]:
    """`plain_env` declares names non-secret; one that looks like a credential is a mistake, not a declaration."""
    for name in names:
        if CREDENTIAL_NAME.search(name):
            raise UnsupportedInputError(
                f"[tool.compiler] plain_env: {name} looks like a credential; put it in [tool.compiler.secrets] "
                "as { name, key } instead (credentials reach pods only as secretKeyRef)"
            )
    return names


def require_declared_plain(asset: str, variable: str, settings: Settings) -> None:
    """The rule that keeps credentials out of the committed YAML whatever they look like: a tag's literal env value
    is written into the WorkflowTemplate, so it is taken only for a variable the project declared non-secret."""
    if variable in settings.plain_env or variable in dict(settings.env):
        return
    raise UnsupportedInputError(
        f"asset {asset}: dagster-k8s/config container_config.env {variable}: a literal value lands in the committed "
        "YAML, so it is taken only for variables the project declares non-secret ([tool.compiler] plain_env or "
        f"[tool.compiler.env]); add {variable} to plain_env if it is not a secret, else give it "
        "value_from: {secret_key_ref: {name, key}}"
    )


def plain_env_value(variable: Any, value: Any, where: str) -> str:
    """A plain (non-secret) env entry, from settings or a dagster-k8s tag: never a credential, never live `{{`."""
    if not isinstance(variable, str) or not ENV_NAME.match(variable):
        raise UnsupportedInputError(f"{where}: {variable!r} is not a valid environment variable name")
    if CREDENTIAL_NAME.search(variable):
        raise UnsupportedInputError(
            f"{where}: {variable} looks like a credential; put it in [tool.compiler.secrets] as {{ name, key }} "
            "so it comes from a Secret"
        )
    if not isinstance(value, str):
        raise UnsupportedInputError(f"{where}: {variable} must be a string, got {type(value).__name__}")
    reject_credential_value(value, f"{where}: {variable}")
    reject_live_expressions(value, f"{where}: {variable}")
    return value


def _read_env(section: Mapping[str, Any]) -> dict[str, str]:
    return {variable: plain_env_value(variable, value, "[tool.compiler.env]") for variable, value in section.items()}


def _read_config(section: Mapping[str, Any]) -> dict[str, str]:
    """`[tool.compiler.config]`: plain values for the ConfigMap, checked like `env` (a ConfigMap is not secret)."""
    return {variable: plain_env_value(variable, value, "[tool.compiler.config]") for variable, value in section.items()}


def _check_config_values(settings: Settings) -> None:
    """With `[tool.compiler.config]` the emitted ConfigMap must hold exactly `config_keys`, or pods fail to start."""
    if not settings.config:
        return
    from compiler.instance_settings import instance_config_keys  # imports this module

    given = {variable for variable, _ in settings.config}
    instance_keys = set(instance_config_keys(settings))
    expected = set(settings.config_keys) | instance_keys
    missing, extra = sorted(expected - given), sorted(given - expected)
    if missing:
        listed = (
            "config_keys" if not instance_keys & set(missing) else 'config_keys or [tool.compiler.instance] "postgres"'
        )
        raise UnsupportedInputError(
            f"[tool.compiler.config] has no value for {', '.join(missing)} (listed in {listed}): add one"
        )
    if extra:
        raise UnsupportedInputError(
            f"[tool.compiler.config] {', '.join(extra)} is not in config_keys: add it there or remove the value"
        )


def _read_secrets(section: Mapping[str, Any], problems: list[str] | None = None) -> dict[str, SecretRef]:
    secrets: dict[str, SecretRef] = {}
    for variable, value in section.items():
        reader = TableReader(f"tool.compiler.secrets.{variable}", value if isinstance(value, dict) else {}, problems)
        if not ENV_NAME.match(variable) or not isinstance(value, dict):
            reader.fail(f"[tool.compiler.secrets] {variable}: expected VARIABLE = {{ name = SECRET, key = KEY }}")
            continue
        secrets[variable] = SecretRef(
            name=reader.text("name", pattern=DNS_SUBDOMAIN, hint="a Secret name (DNS-1123 subdomain)"),
            key=reader.text("key", pattern=SECRET_KEY, hint="a Secret data key"),
        )
        reader.reject_unknown()
    return secrets


def _read_defaults(section: Mapping[str, Any], problems: list[str] | None = None) -> Defaults:
    reader = TableReader("tool.compiler.defaults", section, problems)
    base = Defaults()
    defaults = Defaults(
        active_deadline_seconds=reader.positive("active_deadline_seconds", base.active_deadline_seconds),
        starting_deadline_seconds=reader.positive("starting_deadline_seconds", base.starting_deadline_seconds),
        concurrency_policy=reader.choice("concurrency_policy", CONCURRENCY_POLICIES, default="Forbid"),
        successful_jobs_history_limit=reader.positive(
            "successful_jobs_history_limit", base.successful_jobs_history_limit
        ),
        failed_jobs_history_limit=reader.positive("failed_jobs_history_limit", base.failed_jobs_history_limit),
        ttl_seconds_after_success=reader.positive("ttl_seconds_after_success", base.ttl_seconds_after_success),
        ttl_seconds_after_failure=reader.positive("ttl_seconds_after_failure", base.ttl_seconds_after_failure),
        pod_gc_strategy=reader.choice("pod_gc_strategy", POD_GC_STRATEGIES, default=base.pod_gc_strategy),
        run_as_user=reader.positive("run_as_user", base.run_as_user),
        resources=reader.attempt(lambda: _read_resources(reader.table("resources")), {}),
        retry_limit=reader.count("retry_limit", base.retry_limit),
        retry_backoff_seconds=reader.positive("retry_backoff_seconds", base.retry_backoff_seconds),
        retry_failures=reader.flag("retry_failures"),
        step_active_deadline_seconds=reader.positive("step_active_deadline_seconds", base.step_active_deadline_seconds),
        security_context=reader.choice("security_context", ("tighten", "user"), default="tighten"),
    )
    reader.reject_unknown()
    if defaults.step_active_deadline_seconds > defaults.active_deadline_seconds:
        reader.fail(
            f"[tool.compiler.defaults] step_active_deadline_seconds = {defaults.step_active_deadline_seconds} "
            f"exceeds active_deadline_seconds = {defaults.active_deadline_seconds}, the whole run's limit; lower it"
        )
    return defaults


def _read_resources(section: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    resources: dict[str, dict[str, str]] = {}
    for kind, amounts in section.items():
        where = f"[tool.compiler.defaults.resources] {kind}"
        if kind not in ("requests", "limits") or not isinstance(amounts, dict):
            raise UnsupportedInputError(f"{where}: only 'requests' and 'limits' tables are allowed")
        for resource, amount in amounts.items():
            if not isinstance(amount, str):
                raise UnsupportedInputError(f"{where}.{resource}: must be a quantity string such as '500m' or '1Gi'")
        resources[kind] = dict(sorted(amounts.items()))
    return resources


def _reject_overlaps(settings: Settings) -> None:
    """One variable must have exactly one source, or the pod's value would depend on entry order."""
    sources: dict[str, str] = {}
    for variable, where in [
        *((name, "env") for name, _ in settings.env),
        *((name, "config_keys") for name in settings.config_keys),
        *((name, "secrets") for name, _ in settings.secrets),
        *((name, "plain_env") for name in settings.plain_env if name in dict(settings.secrets)),
    ]:
        if variable in sources:
            raise UnsupportedInputError(
                f"[tool.compiler] {variable} is set in both {sources[variable]} and {where}; keep one"
            )
        sources[variable] = where
