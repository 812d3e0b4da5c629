"""The rules `argo lint` enforces beyond the schema: names, references, DAG shape, cron, zones, enums."""

import graphlib
import json
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from compiler.argo import DNS_LABEL, ENUMS, VARIABLE
from compiler.validate.child_refs import child_workflow_problems
from compiler.validate.cron import cron_problem
from compiler.validate.expr import depends_name_problem

if TYPE_CHECKING:
    from compiler.validate.template_refs import UsedParameters

FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")  # Argo's template and task name pattern
PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
QUALIFIED_NAME = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
INPUT_VARIABLE = re.compile(r"\{\{inputs\.parameters\.[-a-zA-Z0-9_]+\}\}")
KNOWN_ROOTS = ("inputs.", "outputs.", "workflow.", "tasks.", "steps.", "pod.", "node.", "cronworkflow.", "=")
KNOWN_NAMES = {"item", "retries", "lastRetry.exitCode", "lastRetry.status", "lastRetry.duration", "lastRetry.message"}
DEPENDS_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[a-zA-Z0-9][-a-zA-Z0-9]*(?:\.[A-Za-z]+)?)")
TASK_RESULTS = {"Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed"}
NAME_LIMITS = {"CronWorkflow": 52}
TEMPLATE_NAME_LIMIT = 128
ANNOTATIONS_LIMIT = 256 * 1024


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def lint_manifest(
    document: Mapping[str, Any],
    known_templates: Mapping[str, set[str]] | None = None,
    used_parameters: "UsedParameters | None" = None,
) -> list[str]:
    """`known_templates` maps WorkflowTemplate names to their template names, to check cron entrypoints and
    templateRefs; `used_parameters` (validate/template_refs.py) what a templateRef'd template reads of the caller's
    workflow parameters."""
    problems: list[str] = []
    kind = str(document.get("kind"))
    _check_metadata(kind, document.get("metadata") or {}, problems)
    spec = document.get("spec") or {}
    if kind == "CronWorkflow":
        before = len(problems)
        _check_cron_spec(spec, problems)
        if len(problems) == before:
            from compiler.validate.tick_check import cron_workflow_tick_problems  # imports Dagster's cron iterator

            problems.extend(f"spec.schedules: {error}" for error in cron_workflow_tick_problems(document)[0])
        _check_workflow_spec(
            spec.get("workflowSpec") or {}, "spec.workflowSpec", problems, known_templates, used=used_parameters
        )
    else:
        # A WorkflowTemplate without an entrypoint is a library others reach by templateRef (Argo validates it with
        # IgnoreEntrypoint): its workflow.parameters are its callers', checked where they reference it.
        library = kind in ("WorkflowTemplate", "ClusterWorkflowTemplate") and not spec.get("entrypoint")
        _check_workflow_spec(
            spec, "spec", problems, known_templates, require_entrypoint=False, library=library, used=used_parameters
        )
    return problems


def _check_metadata(kind: str, metadata: Mapping[str, Any], problems: list[str]) -> None:
    limit = NAME_LIMITS.get(kind, 63)
    name = metadata.get("name")
    if name is None and kind == "Workflow" and metadata.get("generateName"):
        name, limit = str(metadata["generateName"]).rstrip("-") or "x", limit - 5
    if not isinstance(name, str) or not DNS_LABEL.match(name):
        problems.append(f"metadata.name: {name!r} is not a DNS-1123 label (lowercase letters, digits, '-')")
    elif len(name) > limit:
        problems.append(f"metadata.name: {name!r} has {len(name)} characters; a {kind} allows at most {limit}")
    namespace = metadata.get("namespace")
    if namespace is not None and not (isinstance(namespace, str) and DNS_LABEL.match(namespace)):
        problems.append(f"metadata.namespace: {namespace!r} is not a DNS-1123 label")
    _check_labels(metadata.get("labels") or {}, "metadata.labels", problems)
    annotations = metadata.get("annotations") or {}
    for key in annotations:
        if not _qualified(key):
            problems.append(f"metadata.annotations: key {key!r} is not a valid qualified name")
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in annotations.items())
    if size > ANNOTATIONS_LIMIT:
        problems.append(f"metadata.annotations: {size} bytes exceed Kubernetes' limit of {ANNOTATIONS_LIMIT}")


def _qualified(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    return bool(QUALIFIED_NAME.match(key)) and len(name) <= 63 and len(prefix) <= 253


def _check_labels(labels: Mapping[str, Any], where: str, problems: list[str], variables: bool = False) -> None:
    """With `variables`, a value that is one `{{inputs.parameters.X}}` is Argo's to fill in (X checked elsewhere)."""
    for key, value in labels.items():
        if not _qualified(key):
            problems.append(f"{where}: key {key!r} is not a valid qualified name")
        if variables and isinstance(value, str) and INPUT_VARIABLE.fullmatch(value):
            continue
        if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
            problems.append(f"{where}.{key}: value {value!r} is not a valid label value")


def _check_cron_spec(spec: Mapping[str, Any], problems: list[str]) -> None:
    schedules = spec.get("schedules") or []
    if not schedules:
        problems.append("spec.schedules: at least one cron expression is required")
    for index, expression in enumerate(schedules):
        problem = cron_problem(str(expression))
        if problem:
            problems.append(f"spec.schedules[{index}]: {expression!r}: {problem}")
    if "timezone" in spec and spec["timezone"] not in _zones():
        problems.append(f"spec.timezone: {spec['timezone']!r} is not an IANA time zone (e.g. Europe/Vienna)")
    _check_enum(spec, "concurrencyPolicy", "spec.concurrencyPolicy", problems)


def _check_enum(mapping: Mapping[str, Any], key: str, where: str, problems: list[str], enum: str = "") -> None:
    allowed = ENUMS[enum or key]
    if key in mapping and mapping[key] not in allowed:
        problems.append(f"{where}: {mapping[key]!r} is not one of {', '.join(allowed)}")


def _check_workflow_spec(
    spec: Mapping[str, Any],
    where: str,
    problems: list[str],
    known_templates: Mapping[str, set[str]] | None,
    *,
    require_entrypoint: bool = True,
    library: bool = False,
    used: "UsedParameters | None" = None,
) -> None:
    templates = spec.get("templates") or []
    names = _template_names(templates, where, problems)
    entrypoint = spec.get("entrypoint")
    reference = (spec.get("workflowTemplateRef") or {}).get("name")
    if reference and known_templates is not None and reference in known_templates:
        names = names | known_templates[reference]
    if entrypoint is not None and (templates or reference in (known_templates or {})) and entrypoint not in names:
        problems.append(f"{where}.entrypoint: template {entrypoint!r} does not exist")
    if entrypoint is None and require_entrypoint and templates and not reference:
        problems.append(f"{where}.entrypoint: missing")
    on_exit = spec.get("onExit")  # the exit handler: a template of this spec or of the one it references
    if on_exit is not None and (templates or reference in (known_templates or {})) and on_exit not in names:
        problems.append(f"{where}.onExit: template {on_exit!r} does not exist")
    if "podGC" in spec:
        _check_enum(spec["podGC"] or {}, "strategy", f"{where}.podGC.strategy", problems, "podGC.strategy")
    if "retryStrategy" in spec:
        _check_enum(spec["retryStrategy"] or {}, "retryPolicy", f"{where}.retryStrategy.retryPolicy", problems)
    _check_labels(
        (spec.get("workflowMetadata") or {}).get("labels") or {}, f"{where}.workflowMetadata.labels", problems
    )
    workflow_parameters = {p.get("name") for p in (spec.get("arguments") or {}).get("parameters") or []}
    check_workflow_parameters = bool(templates) and not reference and not library
    inputs_by_template = {t.get("name"): t.get("inputs") or {} for t in templates}
    by_name = {t.get("name"): t for t in templates}
    for index, template in enumerate(templates):
        at = f"{where}.templates[{index}]({template.get('name')})"
        _check_template(template, at, problems)
        _check_variables(template, at, workflow_parameters if check_workflow_parameters else None, problems)
        if "dag" in template:
            _check_dag(template["dag"] or {}, f"{at}.dag", names, inputs_by_template, bool(reference), problems)
            declared = workflow_parameters if check_workflow_parameters else None
            _check_template_refs(template["dag"] or {}, f"{at}.dag", known_templates, used, declared, problems)
            if known_templates is not None:  # a child Workflow's WorkflowTemplate (validate/child_refs.py)
                problems.extend(child_workflow_problems(template["dag"] or {}, f"{at}.dag", by_name, known_templates))


def _template_names(templates: list[Any], where: str, problems: list[str]) -> set[str]:
    names: set[str] = set()
    for index, template in enumerate(templates):
        name = template.get("name")
        if not isinstance(name, str) or not FIELD_NAME.match(name) or len(name) > TEMPLATE_NAME_LIMIT:
            problems.append(f"{where}.templates[{index}].name: {name!r} must match {FIELD_NAME.pattern}, ≤ 128 chars")
        elif name in names:
            problems.append(f"{where}.templates[{index}].name: {name!r} is defined twice")
        names.add(str(name))
    return names


def _check_template(template: Mapping[str, Any], at: str, problems: list[str]) -> None:
    if "retryStrategy" in template:
        _check_enum(template["retryStrategy"] or {}, "retryPolicy", f"{at}.retryStrategy.retryPolicy", problems)
    container = template.get("container") or {}
    _check_enum(container, "imagePullPolicy", f"{at}.container.imagePullPolicy", problems)
    for parameter in (template.get("inputs") or {}).get("parameters") or []:
        if not PARAM_NAME.match(str(parameter.get("name"))):
            problems.append(f"{at}.inputs.parameters: name {parameter.get('name')!r} must match {PARAM_NAME.pattern}")
    _check_labels((template.get("metadata") or {}).get("labels") or {}, f"{at}.metadata.labels", problems, True)


def _check_variables(
    template: Mapping[str, Any], at: str, workflow_parameters: set[Any] | None, problems: list[str]
) -> None:
    """Every `{{...}}` must be a known Argo variable, and referenced parameters must be declared."""
    declared = {p.get("name") for p in (template.get("inputs") or {}).get("parameters") or []}
    for expression in sorted(set(VARIABLE.findall(json.dumps(template)))):
        if expression.startswith("inputs.parameters."):
            if expression.removeprefix("inputs.parameters.") not in declared:
                problems.append(
                    f"{at}: {{{{{expression}}}}} refers to an input parameter the template does not declare"
                )
        elif expression.startswith("workflow.parameters."):
            if workflow_parameters is not None and expression.removeprefix("workflow.parameters.") not in (
                workflow_parameters
            ):
                problems.append(f"{at}: {{{{{expression}}}}} refers to an undeclared workflow parameter")
        elif not expression.startswith(KNOWN_ROOTS) and expression not in KNOWN_NAMES:
            problems.append(f"{at}: {{{{{expression}}}}} is not an Argo variable (escape braces in free text)")


def _check_dag(
    dag: Mapping[str, Any],
    at: str,
    template_names: set[str],
    inputs_by_template: Mapping[Any, Mapping[str, Any]],
    external_templates: bool,
    problems: list[str],
) -> None:
    tasks = dag.get("tasks") or []
    names: set[str] = set()
    for index, task in enumerate(tasks):
        name = task.get("name")
        if not isinstance(name, str) or not FIELD_NAME.match(name) or len(name) > TEMPLATE_NAME_LIMIT:
            problems.append(f"{at}.tasks[{index}].name: {name!r} must match {FIELD_NAME.pattern}")
        elif name[0].isdigit():
            problems.append(f"{at}.tasks[{index}].name: {name!r} must not begin with a digit when using depends")
        elif name in names:
            problems.append(f"{at}.tasks[{index}].name: {name!r} is not unique")
        names.add(str(name))
    if any("depends" in t for t in tasks) and any("dependencies" in t for t in tasks):
        problems.append(f"{at}: uses both 'depends' and 'dependencies'; Argo allows only one per DAG")
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for task in tasks:
        name = str(task.get("name"))
        template = task.get("template")
        if template is not None and not external_templates and template not in template_names:
            problems.append(f"{at}.tasks({name}).template: {template!r} does not exist")
        _check_task_arguments(task, inputs_by_template.get(template), f"{at}.tasks({name})", problems)
        upstream = list(_depends_names(task.get("depends"), f"{at}.tasks({name}).depends", problems))
        upstream += list(task.get("dependencies") or [])
        for dependency in sorted(set(upstream)):
            problem = depends_name_problem(dependency)
            if problem and not dependency[0].isdigit():  # a leading digit is reported on the task itself
                problems.append(f"{at}.tasks({name}): depends on {dependency!r}: {problem}")
        for dependency in upstream:
            if dependency not in names:
                problems.append(f"{at}.tasks({name}): depends on {dependency!r}, which is not a task of this DAG")
        sorter.add(name, *(d for d in upstream if d in names))
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        problems.append(f"{at}: dependency cycle {' -> '.join(error.args[1])}")


def _check_template_refs(
    dag: Mapping[str, Any],
    at: str,
    known_templates: Mapping[str, set[str]] | None,
    used: "UsedParameters | None",
    declared: set[Any] | None,
    problems: list[str],
) -> None:
    """A templateRef names a WorkflowTemplate validated alongside and a template in it, and the workflow parameters
    that template reads (through everything it runs) are this Workflow's: Argo resolves them in the caller."""
    if known_templates is None:
        return
    for task in dag.get("tasks") or []:
        ref = task.get("templateRef")
        if not isinstance(ref, Mapping) or ref.get("clusterScope"):
            continue
        where, owner, name = f"{at}.tasks({task.get('name')}).templateRef", str(ref.get("name")), ref.get("template")
        if owner not in known_templates:  # deployed separately: Argo checks it when the Workflow is submitted
            continue
        if name not in known_templates[owner]:
            problems.append(f"{where}: WorkflowTemplate {owner!r} has no template {name!r}")
        elif declared is not None and used is not None:
            for parameter in sorted(used.get(owner, {}).get(name, frozenset()) - declared):
                problems.append(
                    f"{where}: {owner}/{name} reads {{{{workflow.parameters.{parameter}}}}}, which this workflow "
                    "does not declare in spec.arguments.parameters"
                )


def _check_task_arguments(
    task: Mapping[str, Any], inputs: Mapping[str, Any] | None, at: str, problems: list[str]
) -> None:
    if inputs is None:
        return
    given = {p.get("name") for p in (task.get("arguments") or {}).get("parameters") or []}
    for parameter in inputs.get("parameters") or []:
        if "value" not in parameter and "default" not in parameter and parameter.get("name") not in given:
            problems.append(f"{at}.arguments: input parameter {parameter.get('name')!r} is not supplied")


def _depends_names(expression: Any, at: str, problems: list[str]) -> Iterator[str]:
    """Task names in an enhanced `depends` expression, e.g. `(a.Succeeded || b) && !c.Failed`."""
    if expression is None:
        return
    text, position = str(expression), 0
    while position < len(text):
        match = DEPENDS_TOKEN.match(text, position)
        if not match:
            if text[position:].strip():
                problems.append(f"{at}: cannot parse {text!r} at character {position}")
            return
        token, position = match.group(1), match.end()
        if token in ("&&", "||", "!", "(", ")"):
            continue
        name, _, result = token.partition(".")
        if result and result not in TASK_RESULTS:
            problems.append(f"{at}: {token!r} uses unknown task result {result!r}")
        yield name
