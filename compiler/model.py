"""The plain model between Dagster and Argo: what the compiler understood, free of Dagster objects."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RetrySpec:
    """Dagster's RetryPolicy in Argo terms: attempts after the first, first delay, growth factor."""

    limit: int
    delay_seconds: int | None
    factor: int | None


@dataclass(frozen=True)
class PodOverrides:
    """The supported part of a `dagster-k8s/config` tag, already in Kubernetes camelCase."""

    image: str | None = None
    resources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    env: tuple[tuple[str, str], ...] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Mapping[str, Any], ...] = ()
    service_account: str | None = None
    active_deadline_seconds: int | None = None  # job_spec_config / pod_spec_config active_deadline_seconds

    @property
    def is_empty(self) -> bool:
        return self == PodOverrides()


@dataclass(frozen=True)
class AssetSpec:
    key: tuple[str, ...]
    deps: tuple[tuple[str, ...], ...]
    description: str | None
    owners: tuple[str, ...]
    retry: RetrySpec | None
    pod: PodOverrides

    @property
    def key_path(self) -> str:
        """The `a/b/c` form the step runner's `--asset` parses."""
        return "/".join(self.key)

    @property
    def needs_own_template(self) -> bool:
        """Argo tasks cannot override retryStrategy or container settings, so such assets get their own template."""
        return self.retry is not None or not self.pod.is_empty


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    job_name: str
    crons: tuple[str, ...]
    timezone: str
    asset_keys: frozenset[tuple[str, ...]]
    stopped: bool = False  # default_status=STOPPED (Dagster's default): deployed, but not ticking until started


@dataclass(frozen=True)
class Project:
    """Assets in topological order (ties broken by key), schedules sorted by name."""

    module: str
    assets: tuple[AssetSpec, ...]
    schedules: tuple[ScheduleSpec, ...]
    fidelity: "FidelityFacts" = field(default_factory=lambda: FidelityFacts())


@dataclass(frozen=True)
class IOHandoff:
    """An asset that loads another asset's value through an IO manager keeping it on the producing pod's own disk or
    memory (compiler/fidelity/io_handoff.py): under Dagster in one process it works, on Argo the next pod has none."""

    asset: str
    upstream: str
    io_manager_key: str
    kind: str  # "Dagster's default filesystem IO manager", "a filesystem IO manager", "an in-memory IO manager"
    can_be_shared: bool  # a filesystem path may be a volume every pod mounts; memory and the default never are


@dataclass(frozen=True)
class EnvVarUse:
    """`EnvVar("X")` in the config of a resource some asset needs (compiler/fidelity/resource_env.py)."""

    variable: str
    resource: str
    assets: tuple[str, ...]


@dataclass(frozen=True)
class FidelityFacts:
    """What the fidelity checks in plan.py compare with `[tool.compiler]`; read from the Definitions in load.py."""

    io_handoffs: tuple[IOHandoff, ...] = ()
    env_vars: tuple[EnvVarUse, ...] = ()
    warnings: tuple[str, ...] = ()  # approximations `build` prints as `warning:` lines (compiler/fidelity/unmapped.py)
