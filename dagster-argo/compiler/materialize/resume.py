"""Where a fused step starts: after the chain's assets this workflow already materialized for the partition.

A fused task (compiler/builder/fusion.py) runs a chain of assets in one pod; when Argo retries it, the new pod skips the
leading assets an earlier attempt of the same workflow already materialized, so e.g. a raw day already stored is not
fetched again. Only a retry resumes: the pod gets Argo's `{{retries}}` (`--attempt`; 0 for the task's first pod, 1, 2,
... for its retries, set only on a template with a retryStrategy), and attempt 0 runs the whole chain without asking
anything, as the unfused tasks would. "This workflow" matters too: a new workflow run (tomorrow's tick, a manual rerun,
a backfill) computes every asset again. This is Dagster's own split: a run computes every step it selects, and only a
re-execution from failure (its run retries' default strategy) reuses the outputs an earlier attempt stored.

How a retry knows, first source that can answer:
1. The shared instance (`[tool.compiler.instance] kind = "postgres"`): the latest materialization of the asset's
   partition was recorded by a run tagged with this workflow's uid (`argo/workflow-uid`). Exact, any IO manager.
2. The asset's IO manager, when it can tell when an output was stored: a method `stored_at(context: OutputContext)
   -> datetime | None` (the flagship's `ObjectStoreIOManager` has one: the object's Last-Modified). Stored after
   the workflow's creation time (`--created-time`, strictly: both have one-second resolution) counts as this
   workflow's. Limits, for retries only (a first attempt never asks): the store's clock and the Kubernetes API
   server's must agree to within the time between the previous run's last write and this workflow's creation (runs
   of one pipeline are serialized by its workflow mutex); a workflow created while an earlier run still held the
   mutex sees that run's later writes as its own, so if its first attempt failed before storing an asset, the retry
   takes the earlier run's value for that asset.
3. Otherwise nothing is skipped: the retry runs the whole chain (correct, just slower).

An asset with a blocking asset check counts as done only when the next asset of the chain was also materialized:
its object may be stored while its check failed (Dagster stores the output, then evaluates the check), and only a
downstream materialization proves the check passed. The chain's last asset always runs: the retry happened because
something failed, and its outcome (and its checks') is what the task reports.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from compiler.materialize.run_tags import argo_run_tags

if TYPE_CHECKING:
    from dagster import AssetKey, Definitions

WORKFLOW_UID_TAG = "argo/workflow-uid"


class StoredProbe(Protocol):
    def __call__(self, key: "AssetKey") -> bool: ...


@dataclass(frozen=True)
class ResumePoint:
    """The chain's keys to skip (a prefix) and one line saying how that was decided."""

    skipped: tuple["AssetKey", ...]
    how: str


def resume_point(
    defs: "Definitions", keys: Sequence["AssetKey"], partition: str | None, created: datetime | None, attempt: int
) -> ResumePoint:
    if attempt == 0:
        return ResumePoint((), "resume: first attempt (Argo's retries = 0); running the whole chain")
    with _probe(defs, keys, partition, created) as (probe, source):
        if probe is None:
            return ResumePoint((), f"resume: retry {attempt}; {source}; running the whole chain")
        skipped = _done_prefix(defs, keys, probe)
    if not skipped:
        return ResumePoint(
            (), f"resume: retry {attempt}; no asset of the chain was materialized by this workflow yet ({source})"
        )
    done = ", ".join(key.to_user_string() for key in skipped)
    return ResumePoint(
        tuple(skipped),
        f"resume: retry {attempt}; {done} already materialized by this workflow ({source}); starting at "
        f"{keys[len(skipped)].to_user_string()}",
    )


def _done_prefix(defs: "Definitions", keys: Sequence["AssetKey"], probe: StoredProbe) -> list["AssetKey"]:
    blocking = _keys_with_blocking_checks(defs)
    stored: dict[AssetKey, bool] = {}

    def materialized(key: "AssetKey") -> bool:
        if key not in stored:
            stored[key] = probe(key)
        return stored[key]

    done: list[AssetKey] = []
    for index, key in enumerate(keys[:-1]):  # the last asset always runs
        if not materialized(key):
            break
        if key in blocking and not materialized(keys[index + 1]):
            break  # its blocking check may have failed after the value was stored
        done.append(key)
    return done


def _keys_with_blocking_checks(defs: "Definitions") -> set["AssetKey"]:
    graph = defs.resolve_asset_graph()
    return {spec.asset_key for assets_def in graph.assets_defs for spec in assets_def.check_specs if spec.blocking}


@contextmanager
def _probe(
    defs: "Definitions", keys: Sequence["AssetKey"], partition: str | None, created: datetime | None
) -> Iterator[tuple[StoredProbe | None, str]]:
    """The best source available in this pod, and its name for the log line."""
    from compiler.materialize.instance import open_instance, wants_shared_instance  # imports Dagster

    workflow_uid = argo_run_tags().get(WORKFLOW_UID_TAG)
    if wants_shared_instance() and workflow_uid:
        with open_instance() as instance:
            yield _instance_probe(instance, partition, workflow_uid), "the shared instance's materialization records"
        return
    if created is None:
        yield None, "the workflow's creation time is unknown"
        return
    with _io_manager_probe(defs, keys, partition, created) as found:
        yield found


def _instance_probe(instance: Any, partition: str | None, workflow_uid: str) -> StoredProbe:
    from dagster import AssetRecordsFilter

    def probe(key: "AssetKey") -> bool:
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=key, asset_partitions=[partition] if partition else None), limit=1
        ).records
        if not records:
            return False
        run = instance.get_run_by_id(records[0].run_id)
        return run is not None and run.tags.get(WORKFLOW_UID_TAG) == workflow_uid

    return probe


@contextmanager
def _io_manager_probe(
    defs: "Definitions", keys: Sequence["AssetKey"], partition: str | None, created: datetime
) -> Iterator[tuple[StoredProbe | None, str]]:
    """Asks each asset's IO manager `stored_at`; only the IO managers the chain uses are initialised, once."""
    from dagster import build_output_context, build_resources

    graph = defs.resolve_asset_graph()
    resources = dict(defs.resources or {})
    with _Resources(build_resources, resources) as open_manager:
        managers: dict[AssetKey, Any] = {}
        for key in keys:  # the last one is only asked whether it proves its upstream's blocking checks passed
            io_key = graph.get(key).assets_def.get_io_manager_key_for_asset_key(key)
            manager = open_manager(io_key)
            if callable(getattr(manager, "stored_at", None)):
                managers[key] = manager
            elif key != keys[-1]:
                yield None, f"IO manager {io_key!r} of {key.to_user_string()} cannot tell when it stored a value"
                return

        def probe(key: "AssetKey") -> bool:
            # with the asset's partitions definition, so an IO manager can parse a multi-dimensional key
            # (`vienna|2026-11-27`, a fanned-out pod's) into its dimensions, as in a run
            context = (
                build_output_context(
                    asset_key=key, partition_key=partition, asset_partitions_def=graph.get(key).partitions_def
                )
                if partition
                else build_output_context(asset_key=key)
            )
            when = managers[key].stored_at(context) if key in managers else None
            # Strictly after: both times have one-second resolution, and a pod of this workflow starts seconds after
            # its creation, so an object from the very second of the creation is an earlier run's (the one before
            # released the pipeline's mutex moments ago).
            return when is not None and when > created

        yield probe, "the IO manager's stored values, written since the workflow was created"


class _Resources:
    """Opens resources one key at a time and closes them all on exit (Dagster's build_resources is a context)."""

    def __init__(self, build: Any, definitions: dict[str, Any]) -> None:
        self._build = build
        self._definitions = definitions
        self._open: list[Any] = []
        self._resolved: dict[str, Any] = {}

    def __enter__(self) -> Any:
        return self._manager

    def _manager(self, key: str) -> Any:
        if key not in self._definitions:
            return None  # Dagster's default IO manager: cannot tell when it stored anything
        if key not in self._resolved:
            context = self._build({key: self._definitions[key]})
            self._open.append(context)
            self._resolved[key] = getattr(context.__enter__(), key)
        return self._resolved[key]

    def __exit__(self, *exc: object) -> None:
        for context in reversed(self._open):
            context.__exit__(None, None, None)


def created_time_from(raw: str | None) -> datetime | None:
    """`--created-time` as a time, None when Argo left the placeholder (then nothing is skipped)."""
    from compiler.materialize.partition import CREATED_TIME_PLACEHOLDER, _parse_time

    return _parse_time(raw, CREATED_TIME_PLACEHOLDER, "--created-time")


def attempt_from(raw: str | None) -> int:
    """`--attempt` as a number. Absent, empty or Argo's literal `{{retries}}` (left so on a template without a
    retryStrategy, which has only one attempt) is 0: the whole chain runs."""
    from compiler.argo import RETRIES, placeholder
    from compiler.materialize.loading import MaterializeUsageError

    text = (raw or "").strip()
    if not text or text == placeholder(RETRIES):
        return 0
    if not (text.isascii() and text.isdigit()):
        raise MaterializeUsageError(
            f"--attempt {raw!r} is not a retry number (0, 1, 2, ...); pass Argo's {placeholder(RETRIES)} or omit it"
        )
    return int(text)
