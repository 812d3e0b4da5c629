"""The pod's half of a run-requesting `run_status_sensor` / `run_failure_sensor` (compiler/builder/run_triggers.py).

The Argo Events Sensor created this Workflow, a run of one of the sensor's request_jobs, when a Workflow of a
monitored job ended; `object-key` names that ended run (compiler/sensors/workflow_events.py). Every step evaluates
the sensor body with the RunStatusSensorContext Dagster's daemon would pass (built as the exit handler's pod builds
it, compiler/materialize/run_status.py) and runs the partition its RunRequest names. A SkipReason, no request, or a
request for another of the sensor's jobs skips the step (exit 0: that job's own Workflow runs it); several requests,
a run_config, or a job the sensor does not target are exit 2 naming the sensor (one Workflow runs one run, and
run config is not passed on).
"""

import dagster as dg

from compiler.materialize.asset_events import SensorSkipped
from compiler.materialize.loading import MaterializeUsageError
from compiler.materialize.run_status import as_list, status_context
from compiler.sensors.workflow_events import parse_object_key
from compiler.user_text import shortened


def request_for_ended_run(sensor: dg.SensorDefinition, key: str) -> str | None:
    """The partition of the run the sensor requests for the ended run `key` names (None: unpartitioned);
    SensorSkipped when it requests none for this Workflow's job."""
    if not isinstance(sensor, dg.RunStatusSensorDefinition):
        raise MaterializeUsageError(f"sensor {sensor.name} is not a run status sensor")
    ended = parse_object_key(key)
    if ended is None:
        raise MaterializeUsageError(
            f"object-key {shortened(key, quoted=True)} does not name an ended run ('run-status JOB REQUESTED PHASE "
            f"WORKFLOW'); sensor {sensor.name}'s Argo Events Sensor writes it"
        )
    targets = {str(target.job_name) for target in sensor.targets}
    if ended.requested not in targets:
        raise MaterializeUsageError(f"sensor {sensor.name} does not request job {ended.requested}; rebuild")
    result = sensor(status_context(sensor, ended.job, ended.phase, ended.workflow))
    items = as_list(result)
    if any(isinstance(item, dg.SensorResult) for item in items):
        items = [request for item in items if isinstance(item, dg.SensorResult) for request in item.run_requests or []]
    requests = [item for item in items if isinstance(item, dg.RunRequest)]
    if not requests:
        reasons = [item.skip_message for item in items if isinstance(item, dg.SkipReason) and item.skip_message]
        raise SensorSkipped(f"sensor {sensor.name} requested no run: {reasons[0] if reasons else 'no run request'}")
    if len(requests) > 1:
        raise MaterializeUsageError(f"sensor {sensor.name} requested {len(requests)} runs; one Workflow runs one")
    request = requests[0]
    job = request.job_name or (next(iter(targets)) if len(targets) == 1 else None)
    if job not in targets:
        raise MaterializeUsageError(
            f"sensor {sensor.name}: a RunRequest for {job or 'no job'} is not compiled: name one of its request_jobs "
            f"({', '.join(sorted(targets))})"
        )
    if request.asset_selection is not None:
        raise MaterializeUsageError(f"sensor {sensor.name}: a RunRequest with asset_selection is not compiled")
    if request.run_config:
        raise MaterializeUsageError(
            f"sensor {sensor.name}: a RunRequest with run_config is not compiled (the Workflow runs the job's steps "
            "with their own config); drop run_config or configure the assets in code"
        )
    if job != ended.requested:
        raise SensorSkipped(f"sensor {sensor.name} requested job {job}, not {ended.requested}")
    return request.partition_key
