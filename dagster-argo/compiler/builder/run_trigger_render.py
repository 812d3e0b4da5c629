"""The YAML of run-requesting run status sensors (compiler/builder/run_triggers.py): one `resource` EventSource per
Dagster sensor, one Sensor per (monitored job, requested job)."""

from collections.abc import Mapping

from compiler.builder.plan_types import Plan
from compiler.builder.render import ENVIRONMENT
from compiler.builder.run_triggers import COMPLETED_LABEL, DEPENDENCY, EVENT_NAME, PIPELINE_LABEL

OBJECT_KEY_PARAMETER = "object-key"  # the workflow parameters the steps read (compiler/builder/events.py)
SENSOR_PARAMETER = "sensor"


def render_run_triggers(plan: Plan, common: Mapping[str, object]) -> dict[str, str]:
    """`<source>.eventsource.yaml` per run status sensor and `<name>.sensor.yaml` per Sensor; `common` has the
    Sensors' ServiceAccount as `account`."""
    files: dict[str, str] = {}
    for trigger in plan.run_triggers:
        context = {
            **common,
            "trigger": trigger,
            "event_name": EVENT_NAME,
            "dependency": DEPENDENCY,
            "pipeline_label": PIPELINE_LABEL,
            "completed_label": COMPLETED_LABEL,
            "object_key": OBJECT_KEY_PARAMETER,
            "sensor_parameter": SENSOR_PARAMETER,
        }
        source = f"{trigger.source}.eventsource.yaml"
        if source not in files:
            files[source] = ENVIRONMENT.get_template("run-eventsource.yaml.j2").render(context)
        files[f"{trigger.name}.sensor.yaml"] = ENVIRONMENT.get_template("run-sensor.yaml.j2").render(context)
    return files
