"""Read a WorkflowTemplate (or Workflow) into the plain model run-local executes: the DAG as written."""

import dataclasses
import graphlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.parse import ManifestParseError, parse_documents
from compiler.run_local.backoff import Backoff, parse_backoff
from compiler.run_local.child_workflow import child_workflow, is_child_workflow, rebind
from compiler.run_local.depends import check_names, parse_depends, succeeded_terms
from compiler.run_local.errors import RunLocalError
from compiler.run_local.groups import ROOT, Scope
from compiler.run_local.retry_rule import RetryRule, parse_retry_expression

RUNNABLE_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate")
# Fields whose meaning run-local cannot reproduce; refusing beats silently running something else.
UNSUPPORTED_TASK_FIELDS = ("withSequence", "continueOn", "inline", "hooks")
_ITEM = re.compile(r"\{\{\s*item\s*\}\}")
ITEM_SENTINEL = "\x00run-local-item\x00"  # `{{item}}` of a withParam task until its list is known (with_param.py)
_INPUT = re.compile(r"\{\{\s*(inputs\.parameters\.[A-Za-z0-9_-]+)\s*\}\}")
Templates = Mapping[str, Mapping[str, Any]]
RETRY_ON_FAILURE_POLICIES = ("OnFailure", "Always")


@dataclass(frozen=True)
class EnvEntry:
    """One container env entry: a literal value or a reference to a Secret/ConfigMap key."""

    name: str
    value: str | None
    source: str | None  # "secret", "configmap" or "field" (fieldRef/resourceFieldRef) when valueFrom is used
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
    backoff: Backoff | None
    retry_rule: RetryRule | None = None  # retryStrategy.expression (run_local/retry_rule.py); None: always
    # output parameter → valueFrom.path (run_local/when.py)
    outputs: Mapping[str, str] = dataclasses.field(default_factory=dict)
    semaphores: tuple[str, ...] = ()  # `configmap/key` of each template-level semaphore
    retry_strategy: bool = False  # has one: Argo sets `{{retries}}` per attempt (0, 1, 2, ...)


@dataclass(frozen=True)
class DagTask:
    """One DAG task: its template, upstream tasks, and argument parameters (unsubstituted)."""

    name: str
    template: ContainerTemplate
    depends: frozenset[str]
    arguments: Mapping[str, str]
    # The innermost nested DAG node (`task(i:item)`, `a(0:x).b(1:y)`) this task runs in; "" for the entrypoint's.
    group: str = ""
    when: str = ""  # Argo's `when`, evaluated when the task is ready (compiler/run_local/when.py)
    needs_success: frozenset[str] = frozenset()  # `t.Succeeded` terms: a Skipped `t` does not satisfy them
    prefix: str = ""  # the nested DAG's node prefix: `tasks.t` in its `when` means the task `<prefix>t`
    # the `when` of each enclosing task that runs a nested DAG, outermost first, with that task's prefix: Argo skips
    # the whole nested node when one is false, so every task inside it is Skipped
    outer_whens: tuple[tuple[str, str], ...] = ()
    with_param: str = ""  # Argo's `withParam`, expanded when the task is ready (compiler/run_local/with_param.py)


@dataclass(frozen=True)
class WorkflowModel:
    """The entrypoint DAG of one manifest, tasks in manifest order."""

    name: str
    parameters: Mapping[str, str | None]
    tasks: tuple[DagTask, ...]
    fail_fast: bool
    # Every DAG node (the entrypoint "" and each nested DAG) with its parallelism and failFast (run_local/groups.py).
    scopes: Mapping[str, Scope] = dataclasses.field(default_factory=dict)
    # The limit of each semaphore a task holds (`configmap/key` → the ConfigMap's value), from the ConfigMaps given.
    semaphore_limits: Mapping[str, int] = dataclasses.field(default_factory=dict)
    # spec.synchronization.mutexes: held for the whole run, in the manifest's namespace.
    mutexes: tuple[str, ...] = ()
    namespace: str = "default"
    entrypoint: str = ""  # the template it runs: `{{workflow.mainEntrypoint}}`
    # spec.onExit: the exit handler's DAG, run after this one whatever its outcome (run_local/exit_handler.py)
    on_exit: "WorkflowModel | None" = None


def load_workflow(path: Path, entrypoint: str | None = None, template_files: Sequence[Path] = ()) -> WorkflowModel:
    """Parse the file and build the model of its entrypoint DAG; every problem is a RunLocalError.

    `templateRef`s resolve against the WorkflowTemplates in `template_files` (by metadata.name), as Argo resolves
    them against the cluster's."""
    runnable = [doc for doc in _documents(path) if doc.get("kind") in RUNNABLE_KINDS]
    if len(runnable) != 1:
        raise RunLocalError(f"{path}: expected exactly one of {', '.join(RUNNABLE_KINDS)}, found {len(runnable)}")
    library: dict[str, Templates] = {}
    for file in template_files:
        for document in _documents(file):
            if document.get("kind") in ("WorkflowTemplate", "ClusterWorkflowTemplate"):
                name = str(_mapping(document.get("metadata"), f"{file} metadata").get("name"))
                library[name] = _templates(_mapping(document.get("spec"), f"{file} spec"))
    model = build_model(runnable[0], entrypoint, library)
    on_exit = _mapping(runnable[0].get("spec"), "spec").get("onExit")
    if on_exit:  # Argo runs it after the entrypoint, whatever its outcome (run_local/exit_handler.py)
        model = dataclasses.replace(model, on_exit=build_model(runnable[0], str(on_exit), library))
    wanted = sorted({name for task in model.tasks for name in task.template.semaphores})
    if not wanted:
        return model
    config_maps = {
        str(_mapping(doc.get("metadata"), "ConfigMap metadata").get("name")): _mapping(doc.get("data") or {}, "data")
        for file in sorted({*path.parent.glob("*.yaml"), *template_files})
        for doc in _documents(file)
        if doc.get("kind") == "ConfigMap"
    }
    return dataclasses.replace(model, semaphore_limits={name: _semaphore_limit(name, config_maps) for name in wanted})


def _semaphore_limit(name: str, config_maps: Mapping[str, Mapping[str, Any]]) -> int:
    config_map, _, key = name.partition("/")
    if config_map not in config_maps or key not in config_maps[config_map]:
        raise RunLocalError(
            f"semaphore {name}: no ConfigMap {config_map!r} with key {key!r} beside the manifest (Argo fails such a "
            "step too); pass its file with --templates"
        )
    value = str(config_maps[config_map][key])
    if not value.isdigit() or int(value) < 1:
        raise RunLocalError(f"semaphore {name}: limit {value!r} is not a positive integer")
    return int(value)


def _documents(path: Path) -> list[Mapping[str, Any]]:
    try:
        documents = parse_documents(path.read_text(encoding="utf-8"), str(path))
    except (OSError, ManifestParseError) as error:
        raise RunLocalError(f"cannot read manifest {path}: {error}") from None
    return [doc for doc in documents if isinstance(doc, dict)]


def _templates(spec: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(t.get("name")): t for t in _list(spec.get("templates") or [], "spec.templates")}


def build_model(
    document: Mapping[str, Any], entrypoint: str | None = None, library: Mapping[str, Templates] | None = None
) -> WorkflowModel:
    """Model from a parsed manifest document (exposed for tests and for callers that already parsed YAML)."""
    name = str(_mapping(document.get("metadata"), "metadata").get("name", "(unnamed)"))
    spec = _mapping(document.get("spec"), "spec")
    chosen = entrypoint or spec.get("entrypoint")
    if not chosen:
        raise RunLocalError(f"{name}: spec.entrypoint is missing; pass --entrypoint")
    templates = _templates(spec)
    if chosen not in templates:
        raise RunLocalError(f"{name}: entrypoint template {chosen!r} not found; have {sorted(templates)}")
    entry = templates[chosen]
    dag = entry.get("dag")
    if not isinstance(dag, dict):
        raise RunLocalError(f"{name}: entrypoint template {chosen!r} is not a dag template")
    arguments = _mapping(spec.get("arguments") or {}, "spec.arguments")
    parameters = _parameters(arguments.get("parameters"), "spec.arguments.parameters", "value")
    # Argo passes spec.arguments to the entrypoint template: its inputs take the workflow parameters of that name.
    bindings = {
        f"inputs.parameters.{key}": (f"{{{{workflow.parameters.{key}}}}}" if key in parameters else default)
        for key, default in _parameters(_inputs(entry), chosen, "default").items()
    }
    expander = _Expander(templates, library or {})
    expander.scopes[ROOT] = Scope(
        None, _parallelism(entry, f"{name}: template {chosen!r}"), bool(dag.get("failFast", True))
    )
    tasks = tuple(expander.dag(dag, chosen, templates, bindings, prefix="", group=ROOT))
    _check_graph(tasks)
    return WorkflowModel(
        name,
        parameters,
        tasks,
        bool(dag.get("failFast", True)),
        scopes=expander.scopes,
        mutexes=_mutexes(spec.get("synchronization"), name),
        namespace=str(_mapping(document.get("metadata"), "metadata").get("namespace") or "default"),
        entrypoint=str(chosen),
    )


def _parallelism(template: Mapping[str, Any], where: str) -> int | None:
    parallelism = template.get("parallelism")
    if parallelism is not None and (not isinstance(parallelism, int) or parallelism < 1):
        raise RunLocalError(f"{where}: parallelism {parallelism!r} is not a positive integer")
    return parallelism


def _mutexes(raw: Any, workflow: str) -> tuple[str, ...]:
    """Workflow-level mutex names; semaphores and other forms are refused rather than ignored."""
    if raw is None:
        return ()
    synchronization = _mapping(raw, f"{workflow}: spec.synchronization")
    unsupported = sorted(set(synchronization) - {"mutexes"})
    if unsupported:
        raise RunLocalError(
            f"{workflow}: spec.synchronization {unsupported} is not supported by run-local (mutexes is)"
        )
    names = []
    for entry in _list(synchronization.get("mutexes") or [], "spec.synchronization.mutexes"):
        mutex = _mapping(entry, "spec.synchronization.mutexes entry")
        if not mutex.get("name") or set(mutex) - {"name", "namespace"}:
            raise RunLocalError(f"{workflow}: mutex {dict(mutex)!r}: run-local supports {{name, namespace}} only")
        names.append((str(mutex.get("namespace") or ""), str(mutex["name"])))
    if any(namespace for namespace, _ in names):
        raise RunLocalError(f"{workflow}: mutexes in another namespace are not supported by run-local")
    return tuple(name for _, name in names)


def _inputs(template: Mapping[str, Any]) -> Any:
    return _mapping(template.get("inputs") or {}, f"{template.get('name')}.inputs").get("parameters")


class _Expander:
    """Flattens the entrypoint DAG: a task running a nested DAG (its own template or a `templateRef`), at any depth,
    becomes that DAG's tasks, once per `withItems` item, named as Argo names the nodes: `task(0:item).inner`. Each
    nested DAG node is a scope (run_local/groups.py) for its template's parallelism and failFast; a task depending
    on a nested DAG or on a `withItems` task waits for every pod inside it, as Argo waits for the node."""

    def __init__(self, templates: Templates, library: Mapping[str, Templates]) -> None:
        self.templates = templates
        self.library = library
        self.scopes: dict[str, Scope] = {}

    def dag(
        self,
        dag: Mapping[str, Any],
        where: str,
        scope: Templates,
        bindings: Mapping[str, str | None],
        prefix: str,
        group: str,
        outer: tuple[tuple[str, str], ...] = (),
    ) -> list[DagTask]:
        expanded: dict[str, list[DagTask]] = {}
        depends_of: dict[str, frozenset[str]] = {}
        for raw in _list(dag.get("tasks"), f"templates.{where}.dag.tasks"):
            name, depends, leaves = self.task(raw, scope, bindings, prefix, group, outer)
            if name in expanded:
                raise RunLocalError(f"duplicate task names: ['{prefix}{name}']")
            expanded[name], depends_of[name] = leaves, depends
        tasks: list[DagTask] = []
        for name, leaves in expanded.items():
            unknown = sorted(depends_of[name] - set(expanded))
            if unknown:
                raise RunLocalError(f"task {prefix}{name!r} depends on unknown task(s) {[prefix + u for u in unknown]}")
            upstream = frozenset(leaf.name for other in depends_of[name] for leaf in expanded[other])
            tasks.extend(dataclasses.replace(leaf, depends=leaf.depends | upstream) for leaf in leaves)
        return tasks

    def task(
        self,
        raw: Any,
        scope: Templates,
        bindings: Mapping[str, str | None],
        prefix: str,
        group: str,
        outer: tuple[tuple[str, str], ...] = (),
    ) -> tuple[str, frozenset[str], list[DagTask]]:
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
        template, template_scope = self._resolve(task, name, scope)
        raw_template = template
        task_arguments = _mapping(task.get("arguments") or {}, f"{name}.arguments")
        given = _parameters(task_arguments.get("parameters"), f"task {name!r} arguments", "value")
        missing_values = [key for key, value in given.items() if value is None]
        if missing_values:
            raise RunLocalError(f"task {name!r}: argument parameters without value: {missing_values}")
        if "withParam" in task:
            return name, depends, [self._with_param(task, name, template, given, bindings, prefix, group, outer)]
        items = self._items(task, name)
        results = []
        for index, item in enumerate(items):
            node = name if item is None else f"{name}({index}:{item})"
            values = {key: _bind(str(value), bindings, item) for key, value in given.items() if value is not None}
            if is_child_workflow(template):  # a child Workflow, run in place (run_local/child_workflow.py)
                child = child_workflow(template, values, self.library, f"{prefix}{node}")
                template, template_scope = child.template, child.library
            if "dag" in template:
                inner = {
                    f"inputs.parameters.{key}": values.get(key, default)
                    for key, default in _parameters(_inputs(template), str(template.get("name")), "default").items()
                }
                node_scope = f"{prefix}{node}"
                self.scopes[node_scope] = Scope(
                    parent=group,
                    limit=_parallelism(template, node_scope),
                    fail_fast=bool(template["dag"].get("failFast", True)),
                    siblings=f"{prefix}{name}",
                    index=index,
                )
                when = str(task.get("when") or "")
                enclosing = (*outer, (_bind(when, bindings, item), prefix)) if when else outer
                nested = self.dag(template["dag"], node, template_scope, inner, f"{node_scope}.", node_scope, enclosing)
                if is_child_workflow(raw_template):
                    nested = [_rebound(leaf, child.variables) for leaf in nested]
                results.extend(nested)
                continue
            results.append(
                DagTask(
                    name=f"{prefix}{node}",
                    template=_container_template(template),
                    depends=frozenset(),
                    arguments=values,
                    group=group,
                    when=str(task.get("when") or ""),
                    prefix=prefix,
                    outer_whens=outer,
                    needs_success=frozenset(f"{prefix}{d}" for d in succeeded_terms(str(task.get("depends") or ""))),
                )
            )
        return name, depends, results

    @staticmethod
    def _with_param(
        task: Mapping[str, Any],
        name: str,
        template: Mapping[str, Any],
        given: Mapping[str, str | None],
        bindings: Mapping[str, str | None],
        prefix: str,
        group: str,
        outer: tuple[tuple[str, str], ...],
    ) -> DagTask:
        """One task standing for the children its `withParam` list will give (compiler/run_local/with_param.py)."""
        if "withItems" in task:
            raise RunLocalError(f"task {name!r}: use either withItems or withParam, not both (Argo rejects it)")
        if "dag" in template:
            raise RunLocalError(f"task {name!r}: run-local supports withParam on container templates only")
        return DagTask(
            name=f"{prefix}{name}",
            template=_container_template(template),
            depends=frozenset(),
            arguments={
                key: _bind(str(value), bindings, ITEM_SENTINEL) for key, value in given.items() if value is not None
            },
            group=group,
            when=str(task.get("when") or ""),
            prefix=prefix,
            outer_whens=outer,
            needs_success=frozenset(f"{prefix}{d}" for d in succeeded_terms(str(task.get("depends") or ""))),
            with_param=_bind(str(task["withParam"]), bindings, None),
        )

    def _resolve(self, task: Mapping[str, Any], name: str, scope: Templates) -> tuple[Mapping[str, Any], Templates]:
        if "templateRef" in task:
            ref = _mapping(task["templateRef"], f"task {name!r} templateRef")
            if ref.get("clusterScope"):
                raise RunLocalError(f"task {name!r}: clusterScope templateRefs are not supported by run-local")
            library = self.library.get(str(ref.get("name")))
            if library is None:
                raise RunLocalError(
                    f"task {name!r}: templateRef names WorkflowTemplate {ref.get('name')!r}, which was not given; "
                    "pass its file with --templates"
                )
            template = library.get(str(ref.get("template")))
            if template is None:
                raise RunLocalError(f"task {name!r}: template {ref.get('template')!r} not found in {ref.get('name')!r}")
            return template, library
        template_name = str(task.get("template") or "")
        if template_name not in scope:
            raise RunLocalError(f"task {name!r}: template {template_name!r} not found in spec.templates")
        return scope[template_name], scope

    @staticmethod
    def _items(task: Mapping[str, Any], name: str) -> list[str | None]:
        if "withItems" not in task:
            return [None]
        items = _list(task["withItems"], f"task {name!r} withItems")
        if not all(isinstance(item, str | int | float | bool) for item in items):
            raise RunLocalError(f"task {name!r}: run-local supports withItems of scalars only")
        return [item if isinstance(item, str) else json.dumps(item) for item in items]


def _rebound(task: DagTask, variables: Mapping[str, str]) -> DagTask:
    """A task of a child Workflow with the child's own workflow variables (run_local/child_workflow.py)."""
    container = task.template
    env = tuple(
        dataclasses.replace(entry, value=rebind(entry.value, variables)) if entry.value is not None else entry
        for entry in container.env
    )
    return dataclasses.replace(
        task,
        template=dataclasses.replace(
            container,
            command=tuple(rebind(part, variables) for part in container.command),
            args=tuple(rebind(part, variables) for part in container.args),
            env=env,
        ),
        arguments={key: rebind(value, variables) for key, value in task.arguments.items()},
        when=rebind(task.when, variables),
    )


def _bind(value: str, bindings: Mapping[str, str | None], item: str | None) -> str:
    """The DAG's inputs and `{{item}}` resolve where the task is expanded; workflow variables resolve later."""
    if item is not None:
        value = _ITEM.sub(lambda _: item, value)

    def replace(match: re.Match[str]) -> str:
        bound = bindings.get(match.group(1))
        if bound is None:
            return match.group(0)  # not this DAG's input: left for the step's own inputs (or an error later)
        return bound

    return _INPUT.sub(replace, value)


def _container_template(raw: Mapping[str, Any]) -> ContainerTemplate:
    name = str(raw.get("name"))
    container = raw.get("container")
    if not isinstance(container, dict):
        raise RunLocalError(f"template {name!r}: only container templates can run locally")
    command = tuple(str(part) for part in _list(container.get("command") or [], f"{name}.container.command"))
    if not command:
        raise RunLocalError(f"template {name!r}: container.command is empty; run-local cannot use an image entrypoint")
    inputs = _parameters(_mapping(raw.get("inputs") or {}, f"{name}.inputs").get("parameters"), name, "default")
    limit, on_failure, backoff, rule = _retry_strategy(name, raw.get("retryStrategy"))
    return ContainerTemplate(
        name=name,
        inputs=inputs,
        command=command,
        args=tuple(str(arg) for arg in _list(container.get("args") or [], f"{name}.container.args")),
        env=tuple(_env_entry(name, entry) for entry in _list(container.get("env") or [], f"{name}.env")),
        retry_limit=limit,
        retry_on_failure=on_failure,
        backoff=backoff,
        retry_rule=rule,
        outputs=_output_parameters(name, raw.get("outputs")),
        semaphores=_template_semaphores(name, raw.get("synchronization")),
        retry_strategy=raw.get("retryStrategy") is not None,
    )


def _template_semaphores(template: str, raw: Any) -> tuple[str, ...]:
    """Template-level `synchronization.semaphores` as `configmap/key`; mutexes and other forms are refused."""
    if raw is None:
        return ()
    synchronization = _mapping(raw, f"{template}.synchronization")
    if set(synchronization) - {"semaphores"}:
        raise RunLocalError(
            f"template {template!r}: synchronization {sorted(synchronization)}: run-local supports semaphores"
        )
    found = []
    for entry in _list(synchronization.get("semaphores") or [], f"{template}.synchronization.semaphores"):
        ref = _mapping(_mapping(entry, "semaphore").get("configMapKeyRef"), f"{template} semaphore configMapKeyRef")
        found.append(f"{ref.get('name')}/{ref.get('key')}")
    return tuple(found)


def _output_parameters(template: str, raw: Any) -> dict[str, str]:
    """`outputs.parameters[].valueFrom.path` (what the container writes); other sources are refused."""
    outputs: dict[str, str] = {}
    for item in _list(_mapping(raw or {}, f"{template}.outputs").get("parameters") or [], f"{template}.outputs"):
        parameter = _mapping(item, f"{template}.outputs.parameters entry")
        value_from = _mapping(parameter.get("valueFrom") or {}, f"{template}.outputs.parameters.valueFrom")
        if set(value_from) != {"path"}:
            raise RunLocalError(
                f"template {template!r}: output parameter {parameter.get('name')!r}: run-local supports "
                "valueFrom.path only"
            )
        outputs[str(parameter.get("name"))] = str(value_from["path"])
    return outputs


def _retry_strategy(template: str, raw: Any) -> tuple[int, bool, Backoff | None, RetryRule | None]:
    if raw is None:
        return 0, False, None, None
    strategy = _mapping(raw, f"{template}.retryStrategy")
    expression = strategy.get("expression")
    rule = parse_retry_expression(str(expression), template) if expression is not None else None
    try:
        limit = int(str(strategy.get("limit", 0)))
    except ValueError:
        raise RunLocalError(
            f"template {template!r}: retryStrategy.limit {strategy.get('limit')!r} is not an integer"
        ) from None
    policy = str(strategy.get("retryPolicy", "OnFailure"))
    backoff = parse_backoff(strategy.get("backoff"), template)  # compiler/run_local/backoff.py: Argo's waits
    return limit, policy in RETRY_ON_FAILURE_POLICIES, backoff, rule


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
    for field in ("fieldRef", "resourceFieldRef"):  # the pod's own fields (dagster-k8s/config): the local env stands in
        if field in value_from:
            ref = _mapping(value_from[field], f"{template}.env.{name}.{field}")
            return EnvEntry(name, None, "field", str(ref.get("fieldPath") or ref.get("resource")))
    raise RunLocalError(
        f"template {template!r}: env {name!r} uses valueFrom {sorted(value_from)}; "
        "run-local maps only secretKeyRef, configMapKeyRef, fieldRef and resourceFieldRef"
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
