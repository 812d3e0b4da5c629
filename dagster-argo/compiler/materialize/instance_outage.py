"""The shared instance's PostgreSQL lost in the middle of a run: bounded waits, a true account, a true record.

Without this, a database crash made every event write retry its connection (dagster-postgres: 6 attempts, ~11 s of
sleeps each), so the pod failed after ~40-60 s with "too many retries for DB connection", and a hung database
(SIGSTOP, a frozen VM) blocked each write up to the connect timeout per attempt (~150 s), while the object had been
stored whole. Here, in a pod on the shared instance:
- every wait on the database is bounded (`bound_database_waits`: psycopg2's wait callback with a deadline, so a
  server that accepts TCP but never answers fails the operation after `timeout_s`, as a refused one fails at once);
- the first event that cannot be written marks the database lost for the rest of the pod (`record_through_outage`):
  later events are not sent (the record is incomplete either way) and the run goes on; what matters is remembered in
  process (which assets were materialized, i.e. stored by their IO manager; the step's failure);
- the pod ends with exit 1 (another attempt records the run) and says what happened to the data and which database
  failed: "the asset was materialized and stored; recording the run in user@host:port/db failed: ...";
- the record stays true: the run left STARTED is marked FAILURE by the next pod of the same Argo node and partition,
  with a message saying why (`mark_abandoned_runs`), before that pod records its own run.
"""

import select
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dagster import DagsterInstance

ABANDONED_STATUSES = ("STARTED", "STARTING", "NOT_STARTED")
MATCHING_TAGS = ("argo/workflow-uid", "argo/node", "dagster/partition")


@dataclass
class Outage:
    """What this process knows once the database is gone (per process: one pod runs one step)."""

    reason: str | None = None
    armed: bool = False  # the instance was opened and answered: from now on a hung database ends the recording
    materialized: set[str] = field(default_factory=set)
    step_failure: str | None = None
    unsent_events: int = 0


OUTAGE = Outage()


def bound_database_waits(timeout_s: float) -> None:
    """Every psycopg2 wait (connect, query, result) ends within `timeout_s`; none is tried once the database was lost
    in this pod."""
    import psycopg2.extensions

    psycopg2.extensions.set_wait_callback(partial(_wait, timeout_s=timeout_s))


def _wait(connection: Any, timeout_s: float) -> None:
    import psycopg2
    import psycopg2.extensions as ext

    if OUTAGE.reason is not None:
        raise psycopg2.OperationalError(f"not tried: the database was lost earlier in this pod ({OUTAGE.reason})")
    deadline = time.monotonic() + timeout_s
    while True:
        state = connection.poll()
        if state == ext.POLL_OK:
            return
        remaining = deadline - time.monotonic()
        if remaining > 0:
            fd = connection.fileno()
            reading: list[int] = [fd] if state == ext.POLL_READ else []
            writing: list[int] = [] if state == ext.POLL_READ else [fd]
            if any(select.select(reading, writing, [], remaining)):
                continue
        reason = f"PostgreSQL did not answer within {timeout_s:g} s"
        if OUTAGE.armed:  # mid-run, a server that is silent this long is not a blip: dagster's retries would wait too
            OUTAGE.reason = reason
        raise psycopg2.OperationalError(reason)


def record_through_outage(instance: "DagsterInstance", reason_of: Any) -> None:
    """Wrap this instance's event writes: note what the run did, stop writing after the first failure."""
    original = instance.handle_new_event

    def handle_new_event(event: Any, *args: Any, **kwargs: Any) -> None:
        _note(getattr(event, "dagster_event", None))
        if OUTAGE.reason is not None:
            OUTAGE.unsent_events += 1
            return
        try:
            original(event, *args, **kwargs)
        except Exception as error:  # the database, whatever the driver or dagster-postgres wrapped it in
            OUTAGE.reason = reason_of(error)
            OUTAGE.unsent_events += 1

    original_get_run = instance.get_run_by_id

    def get_run_by_id(run_id: str) -> Any:
        """execute_job reloads the run after it ran: once the database is lost, fail at once (no retry sleeps)."""
        if OUTAGE.reason is not None:
            raise DatabaseLostError(OUTAGE.reason)
        return original_get_run(run_id)

    instance.handle_new_event = handle_new_event  # type: ignore[method-assign]
    OUTAGE.armed = True
    instance.get_run_by_id = get_run_by_id  # type: ignore[method-assign]


class DatabaseLostError(Exception):
    """The shared instance's database was lost earlier in this pod; nothing more is asked of it."""


def _note(event: Any) -> None:
    from dagster import DagsterEventType

    if event is None:
        return
    if event.event_type == DagsterEventType.ASSET_MATERIALIZATION and event.asset_key is not None:
        OUTAGE.materialized.add(event.asset_key.to_user_string())
    elif event.event_type == DagsterEventType.STEP_FAILURE and OUTAGE.step_failure is None:
        error = getattr(event.event_specific_data, "error", None)
        while error is not None and error.cause is not None:
            error = error.cause
        OUTAGE.step_failure = (error.message.strip().splitlines() or [""])[0] if error else event.message


def outage_cause(asset_keys: list[str], where: str) -> str:
    """The pod's last words when the database was lost during its run: the data first, then the record."""
    stored = [key for key in asset_keys if key in OUTAGE.materialized]
    if stored and len(stored) == len(asset_keys):
        data = (
            "the asset was materialized and stored" if len(stored) == 1 else "the assets were materialized and stored"
        )
    elif stored:
        data = f"{', '.join(stored)} materialized and stored, {', '.join(set(asset_keys) - set(stored))} not"
    elif OUTAGE.step_failure:
        data = f"the step failed ({OUTAGE.step_failure}) and nothing was stored"
    else:
        data = "nothing was stored"
    return (
        f"{data}; recording the run in {where} failed: {OUTAGE.reason}; the run's record stays STARTED until the "
        "next attempt of this step marks it failed"
    )


def mark_abandoned_runs(instance: "DagsterInstance", tags: Mapping[str, str], where: str) -> int:
    """Runs of this Argo node and partition that an earlier pod left unfinished (its database went away) become
    FAILURE, saying so; the count marked. Nothing without the workflow uid and node (not an Argo pod)."""
    from dagster import DagsterRunStatus, RunsFilter

    wanted = {tag: tags[tag] for tag in MATCHING_TAGS if tag in tags}
    if "argo/workflow-uid" not in wanted or "argo/node" not in wanted:
        return 0
    statuses = [DagsterRunStatus(status) for status in ABANDONED_STATUSES]
    runs = instance.get_runs(filters=RunsFilter(statuses=statuses, tags=wanted))
    for run in runs:
        pod = run.tags.get("argo/pod", "an earlier pod")
        instance.report_run_failed(
            run,
            f"marked failed by a later attempt of Argo node {wanted['argo/node']}: {pod} ended while {where} was "
            "unreachable, so this run's end was never recorded; that pod's log says whether its asset was stored",
        )
    return len(runs)
