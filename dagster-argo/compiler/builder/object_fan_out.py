"""A new_object_sensor whose target job fans out (static or time × static partitions): one pod per object.

Dagster's sensor requests a run of exactly the object's partition. The job's DAG fans out over every static key
(`withItems`, fan_out.py), and each pod would skip a key that is not the object's (materialize/fan_out_key.py): the
same partitions, but one pod per key for every object. So such a Sensor starts its own entrypoint, `sensor-<sensor>`:
the job's DAG whose fan-out task carries `when: '{{item}}' == '{{workflow.parameters.object-static-key}}'`. The
Sensor extracts the static key from the object key with the sensor's own anchored pattern (sprig `regexReplaceAll`,
Go RE2: the pattern is RE2-checked when the sensor is defined) into the workflow parameter `object-static-key`;
Argo evaluates the `when` per item, so only the object's item runs a pod and the others are Skipped without one.
A static value outside the dimension's keys (a city the definition does not have) runs nothing, as Dagster's sensor
skips that key.

Kept as today (every item runs, the pods skip): an SQS source (S3 URL-encodes the key there, and Go templates
cannot decode it), and keys a `when` could not compare verbatim (quotes, backslashes, `=`/`!`, braces).
"""

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from compiler.builder.model import ObjectTrigger, Project
from compiler.builder.naming import assign_names
from compiler.builder.plan_types import Dag
from compiler.settings import Settings

OBJECT_STATIC_KEY_PARAMETER = "object-static-key"
SENSOR_DAG_PREFIX = "sensor-"
_UNSAFE_IN_WHEN = re.compile(r"['\"\\=!{}]")  # quoting, govaluate's and run-local's operators, Argo's `{{`


@dataclass(frozen=True)
class SensorEntry:
    """The entrypoint a new_object_sensor's Workflow starts at, and how the Sensor fills `object-static-key`."""

    entrypoint: str
    static_key_pattern: str = ""  # anchored regex over the object key (the rule's pattern filter); "" = no gate
    static_key_replacement: str = ""  # Go's Regexp.Expand template: `${city}`, `${a}|${b}`


def sensor_entries(
    project: Project, settings: Settings, job_dags: Mapping[str, str], dags: Sequence[Dag]
) -> tuple[dict[str, SensorEntry], list[Dag]]:
    """Each sensor's entry, and the `sensor-<sensor>` DAGs to add (only for fanned-out targets on MinIO)."""
    by_name = {dag.name: dag for dag in dags}
    store = settings.events.store if settings.events else "minio"
    wanted = [t for t in project.object_triggers if store == "minio" and _replacement(project, t)]
    names, _ = assign_names((t.spec.name for t in wanted), prefix=SENSOR_DAG_PREFIX, what="DAG template")
    entries: dict[str, SensorEntry] = {}
    added: list[Dag] = []
    for trigger in project.object_triggers:
        job_dag = by_name[job_dags[trigger.job_name]]
        replacement = _replacement(project, trigger) if trigger in wanted else ""
        fan_out_tasks = [task for task in job_dag.tasks if task.items]
        if not replacement or not fan_out_tasks or job_dag.gate is not None:
            entries[trigger.spec.name] = SensorEntry(job_dag.name)
            continue
        when = f"'{{{{item}}}}' == '{{{{workflow.parameters.{OBJECT_STATIC_KEY_PARAMETER}}}}}'"
        tasks = tuple(dataclasses.replace(task, when=when) if task.items else task for task in job_dag.tasks)
        name = names[trigger.spec.name]
        added.append(dataclasses.replace(job_dag, name=name, tasks=tasks))
        entries[trigger.spec.name] = SensorEntry(name, trigger.spec.rule.filters()[-1], replacement)
    return entries, added


def _replacement(project: Project, trigger: ObjectTrigger) -> str:
    """`${group}` (or `${a}|${b}` for static × static) naming the fan-out item in the object key; "" when the
    target does not fan out or its keys cannot be compared in a `when` verbatim."""
    fan_outs = [a.fan_out for a in project.assets if a.fan_out and not trigger.asset_keys.isdisjoint(a.all_keys)]
    if not fan_outs or trigger.spec.pattern is None:
        return ""
    fan_out = fan_outs[0]
    if any(_UNSAFE_IN_WHEN.search(key) for key in fan_out.keys):
        return ""
    if fan_out.dimension:  # time × static: the item is the static dimension's value
        return f"${{{fan_out.dimension}}}"
    groups = trigger.spec.rule.dimensions  # sorted: Dagster's MultiPartitionKey order, as the items are written
    return "|".join(f"${{{group}}}" for group in groups)


def static_key_template(key_path: str, pattern: str, replacement: str) -> str:
    """Argo Events dataTemplate (Go text/template + sprig) writing the object's fan-out item: the whole key replaced
    by the pattern's groups (`regexReplaceAll` is Go's `Regexp.ReplaceAllString`, which expands `${name}`)."""
    key = "(index .Input." + key_path.replace(".0.", " 0).", 1)
    return f"{{{{ regexReplaceAll {_go_string(pattern)} {key} {_go_string(replacement)} }}}}"


def _go_string(text: str) -> str:
    """A Go interpreted string literal: JSON's escapes are Go's, non-ASCII kept as is (JSON's surrogate pairs are
    not valid Go escapes)."""
    return json.dumps(text, ensure_ascii=False)
