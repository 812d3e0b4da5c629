"""`materialize --job NAME --op STEP`: run one op of an op job in this pod, as Dagster's k8s executor runs one step.

The k8s executor launches `dagster api execute_step` per step: the pod rebuilds the job's execution plan with
`create_execution_plan(job, step_keys_to_execute=[step], known_state=KnownExecutionState(...))` and runs it with
`execute_plan` under the run id every step of the run shares; inputs load through the IO managers from what the
upstream steps stored. Here the run id is derived from the Workflow's uid (`{{workflow.uid}}`), the job and the
partition (`dagster_run_id`: a backfill Workflow runs the job once per partition), and the known state, which the
k8s executor's orchestrating process keeps, travels as Argo output parameters instead: each pod writes
`known-state` (the outputs it and its upstream stored, the steps that finished, the dynamic mapping keys) and
`mapping-keys` (its DynamicOut's keys, which the mapped op's task fans out over with `withParam`). No shared
instance is needed: each pod rebuilds the plan from that state (compiler/builder/op_steps.py compiles the DAG).

Skipping, as Dagster's ActiveExecution decides it (`_should_skip_step`): a step whose input comes from a finished
step that did not yield that output (an `Out(is_required=False)` not yielded, or a step skipped itself) is skipped;
a fan-in input only when all its sources are missing. The pod then exits 0 with `materialize: skipped ...` and
writes no outputs, so its own downstream ops skip in turn. Outputs of mapped steps are not in the known state (Argo
keeps a fan-out's outputs per child): the collect counts each of them as stored, which Argo's `depends` on the
whole fan-out guarantees (op_steps.py keeps mapped ops with optional outputs in one pod).
"""

import argparse
import contextlib
import json
import sys
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler import exit_codes
from compiler.materialize.loading import MaterializeUsageError
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import DagsterEvent, JobDefinition
    from dagster._core.execution.plan.plan import ExecutionPlan


@dataclass
class KnownState:
    """What the upstream pods told: outputs stored (step key, output, mapping key), steps finished, mapping keys."""

    ready: set[tuple[str, str, str]] = field(default_factory=set)
    done: set[str] = field(default_factory=set)
    mappings: dict[str, dict[str, list[str] | None]] = field(default_factory=dict)

    def as_json(self) -> str:
        return json.dumps(
            {
                "done": sorted(self.done),
                "mappings": self.mappings,
                "ready": sorted([list(item) for item in self.ready]),
            },
            sort_keys=True,
            separators=(",", ":"),
        )


def parse_known_state(text: str | None) -> KnownState:
    """The `--known-state` argument: a JSON list of upstream pods' states (each an object), merged."""
    state = KnownState()
    if not text or not text.strip():
        return state
    try:
        items = json.loads(text)
    except ValueError as error:
        raise MaterializeUsageError(f"--known-state is not JSON: {error}") from None
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, str):  # Argo may hand an upstream's output as a JSON string
            item = json.loads(item)
        if not isinstance(item, dict):
            raise MaterializeUsageError("--known-state: expected a JSON list of objects")
        state.done.update(item.get("done", []))
        state.ready.update((str(s), str(o), str(m or "")) for s, o, m in item.get("ready", []))
        for step, outputs in (item.get("mappings") or {}).items():
            state.mappings.setdefault(step, {}).update(outputs)
    return state


def dagster_run_id(workflow_uid: str, job: str, partition: str | None) -> str:
    """The Dagster run every op's pod of one run of the job shares: one per Workflow, job and partition, as one
    Workflow may run the job for several partitions (a backfill), each its own Dagster run with its own run id
    (where the IO manager stores its outputs). A UUID, as Dagster's own run ids, derived so every pod agrees."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"argo-workflow:{workflow_uid}/job:{job}/partition:{partition or ''}"))


def step_key_of(op: str, mapping_key: str | None) -> str:
    return f"{op}[{mapping_key}]" if mapping_key else op


def run_op_step(args: argparse.Namespace) -> int:
    """The `--job J --op STEP` body of `materialize` (compiler/materialize/command.py hands over to it)."""
    from compiler.materialize.collection import start_up_without_collection
    from compiler.materialize.loading import load_definitions, pod_location
    from compiler.materialize.op_job import choose_run, require_op_job
    from compiler.materialize.op_run_config import execution_warning, op_job_run_config
    from compiler.materialize.partition import parse_scheduled_time
    from compiler.materialize.termination import exit_promptly_on_sigterm

    mapping_key = (args.mapping_key or "").strip() or None
    step_key = step_key_of(args.op, mapping_key)
    where = f"job={shortened(args.job)} op={shortened(step_key)}"
    exit_promptly_on_sigterm()
    with contextlib.redirect_stderr(sys.stdout), start_up_without_collection():
        try:
            state = parse_known_state(args.known_state)
            run_id = (args.run_id or "").strip()
            if not run_id or run_id.startswith("{{"):
                raise MaterializeUsageError("--op needs --run-id, the id every op's pod of the run shares")
            now = datetime.now(UTC)
            defs = load_definitions(pod_location(args))
            job = require_op_job(defs, args.job)
            scheduled_time = parse_scheduled_time(args.scheduled_time, now, args.created_time, args.backfill_time)
            chosen = choose_run(defs, job, args.partition, args.schedule, scheduled_time, now)
            if chosen.skipped_because is not None:
                _write_outputs(args, state, [])
                print(f"materialize: skipped {where}: {chosen.skipped_because}", flush=True)
                return exit_codes.SUCCEEDED
            run_config = op_job_run_config(job, chosen.partition, chosen.run_config, args.run_config)
            unapplied = execution_warning(job, run_config)
            if unapplied:
                print(f"materialize: warning: {unapplied}", flush=True)
            print(f"materialize: {where} partition={shortened(chosen.partition or '-')} (one op per pod)", flush=True)
            run_id = dagster_run_id(run_id, job.name, chosen.partition)
            outcome = execute_op_step(job, step_key, run_id, chosen.partition, chosen.tags, state, run_config)
        except MaterializeUsageError as error:
            _traceback_if(args)
            print(f"materialize: bad usage: {error}", flush=True)
            return exit_codes.USAGE
        except Exception as error:  # the summary line must name any cause, including import errors
            _traceback_if(args)
            print(f"materialize: FAILED {where}: {type(error).__name__}: {error}", flush=True)
            return exit_codes.FAILED
    if outcome.skipped_because:
        _write_outputs(args, outcome.state, [])
        print(f"materialize: skipped {where}: {outcome.skipped_because}", flush=True)
        return exit_codes.SUCCEEDED
    if outcome.failure is not None:
        print(f"materialize: FAILED {where}: {outcome.failure}", flush=True)
        return exit_codes.FAILED
    _write_outputs(args, outcome.state, outcome.mapping_keys)
    print(f"materialize: succeeded {where}", flush=True)
    return exit_codes.SUCCEEDED


@dataclass
class StepOutcome:
    state: KnownState
    mapping_keys: list[str]
    failure: str | None = None
    skipped_because: str = ""


def execute_op_step(
    job: "JobDefinition",
    step_key: str,
    run_id: str,
    partition: str | None,
    tags: dict[str, str],
    state: KnownState,
    run_config: Mapping[str, Any] | None = None,
) -> StepOutcome:
    """Dagster's own step execution (`execute_plan` of a one-step plan), under the shared run id, with the run's
    config (compiler/materialize/op_run_config.py: every op's pod of the run builds the same)."""
    from dagster import DagsterEventType
    from dagster._core.definitions.job_base import InMemoryJob
    from dagster._core.execution.api import execute_plan
    from dagster._core.execution.retries import RetryMode

    from compiler.materialize.execution import _root_error
    from compiler.materialize.instance import open_instance
    from compiler.materialize.op_run_config import for_execution
    from compiler.materialize.run_tags import argo_run_tags

    run_tags = {**job.run_tags, **argo_run_tags(), **tags}
    if partition:
        if job.partitioned_config is not None:
            run_tags.update(job.partitioned_config.get_tags_for_partition_key(partition, job_name=job.name))
        else:
            run_tags.update(job.get_tags_for_partition_key(partition, selected_asset_keys=None))
    if run_config is None:  # no config given: the partition's, as a backfill's run gets it
        run_config = job.get_run_config_for_partition_key(partition) if partition else {}
    job, config = for_execution(job, run_config)
    wrapped = InMemoryJob(job)

    plan = _plan(wrapped, config, step_key, state, set())
    missing = _missing_inputs(plan, step_key, state)
    dynamic = {o.name: o.is_required for o in plan.get_step_by_key(step_key).step_outputs if o.is_dynamic}
    if missing:
        skipped = _after(state, step_key, [], dict.fromkeys(dynamic, False))  # `_skip_for_dynamic_outputs`: None
        return StepOutcome(skipped.state, [], skipped_because=f"upstream output(s) not yielded: {', '.join(missing)}")
    plan = _plan(wrapped, config, step_key, state, _assumed_ready(plan, step_key, state))

    with open_instance() as instance:
        dagster_run = instance.get_run_by_id(run_id)
        if dagster_run is None:
            try:
                dagster_run = instance.create_run_for_job(
                    job_def=job, execution_plan=plan, run_id=run_id, run_config=config, tags=run_tags
                )
            except Exception:  # another pod of the run created it first (a shared instance)
                dagster_run = instance.get_run_by_id(run_id)
                if dagster_run is None:
                    raise
        events: list[DagsterEvent] = list(
            execute_plan(
                plan, wrapped, instance, dagster_run, run_config=config, retry_mode=_retry_mode(job, RetryMode)
            )
        )
    if any(event.event_type == DagsterEventType.STEP_FAILURE for event in events):
        return StepOutcome(state, [], failure=_root_error(events))
    return _after(state, step_key, events, dynamic)


def _plan(
    job: Any, run_config: dict[str, Any], step_key: str, state: KnownState, extra_ready: set[Any]
) -> "ExecutionPlan":
    from dagster._core.execution.api import create_execution_plan
    from dagster._core.execution.plan.outputs import StepOutputHandle
    from dagster._core.execution.plan.state import KnownExecutionState

    ready = {StepOutputHandle(s, o, m or None) for s, o, m in state.ready} | extra_ready
    known = KnownExecutionState(dynamic_mappings=dict(state.mappings), ready_outputs=ready)
    try:
        return create_execution_plan(job, run_config=run_config, step_keys_to_execute=[step_key], known_state=known)
    except Exception as error:
        raise MaterializeUsageError(f"cannot plan step {step_key!r}: {type(error).__name__}: {error}") from error


def _dependencies(plan: "ExecutionPlan", step_key: str) -> list[tuple[bool, list[Any]]]:
    """Per input: (fan-in, the step outputs it reads)."""
    from dagster._core.execution.plan.inputs import FromMultipleSources

    step = plan.get_executable_step_by_key(step_key)
    return [
        (isinstance(step_input.source, FromMultipleSources), list(step_input.get_step_output_handle_dependencies()))
        for step_input in step.step_inputs
    ]


def _missing_inputs(plan: "ExecutionPlan", step_key: str, state: KnownState) -> list[str]:
    """Dagster's `_should_skip_step`: an output of a finished step that is not stored."""
    for fan_in, handles in _dependencies(plan, step_key):
        missing = [
            h
            for h in handles
            if h.step_key in state.done and (h.step_key, h.output_name, h.mapping_key or "") not in state.ready
        ]
        if missing and (not fan_in or len(missing) == len(handles)):
            return [f"{h.step_key}.{h.output_name}" for h in missing]
    return []


def _assumed_ready(plan: "ExecutionPlan", step_key: str, state: KnownState) -> set[Any]:
    """Outputs of steps whose pods' state this pod does not see (the mapped ops a collect reads): Argo ran this
    pod only because every one of them succeeded."""
    return {h for _fan_in, handles in _dependencies(plan, step_key) for h in handles if h.step_key not in state.done}


def _retry_mode(job: "JobDefinition", retry_mode: Any) -> Any:
    """The executor's `retries` setting (enabled unless configured `disabled`), as the k8s executor passes it."""
    executor = job.executor_def
    result = executor.apply_config_mapping({}) if executor is not None else None
    value = result.value if result is not None and result.success and isinstance(result.value, dict) else {}
    config = value.get("config")
    retries = config.get("retries") if isinstance(config, dict) else None
    return retry_mode.DISABLED if isinstance(retries, dict) and "disabled" in retries else retry_mode.ENABLED


def _after(state: KnownState, step_key: str, events: list["DagsterEvent"], dynamic: dict[str, bool]) -> StepOutcome:
    """The known state after this step (ran, or skipped: no events): its stored outputs and its DynamicOuts'
    mapping keys added, as ActiveExecution's `_resolve_any_dynamic_outputs` completes them: an optional DynamicOut
    that yielded nothing maps to None, which makes Dagster skip what reads it (the collect's op included), a
    required one to [] (the collect's op runs with [])."""
    from dagster import DagsterEventType

    after = KnownState(set(state.ready), {*state.done, step_key}, {k: dict(v) for k, v in state.mappings.items()})
    keys: dict[str, list[str]] = {}
    for event in events:
        if event.event_type != DagsterEventType.STEP_OUTPUT or event.step_key != step_key:
            continue
        handle = event.step_output_data.step_output_handle
        after.ready.add((handle.step_key, handle.output_name, handle.mapping_key or ""))
        if handle.mapping_key:
            keys.setdefault(handle.output_name, []).append(handle.mapping_key)
    for name, required in dynamic.items():
        found = keys.get(name, [])
        after.mappings.setdefault(step_key, {})[name] = found if found or required else None
    mapping_keys = [key for name in sorted(dynamic) for key in keys.get(name, [])]
    return StepOutcome(after, mapping_keys)


def _traceback_if(args: argparse.Namespace) -> None:
    """Tracebacks only under --debug (or COMPILER_DEBUG=1 in the pod), as every materialize path."""
    from compiler.materialize.console import debug_wanted

    if debug_wanted(getattr(args, "debug", False)):
        traceback.print_exc(file=sys.stdout)


def _write_outputs(args: argparse.Namespace, state: KnownState, mapping_keys: list[str]) -> None:
    """Argo's output parameters: written even for a skipped step, so its downstream pods can read them."""
    for target, text in ((args.state_out, state.as_json()), (args.mapping_keys_out, json.dumps(mapping_keys))):
        if target and not target.startswith("{{"):
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_text(text, encoding="utf-8")
