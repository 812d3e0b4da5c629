"""CLI of `run-events`: the compiled Argo Events Sensors replayed against a local S3 store (compiler/run_events/)."""

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import yaml

from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command
from compiler.run_events.replay import (
    Outcome,
    ReplayState,
    credential_variables,
    deliver,
    event_data,
    new_objects,
    run_workflow,
    workflow_templates,
)
from compiler.run_events.sensors import CompiledSensor, RunEventsError, Source, load_sensors
from compiler.run_events.workflow_source import ENDED_PHASES, ended_workflow, workflow_event
from compiler.sensors.store import StoreSettingsError, list_objects

DESCRIPTION = (
    "Replay the Argo Events Sensors `build` wrote (EventSource + Sensor YAML) against an S3 store on this machine: "
    "list each EventSource's bucket after a cursor, turn every new object into the notification the EventSource "
    "would send, apply the Sensor's filters and trigger exactly as written, and run each Workflow it creates with "
    "run-local. A Workflow name that already exists (a redelivered event) is not run again. The resource "
    "EventSources of run-requesting run status sensors list nothing: --ended (or --workflow) reports a Workflow "
    "that ended, after run-local of its DAG."
)
EPILOG = (
    "examples:\n  python -m compiler run-events argo_out --endpoint http://127.0.0.1:8333 --state .dev/events.json\n"
    "  python -m compiler run-events argo_out --ended job-nightly:Failed --state .dev/events.json\n\n"
    "Credentials: each EventSource secretKeyRef is read from the local variable the WorkflowTemplate's pods read "
    "that Secret key as (else MINIO_ACCESS_KEY/MINIO_SECRET_KEY).\n\n" + EXIT_CODES_HELP
)


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = add_command(
        subparsers,
        "run-events",
        help="replay the compiled Argo Events Sensors against a local S3 store",
        description=DESCRIPTION,
        epilog=EPILOG,
        handler=run,
    )
    parser.add_argument("directory", type=Path, help="the build's output folder (EventSources, Sensors, templates)")
    parser.add_argument(
        "--endpoint", default=None, help="the store's S3 API as http(s)://host:port (default: the EventSource's)"
    )
    parser.add_argument("--bucket", default=None, help="the bucket an sqs EventSource's queue reports on")
    parser.add_argument(
        "--state", type=Path, default=None, help="JSON file keeping cursors and created Workflows between runs"
    )
    parser.add_argument(
        "--event",
        type=Path,
        default=None,
        metavar="FILE",
        help="deliver this event data (JSON, as --save-events wrote it) instead of listing the store",
    )
    parser.add_argument(
        "--workflow",
        type=Path,
        default=None,
        metavar="FILE",
        help="a resource EventSource reports this ended Workflow (JSON or YAML, as `kubectl get workflow -o json` "
        "prints it) instead of listing anything",
    )
    parser.add_argument(
        "--ended",
        default=None,
        metavar="DAG:PHASE[:NAME]",
        help="a resource EventSource reports a Workflow of the WorkflowTemplate that ran DAG and ended in PHASE "
        "(Succeeded, Failed, Error), shaped as Argo's API returns it; NAME defaults to <template>-<DAG>-<phase>",
    )
    parser.add_argument("--save-events", type=Path, default=None, metavar="DIR", help="write each event's data here")
    parser.add_argument("--watch", type=float, default=0.0, metavar="SECONDS", help="list again every SECONDS")
    parser.add_argument("--max-parallel", type=int, default=2, help="tasks running at once per Workflow")


def run(args: argparse.Namespace) -> int:
    """0: every created Workflow succeeded; 1: one failed; 2: a manifest or setting run-events cannot use."""
    state = ReplayState.load(args.state)
    outcome = Outcome()
    try:
        sensors = load_sensors(args.directory)
        if not sensors:
            raise RunEventsError(f"{args.directory}: no Sensor manifests; build a project with a new_object_sensor")

        def workflow_runner(workflow: dict[str, Any], directory: Path) -> int:
            return run_workflow(workflow, directory, args.max_parallel)

        while True:
            for source in _sources(sensors):
                for data in _events(args, source, state):
                    deliver(sensors, source, data, args.directory, state, outcome, workflow_runner)
            state.save(args.state)
            if not args.watch or args.event or args.workflow or args.ended:
                break
            time.sleep(args.watch)
    except (RunEventsError, StoreSettingsError, OSError, ValueError) as error:
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"run-events: error: {' '.join(str(error).split())}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        state.save(args.state)
        return 1
    print(
        f"run-events: {len(outcome.created)} Workflow(s) created, {len(outcome.failed)} failed, "
        f"{len(outcome.refused)} already existed, {outcome.filtered} event(s) filtered out",
        flush=True,
    )
    return 1 if outcome.failed else 0


def _ended(args: argparse.Namespace) -> dict[str, Any]:
    """The Workflow object of --workflow, or the one --ended describes."""
    if args.workflow is not None:
        found = yaml.safe_load(args.workflow.read_text(encoding="utf-8"))
        if not isinstance(found, dict) or found.get("kind") != "Workflow":
            raise RunEventsError(f"--workflow {args.workflow}: not a Workflow object")
        return found
    dag, _, rest = str(args.ended).partition(":")
    phase, _, name = rest.partition(":")
    if not dag or phase not in ENDED_PHASES:
        raise RunEventsError(
            f"--ended {args.ended!r}: write it DAG:PHASE[:NAME], PHASE one of {', '.join(ENDED_PHASES)}"
        )
    templates = workflow_templates(args.directory)
    if len(templates) != 1:
        raise RunEventsError(
            f"--ended: {args.directory} holds {len(templates)} WorkflowTemplates, not one; use --workflow"
        )
    [(template_name, template)] = templates.items()
    return ended_workflow(template, name or f"{template_name}-{dag}-{phase.lower()}", dag, phase)


def _sources(sensors: list[CompiledSensor]) -> list[Source]:
    unique: dict[tuple[str, str], Source] = {}
    for sensor in sensors:
        unique.setdefault((sensor.source.name, sensor.source.event), sensor.source)
    return [unique[key] for key in sorted(unique)]


def _events(args: argparse.Namespace, source: Source, state: ReplayState) -> list[dict[str, Any]]:
    if args.workflow is not None or args.ended:  # an ended Workflow, for the resource EventSources only
        return [workflow_event(_ended(args))] if source.kind == "resource" else []
    if args.event is not None:
        return [json.loads(args.event.read_text(encoding="utf-8"))]
    if source.kind == "resource":  # nothing to list: its events are Workflows ending (--ended, --workflow, --event)
        return []
    try:
        from minio import Minio
    except ImportError:
        raise RunEventsError("run-events lists the store with minio: pip install 'dagster-argo[events]'") from None

    from compiler.sensors.store import endpoint_parts

    bucket = str((source.settings.get("bucket") or {}).get("name") or args.bucket or "")
    if not bucket:
        raise RunEventsError(f"EventSource {source.name}: pass --bucket, the bucket its queue reports on")
    endpoint = args.endpoint or (
        f"{'http' if source.settings.get('insecure') else 'https'}://{source.settings.get('endpoint')}"
    )
    netloc, secure = endpoint_parts(endpoint, "--endpoint")
    access, secret = credential_variables(args.directory, source)
    client = Minio(netloc, access_key=os.environ[access], secret_key=os.environ[secret], secure=secure)
    prefix = str((source.settings.get("filter") or {}).get("prefix", "")) if source.kind == "minio" else ""
    events = [
        event_data(source, bucket, obj) for obj in new_objects(source, list_objects(client, bucket, prefix), state)
    ]
    if args.save_events is not None:
        args.save_events.mkdir(parents=True, exist_ok=True)
        for data in events:
            number = len(list(args.save_events.iterdir())) + 1
            (args.save_events / f"{number:04d}.json").write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    return events
