"""Read a WorkflowTemplate (or Workflow) into the plain model run-local executes: the DAG as written."""

import graphlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.parse import ManifestParseError, parse_documents
from compiler.run_local.depends import check_names, parse_depends
from compiler.run_local.errors import RunLocalError
from compiler.run_local.retry_rule import exit_codes_never_retried

RUNNABLE_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate")
# Fields whose meaning run-local cannot reproduce; refusing beats silently running something else.
UNSUPPORTED_TASK_FIELDS = ("when", "withItems", "withParam", "withSequence", "continueOn", "inline", "hooks")
RETRY_ON_FAILURE_POLICIES = ("OnFailure", "Always")


@dataclass(frozen=True)
class EnvEntry:
    """One container env entry: a literal value or a reference to a Secret/ConfigMap key."""

    name: str
    value: str | None
    source: str | None  # "secret" or "configmap" when valueFrom is used
    source_ref: str | None  # "name/key" of the Secret or ConfigMap


@dataclass(frozen=True)
class ContainerTemplate:
    """A container step: what the pod would execute, plus its retry strategy."""

    name: str
    inputs: Mapping[str, str | None]
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: tuple[EnvEntry, ...]
    retry_limit: int
    retry_on_failure: bool
    backoff: str | None
    never_retry_exit_codes: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DagTask:
    """One DAG task: its template, upstream tasks, and argument parameters (unsubstituted)."""

    name: str
    template: ContainerTemplate
    depends: frozenset[str]
    arguments: Mapping[str, str]


@dataclass(frozen=True)
class WorkflowModel:
    """The entrypoint DAG of one manifest, tasks in manifest order."""

    name: str
    parameters: Mapping[str, str | None]
    tasks: tuple[DagTask, ...]
    fail_fast: bool
    namespace: str = "default"


def load_workflow(path: Path, entrypoint: str | None = None) -> WorkflowModel:
    """Parse the file and build the model of its entrypoint DAG; every problem is a RunLocalError."""
    try:
        documents = [doc for doc in parse_documents(path.read_text(encoding="utf-8"), str(path)) if doc]
    except (OSError, ManifestParseError) as error:
        raise RunLocalError(f"cannot read manifest {path}: {error}") from None
    runnable = [doc for doc in documents if isinstance(doc, dict) and doc.get("kind") in RUNNABLE_KINDS]
    if len(runnable) != 1:
        raise RunLocalError(f"{path}: expected exactly one of {', '.join(RUNNABLE_KINDS)}, found {len(runnable)}")
    return build_model(runnable[0], entrypoint)


def build_model(document: Mapping[str, Any], entrypoint: str | None = None) -> WorkflowModel:
    """Model from a parsed manifest document (exposed for tests and for callers that already parsed YAML)."""
    name = str(_mapping(document.get("metadata"), "metadata").get("name", "(unnamed)"))
    spec = _mapping(document.get("spec"), "spec")
    chosen = entrypoint or spec.get("entrypoint")
    if not chosen:
        raise RunLocalError(f"{name}: spec.entrypoint is missing; pass --entrypoint")
    templates = {str(t.get("name")): t for t in _list(spec.get("templates"), "spec.templates")}
    if chosen not in templates:
        raise RunLocalError(f"{name}: entrypoint template {chosen!r} not found; have {sorted(templates)}")
    dag = templates[chosen].get("dag")
    if not isinstance(dag, dict):
        raise RunLocalError(f"{name}: entrypoint template {chosen!r} is not a dag template")
    arguments = _mapping(spec.get("arguments") or {}, "spec.arguments")
    parameters = _parameters(arguments.get("parameters"), "spec.arguments.parameters", "value")
    tasks = tuple(_task(raw, templates) for raw in _list(dag.get("tasks"), f"templates.{chosen}.dag.tasks"))
    _check_graph(tasks)
    namespace = str(_mapping(document.get("metadata"), "metadata").get("namespace") or "default")
    return WorkflowModel(name, parameters, tasks, bool(dag.get("failFast", True)), namespace)


def _task(raw: Any, templates: Mapping[str, Any]) -> DagTask:
    task = _mapping(raw, "dag task")
    name = str(task.get("name") or "")
    if not name:
        raise RunLocalError("a dag task has no name")
    for field in UNSUPPORTED_TASK_FIELDS:
        if field in task:
            raise RunLocalError(f"task {name!r}: field {field!r} is not supported by run-local")
    if "depends" in task and "dependencies" in task:
        raise RunLocalError(f"task {name!r}: use either depends or dependencies, not both (Argo rejects it)")
    if "depends" in task:
        depends = parse_depends(str(task["depends"]), name)
    else:
        dependencies = [str(d) for d in _list(task.get("dependencies") or [], f"{name}.dependencies")]
        depends = check_names(dependencies, name, f"dependencies {dependencies}")
    template_name = str(task.get("template") or "")
    if template_name not in templates:
        raise RunLocalError(f"task {name!r}: template {template_name!r} not found in spec.templates")
    task_arguments = _mapping(task.get("arguments") or {}, f"{name}.arguments")
    given = _parameters(task_arguments.get("parameters"), f"task {name!r} arguments", "value")
    missing_values = [key for key, value in given.items() if value is None]
    if missing_values:
        raise RunLocalError(f"task {name!r}: argument parameters without value: {missing_values}")
    return DagTask(
        name=name,
        template=_container_template(templates[template_name]),
        depends=depends,
        arguments={key: value for key, value in given.items() if value is not None},
    )


def _container_template(raw: Mapping[str, Any]) -> ContainerTemplate:
    name = str(raw.get("name"))
    container = raw.get("container")
    if not isinstance(container, dict):
        raise RunLocalError(f"template {name!r}: only container templates can run locally")
    command = tuple(str(part) for part in _list(container.get("command") or [], f"{name}.container.command"))
    if not command:
        raise RunLocalError(f"template {name!r}: container.command is empty; run-local cannot use an image entrypoint")
    inputs = _parameters(_mapping(raw.get("inputs") or {}, f"{name}.inputs").get("parameters"), name, "default")
    limit, on_failure, backoff, never_retry = _retry_strategy(name, raw.get("retryStrategy"))
    return ContainerTemplate(
        name=name,
        inputs=inputs,
        command=command,
        args=tuple(str(arg) for arg in _list(container.get("args") or [], f"{name}.container.args")),
        env=tuple(_env_entry(name, entry) for entry in _list(container.get("env") or [], f"{name}.env")),
        retry_limit=limit,
        retry_on_failure=on_failure,
        backoff=backoff,
        never_retry_exit_codes=never_retry,
    )


def _retry_strategy(template: str, raw: Any) -> tuple[int, bool, str | None, frozenset[int]]:
    if raw is None:
        return 0, False, None, frozenset()
    strategy = _mapping(raw, f"{template}.retryStrategy")
    expression = strategy.get("expression")
    never_retry = exit_codes_never_retried(str(expression), template) if expression is not None else frozenset()
    try:
        limit = int(str(strategy.get("limit", 0)))
    except ValueError:
        raise RunLocalError(
            f"template {template!r}: retryStrategy.limit {strategy.get('limit')!r} is not an integer"
        ) from None
    policy = str(strategy.get("retryPolicy", "OnFailure"))
    backoff = strategy.get("backoff")
    duration = str(backoff.get("duration")) if isinstance(backoff, dict) and "duration" in backoff else None
    return limit, policy in RETRY_ON_FAILURE_POLICIES, duration, never_retry


def _env_entry(template: str, raw: Any) -> EnvEntry:
    entry = _mapping(raw, f"{template}.env entry")
    name = str(entry.get("name") or "")
    if "valueFrom" not in entry:
        return EnvEntry(name, str(entry.get("value", "")), None, None)
    value_from = _mapping(entry["valueFrom"], f"{template}.env.{name}.valueFrom")
    for field, source in (("secretKeyRef", "secret"), ("configMapKeyRef", "configmap")):
        if field in value_from:
            ref = _mapping(value_from[field], f"{template}.env.{name}.{field}")
            return EnvEntry(name, None, source, f"{ref.get('name')}/{ref.get('key')}")
    raise RunLocalError(
        f"template {template!r}: env {name!r} uses valueFrom {sorted(value_from)}; "
        "run-local maps only secretKeyRef and configMapKeyRef"
    )


def _parameters(raw: Any, where: str, default_field: str) -> dict[str, str | None]:
    """Argo parameter lists → name: value (inputs use `value`, falling back to `default`)."""
    result: dict[str, str | None] = {}
    for item in _list(raw or [], where):
        parameter = _mapping(item, where)
        value = parameter.get("value", parameter.get(default_field))
        result[str(parameter.get("name"))] = None if value is None else str(value)
    return result


def _check_graph(tasks: tuple[DagTask, ...]) -> None:
    names = [task.name for task in tasks]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RunLocalError(f"duplicate task names: {duplicates}")
    for task in tasks:
        unknown = sorted(task.depends - set(names))
        if unknown:
            raise RunLocalError(f"task {task.name!r} depends on unknown task(s) {unknown}")
    try:
        graphlib.TopologicalSorter({task.name: task.depends for task in tasks}).prepare()
    except graphlib.CycleError as error:
        raise RunLocalError(f"dependency cycle between tasks: {error.args[1]}") from None


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise RunLocalError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise RunLocalError(f"{where}: expected a list, got {type(value).__name__}")
    return value
