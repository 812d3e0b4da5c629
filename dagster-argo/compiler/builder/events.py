"""new_object_sensor → Argo Events: an EventSource (minio; sqs for AWS S3) and a Sensor creating a Workflow from the
WorkflowTemplate, plus the warnings naming every way it differs from Dagster's polling sensor (compiler/sensors/).

The Sensor filters the object key with the anchored regular expressions of `ObjectKeyRule.filters()` (the very
strings Dagster's sensor applies), passes the key as the workflow parameter `object-key` and the Dagster sensor's
name as `sensor`; the pod maps the key to the partition with the same rule (compiler/materialize/object_key.py). The
Workflow's name is a hash of bucket/key@ETag (Dagster's run_key), so a redelivered notification fails to create a
second Workflow while the first one exists.
"""

import re
from collections.abc import Mapping
from typing import Any

from compiler.builder.asset_triggers import asset_sensor_warnings
from compiler.builder.eager import eager_warnings
from compiler.builder.model import Project
from compiler.builder.multi_asset_triggers import multi_asset_sensor_warnings
from compiler.builder.naming import assign_names, sanitise
from compiler.builder.object_fan_out import OBJECT_STATIC_KEY_PARAMETER, SensorEntry, static_key_template
from compiler.builder.plan_types import EventPlan, Plan
from compiler.builder.render import ENVIRONMENT
from compiler.builder.run_trigger_render import render_run_triggers
from compiler.errors import UnsupportedInputError
from compiler.sensors.asset_events import MARKER_SUFFIX, marker_prefix
from compiler.sensors.store import StoreSettingsError, endpoint_parts
from compiler.settings import SecretRef, Settings

WORKFLOW_HASH_LENGTH = 20  # hex digits of sha256(bucket/key@etag) in the Workflow's name
EVENT_NAME = "object-created"
DEPENDENCY = "newobject"  # [a-z0-9] only: govaluate reads `-` as minus
OBJECT_KEY_PARAMETER = "object-key"
SENSOR_PARAMETER = "sensor"
SENSOR_ACCOUNT_SUFFIX = "-events"
NAME_LIMIT = 50  # Argo Events names the Sensor's Deployment `<name>-sensor-<5>`; keep it a DNS label


def plan_events(
    project: Project, settings: Settings, entries: Mapping[str, SensorEntry], gated: set[str]
) -> tuple[EventPlan, ...]:
    names, _ = assign_names(
        (f"{settings.name}-{t.spec.name}" for t in project.object_triggers), limit=NAME_LIMIT, what="Sensor"
    )
    config, secrets = dict(settings.config), dict(settings.secrets)
    events = settings.events
    store = events.store if events else "minio"
    plans = []
    for trigger in project.object_triggers:
        spec, where = trigger.spec, f"sensor {trigger.spec.name}"
        entry = entries[spec.name]
        entrypoint = entry.entrypoint
        if entrypoint in gated:
            raise UnsupportedInputError(
                f"{where}: targets the job of a schedule with code of its own, whose DAG starts with a "
                "schedule-gate; target another define_asset_job job selecting the same assets"
            )
        bucket = spec.bucket or config.get(spec.bucket_variable, "")
        if not bucket and trigger.monitored:
            raise UnsupportedInputError(
                f"{where}: an @asset_sensor's events are marker objects the materializing pod writes into the bucket "
                f"{spec.bucket_variable} names; set {spec.bucket_variable} and {spec.variables.endpoint} in "
                "[tool.compiler.config] and the store's credentials in [tool.compiler.secrets]"
            )
        if not bucket:
            raise UnsupportedInputError(
                f"{where}: its bucket is {spec.bucket_variable}, which [tool.compiler.config] does not set; set it "
                "there (the EventSource needs the bucket's name)"
            )
        endpoint, insecure = "", False
        if store == "minio":
            variable = spec.variables.endpoint
            if variable not in config:
                raise UnsupportedInputError(
                    f"{where}: the minio EventSource needs the store's endpoint: set {variable} in "
                    "[tool.compiler.config] (http(s)://host:port)"
                )
            try:
                endpoint, secure = endpoint_parts(config[variable], variable)
            except StoreSettingsError as error:
                raise UnsupportedInputError(f"{where}: [tool.compiler.config] {error}") from None
            insecure = not secure
        name = names[f"{settings.name}-{spec.name}"]
        plans.append(
            EventPlan(
                sensor=spec.name,
                name=name,
                store=store,
                entrypoint=entrypoint,
                bucket=bucket,
                endpoint=endpoint,
                insecure=insecure,
                access_key=_secret(secrets, spec.variables.access_key, where, required=store == "minio"),
                secret_key=_secret(secrets, spec.variables.secret_key, where, required=store == "minio"),
                prefix=spec.prefix,
                suffix=spec.suffix,
                filters=spec.rule.filters(),
                workflow_prefix=sanitise(name)[: 63 - WORKFLOW_HASH_LENGTH - 1].rstrip("-"),
                queue=events.queue if events else "",
                region=events.region if events else "",
                wait_time_seconds=events.wait_time_seconds if events else 20,
                static_key_pattern=entry.static_key_pattern,
                dependencies=tuple(
                    (f"m{index}", f"^{re.escape(marker_prefix(key))}(?s:.*){re.escape(MARKER_SUFFIX)}$")
                    for index, key in enumerate(trigger.monitored_keys)
                ),
                static_key_replacement=entry.static_key_replacement,
            )
        )
    return tuple(plans)


def _secret(secrets: Mapping[str, SecretRef], variable: str, where: str, *, required: bool) -> SecretRef | None:
    if variable in secrets:
        return secrets[variable]
    if required:
        raise UnsupportedInputError(
            f"{where}: the EventSource reads the store's credentials from a Secret: add {variable} = "
            "{ name = SECRET, key = KEY } to [tool.compiler.secrets]"
        )
    return None


def sensor_account(pipeline: str) -> str:
    """The ServiceAccount every compiled Sensor runs as: allowed to create Workflows, nothing else."""
    return f"{pipeline}{SENSOR_ACCOUNT_SUFFIX}"


def event_warnings(project: Project, plans: tuple[EventPlan, ...]) -> tuple[str, ...]:
    """Every way the compiled Sensor differs from Dagster's sensor, one line each, naming the sensor."""
    by_name = {t.spec.name: t for t in project.object_triggers}
    warnings: list[str] = []
    for plan in plans:
        where = f"sensor {plan.sensor}"
        trigger = by_name[plan.sensor]
        if trigger.eager:  # AutomationCondition.eager(): compiler/builder/eager.py
            warnings += eager_warnings(plan.sensor, trigger.eager, trigger.monitored)
            continue
        if trigger.monitored_keys:  # a @multi_asset_sensor: compiler/builder/multi_asset_triggers.py
            warnings += multi_asset_sensor_warnings(plan.sensor, trigger.monitored)
        elif trigger.monitored:  # an @asset_sensor: compiler/builder/asset_triggers.py
            warnings += asset_sensor_warnings(plan.sensor, trigger.monitored)
        if trigger.monitored:
            if plan.store != "minio":
                warnings.append(f"{where}: its markers reach the Sensor through the S3 → SQS notification you set up")
            if trigger.stopped:
                warnings.append(
                    f"{where}: default_status STOPPED (Dagster's default) has no Argo Events equivalent: the Sensor "
                    "reacts from the moment it is applied; leave its file out of the kustomization to keep it off"
                )
            continue
        source = "MinIO's bucket notifications" if plan.store == "minio" else "S3 notifications through SQS"
        warnings += [
            f"{where}: Argo Events pushes {source} as they happen instead of listing the bucket after a cursor "
            "every minimum_interval_seconds: objects written while the EventSource is down or before it starts "
            f"are never seen (no catch-up); run one by hand with argo submit --from workflowtemplate/... "
            f"-p {OBJECT_KEY_PARAMETER}=KEY -p {SENSOR_PARAMETER}={plan.sensor} --entrypoint {plan.entrypoint}",
            f"{where}: Dagster's run_key (key@ETag) starts a run at most once ever; the Workflow named after "
            "bucket/key@ETag refuses a redelivered notification only while that Workflow exists (until its "
            "ttlStrategy or a user deletes it)",
            f"{where}: one Workflow per notification: an object rewritten twice between two Dagster ticks is one "
            "run in Dagster (the tick sees its last version) and two Workflows on Argo",
        ]
        if plan.store != "minio":
            warnings.append(
                f"{where}: SQS records carry the key URL-encoded, which the Sensor's filters cannot decode: keys "
                "outside prefix/suffix/partition_key start a Workflow that fails with one line (exit 2); set the "
                "bucket notification's prefix/suffix filter to match"
            )
        if by_name[plan.sensor].partitioned and plan.static_key_pattern:
            warnings.append(
                f"{where}: a key that matches partition_key but names no partition of the target is skipped by "
                "Dagster's sensor; the Sensor's regexes cannot know the partitions: a static value outside the "
                "fan-out's keys starts a Workflow that runs no pod (every item Skipped), any other value outside the "
                "definition (a date) a Workflow that fails with one line (exit 2, not retried)"
            )
        elif by_name[plan.sensor].partitioned:
            warnings.append(
                f"{where}: a key that matches partition_key but names no partition of the target (a value outside a "
                "static dimension, a date outside the definition) is skipped by Dagster's sensor; the Sensor's "
                "regexes cannot know the partitions, so its Workflow fails with one line (exit 2, not retried)"
            )
        if by_name[plan.sensor].stopped:
            warnings.append(
                f"{where}: default_status STOPPED (Dagster's default) has no Argo Events equivalent: the Sensor "
                "reacts from the moment it is applied; leave its file out of the kustomization to keep it off"
            )
    return tuple(warnings)


def sensor_filters(event: EventPlan) -> list[dict[str, str]]:
    """The Sensor's data filters, each an anchored regex (Argo matches them unanchored): created, this bucket, and
    for MinIO (whose listen stream carries keys as stored) the key rule's filters."""
    records = "notification.0" if event.store == "minio" else "body.Records.0"
    created = "^s3:ObjectCreated:.*$" if event.store == "minio" else "^ObjectCreated:.*$"
    found = [
        {"path": f"{records}.eventName", "regex": created},
        {"path": f"{records}.s3.bucket.name", "regex": f"^{re.escape(event.bucket)}$"},
    ]
    if event.store == "minio":
        found += [{"path": event.key_path, "regex": regex} for regex in event.filters]
    return found


def sensor_dependencies(event: EventPlan) -> list[dict[str, Any]]:
    """One dependency (`newobject`), or for a @multi_asset_sensor one per monitored asset (`m0`, `m1`, ...: govaluate
    names in `conditions`), each with the event's filters plus the regex of its asset's markers."""
    if not event.dependencies:
        return [{"name": DEPENDENCY, "filters": sensor_filters(event)}]
    return [
        {"name": name, "filters": [*sensor_filters(event), {"path": event.key_path, "regex": regex}]}
        for name, regex in event.dependencies
    ]


def workflow_name_template(event: EventPlan) -> str:
    """Go template (sprig) over the event data: `<prefix>-` + the first hex digits of sha256(bucket/key@etag)."""
    records = ".Input.notification" if event.store == "minio" else ".Input.body.Records"
    return (
        f"{event.workflow_prefix}-{{{{ $r := index {records} 0 }}}}"
        f'{{{{ printf "%s/%s@%s" $r.s3.bucket.name $r.s3.object.key $r.s3.object.eTag | sha256sum '
        f"| trunc {WORKFLOW_HASH_LENGTH} }}}}"
    )


def render_events(plan: Plan, common: Mapping[str, object]) -> dict[str, str]:
    """`<name>.eventsource.yaml` and `<name>.sensor.yaml` per new_object_sensor."""
    files: dict[str, str] = {}
    for event in plan.events:
        context = {
            **common,
            "event": event,
            "event_name": EVENT_NAME,
            "dependency": event.dependencies[0][0] if event.dependencies else DEPENDENCY,
            "account": sensor_account(plan.name),
            "dependencies": sensor_dependencies(event),
            # one dependency fires on each event by itself (a one-asset @multi_asset_sensor): no `conditions`
            "conditions": " && ".join(name for name, _ in event.dependencies) if len(event.dependencies) > 1 else "",
            "name_template": workflow_name_template(event),
            "object_key": OBJECT_KEY_PARAMETER,
            "sensor_parameter": SENSOR_PARAMETER,
            "static_key_parameter": OBJECT_STATIC_KEY_PARAMETER,
            "static_key_template": (
                static_key_template(event.key_path, event.static_key_pattern, event.static_key_replacement)
                if event.static_key_pattern
                else ""
            ),
        }
        files[f"{event.name}.eventsource.yaml"] = ENVIRONMENT.get_template("eventsource.yaml.j2").render(context)
        files[f"{event.name}.sensor.yaml"] = ENVIRONMENT.get_template("sensor.yaml.j2").render(context)
    files.update(render_run_triggers(plan, {**common, "account": sensor_account(plan.name)}))
    return files


def render_events_bundle(plan: Plan, common: Mapping[str, object]) -> dict[str, str]:
    """The Sensors' ServiceAccount, Role (create workflows; get, list, watch them for the resource EventSources of
    run-requesting run status sensors) and RoleBinding; nothing without a compiled sensor."""
    if not plan.events and not plan.run_triggers:
        return {}
    account = sensor_account(plan.name)
    context = {
        **common,
        "account": account,
        "accounts": (account,),
        "role": account,
        "watches": bool(plan.run_triggers),
    }
    return {
        f"{account}.serviceaccount.yaml": ENVIRONMENT.get_template("serviceaccount.yaml.j2").render(context),
        f"{account}.role.yaml": ENVIRONMENT.get_template("events-role.yaml.j2").render(context),
        f"{account}.rolebinding.yaml": ENVIRONMENT.get_template("rolebinding.yaml.j2").render(context),
    }
