"""Renders a Plan with the jinja2 templates; every interpolation must pass through the JSON quoting filter."""

import dataclasses
import json
import re
import shlex
from typing import Any

import jinja2

from compiler.argo import BACKFILL_PARAMETER, CREATION_TIMESTAMP, RETRIES, SCHEDULED_TIME, placeholder
from compiler.builder.child_workflows import CHILD_TEMPLATE, child_manifest, over_budget
from compiler.builder.exit_handlers import EXIT_HANDLER, EXIT_STEP
from compiler.builder.fan_out import STATIC_KEY_PARAMETER
from compiler.builder.fidelity.pools import configmap_name
from compiler.builder.freshness import FRESHNESS_STEP
from compiler.builder.plan_types import GENERATOR, PLAN_TEMPLATE, Plan
from compiler.builder.split import SPLIT_ABOVE, Layout, split, whole
from compiler.builder.template_cache import use_bytecode_cache
from compiler.code_location import CodeLocation
from compiler.exit_codes import INFRASTRUCTURE_RETRY_EXPRESSION, RETRY_EXPRESSION
from compiler.parse import parse_documents
from compiler.shared_volume import VOLUME_NAME

ARGO_VARIABLES = {
    "asset": "{{inputs.parameters.asset}}",
    "check": "{{inputs.parameters.check}}",  # a check's own task (compiler/builder/check_tasks.py)
    "scheduled_time": placeholder(SCHEDULED_TIME),
    "created_time": placeholder(CREATION_TIMESTAMP),
    "task": "{{inputs.parameters.task}}",
    "description": "{{inputs.parameters.description}}",
    "owners": "{{inputs.parameters.owners}}",
    "partition": "{{inputs.parameters.partition}}",  # a DAG's input, from the workflow argument or a backfill
    "backfill_time": placeholder(f"workflow.parameters.{BACKFILL_PARAMETER}"),
    "schedule": "{{workflow.parameters.schedule}}",
    "static_key": "{{inputs.parameters." + STATIC_KEY_PARAMETER + "}}",  # a fan-out's key (compiler/builder/fan_out.py)
    "retries": placeholder(RETRIES),
    "object_key": "{{workflow.parameters.object-key}}",  # a new_object_sensor's object (compiler/builder/events.py)
    "job": "{{inputs.parameters.job}}",  # a job DAG's Dagster job, whose run config the pod builds
    "run_config": "{{workflow.parameters.run_config}}",  # a manual submit (materialize/run_config.py)
    "sensor": "{{workflow.parameters.sensor}}",  # the attempt of a retried step: fused steps resume only on a retry
    "upstream": "{{inputs.parameters.upstream}}",  # a planning task's upstream asset (compiler/builder/cadence.py)
    "keys_path": "{{outputs.parameters.keys.path}}",  # where a planning task writes its list
    # one op of an op job (compiler/builder/op_steps.py): its step, mapping key, the upstream pods' known state,
    # the run id every pod of the workflow shares, and where its pod writes its own state and mapping keys
    "op": "{{inputs.parameters.op}}",
    "mapping_key": "{{inputs.parameters.mapping-key}}",
    "known_state": "{{inputs.parameters.known-state}}",
    "workflow_uid": "{{workflow.uid}}",
    "known_state_path": "{{outputs.parameters.known-state.path}}",
    "mapping_keys_path": "{{outputs.parameters.mapping-keys.path}}",
    "start": "{{inputs.parameters.start}}",  # a backfill's planning task: its range (builder/backfill_upstream.py)
    "end": "{{inputs.parameters.end}}",
}


class Quoted(str):
    """Marks text the quoting filter produced; anything else reaching the output is a template bug."""


# JSON writes a character above U+FFFF as a UTF-16 surrogate pair, which YAML parsers reject; YAML spells it \U.
_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


def _astral(match: re.Match[str]) -> str:
    high, low = int(match.group(1), 16), int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


# json.dumps builds a new encoder per call for any non-default option; quote runs ~10 times per asset
_QUOTE_ENCODER = json.JSONEncoder(ensure_ascii=True, sort_keys=True)


def quote(value: Any) -> Quoted:
    """A JSON scalar or flow collection is valid YAML, so no value can break the document structure."""
    text = _QUOTE_ENCODER.encode(value)
    return Quoted(_SURROGATE_PAIR.sub(_astral, text) if "\\ud" in text else text)  # a pair starts `\ud8`..`\udb`


def _only_quoted(value: Any) -> Any:
    if isinstance(value, Quoted) or value == "":
        return value
    raise TypeError(f"template interpolates {value!r} without the `q` filter")


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("compiler.builder", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - YAML, not HTML; values are quoted by `q`
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_only_quoted,
    )
    environment.filters["q"] = quote
    environment.globals["shared_volume_name"] = VOLUME_NAME  # [tool.compiler.shared_volume]'s volume
    use_bytecode_cache(environment)  # compiled templates reused across builds (builder/template_cache.py)
    return environment


ENVIRONMENT = _environment()


def build_command(location: CodeLocation) -> str:
    """How to regenerate the files, written into their header: the location as the pods name it."""
    return shlex.join(["python", "-m", "compiler", "build", *location.arguments()])


def _what(plan: Plan) -> str:
    """What the WorkflowTemplate runs: assets, op jobs (compiler/builder/op_job_plan.py), or both."""
    op_jobs = any(step.op_job for step in plan.steps)
    assets = any(not step.op_job for step in plan.steps)
    return "assets and op jobs" if op_jobs and assets else "op jobs" if op_jobs else "assets"


def render(plan: Plan) -> dict[str, str]:
    """File name → YAML text, in a fixed order."""
    return render_with_layout(plan)[0]


def render_with_layout(plan: Plan) -> tuple[dict[str, str], Layout, dict[str, list[Any]]]:
    """The files, how the WorkflowTemplate was laid out (whole, or split when it renders above SPLIT_ABOVE), and the
    documents of those files already parsed back to simulate the split's Workflow sizes (file name → documents, each
    parsed from the text returned), so that the build does not parse them again."""
    parsed: dict[str, list[Any]] = {}
    common = {
        "plan": plan,
        "command": build_command(plan.location),
        "generator": GENERATOR,
        "argo": ARGO_VARIABLES,
        "retry_expression": RETRY_EXPRESSION,
        "infrastructure_retry_expression": INFRASTRUCTURE_RETRY_EXPRESSION,
        "main": plan.entrypoint,
        "pools_config_map": configmap_name(plan.name),
        "backfill_parameter": BACKFILL_PARAMETER,
        "static_key": STATIC_KEY_PARAMETER,
        "plan_template": PLAN_TEMPLATE,
        "exit_handler": EXIT_HANDLER,
        "exit_step": EXIT_STEP,
        "freshness_step": FRESHNESS_STEP,
        "sensor": None,
        "child_template": CHILD_TEMPLATE,
        "children": frozenset(),
        "child_manifest": "",
        "description": f"Dagster {_what(plan)} of {plan.location.describe(quoted=False)}, compiled by {GENERATOR}.",
    }
    layout = whole(plan)
    text = _render_within(common, layout, SPLIT_ABOVE)
    files = {plan.file_name: text} if text is not None else {}
    if text is None:  # larger than SPLIT_ABOVE: split (compiler/builder/split.py)
        layout = split(plan)
        files = _template_files(common, layout, plan)
        chunked = frozenset(dag.name for dag in layout.dags if any(task.chunk for task in dag.tasks))
        if chunked:
            parsed = {name: parse_documents(body, name) for name, body in files.items()}
        documents = {name: texts[0] for name, texts in parsed.items()}
        children, sizes = over_budget(documents, plan.name, chunked)  # a workflow of workflows (child_workflows.py)
        # the simulated sizes hold while the manifests stand: child Workflows change the main WorkflowTemplate
        layout = dataclasses.replace(layout, children=children, sizes={} if children else sizes)
        if children:  # only the main WorkflowTemplate changes: its chunk tasks create child Workflows
            files[plan.file_name] = _main_file(common, layout, plan)
            del parsed[plan.file_name]
    cron_template = ENVIRONMENT.get_template("cronworkflow.yaml.j2")
    for cron in plan.crons:
        files[cron.file_name] = cron_template.render({**common, "cron": cron})
    for sensor, cron in plan.freshness:  # freshness-check sensors (compiler/builder/freshness.py)
        files[cron.file_name] = cron_template.render({**common, "cron": cron, "sensor": sensor})
    from compiler.builder.events import render_events  # imports this module

    files.update(render_events(plan, common))
    return files, layout, parsed


def _main_file(common: dict[str, Any], layout: Layout, plan: Plan) -> str:
    """The main WorkflowTemplate; with child Workflows, its `child-workflow` template's manifest too."""
    if not layout.children:
        return _render_template(common, layout, plan)
    spec = ENVIRONMENT.get_template("workflow_spec.j2").render(common)
    parameters = _parameters(_render_template(common, layout, plan))
    return _render_template({**common, "child_manifest": child_manifest(plan, parameters, spec)}, layout, plan)


def _template_files(common: dict[str, Any], layout: Layout, plan: Plan) -> dict[str, str]:
    """The WorkflowTemplate, and when split its steps library and chunk WorkflowTemplates."""
    files = {plan.file_name: _main_file(common, layout, plan)}
    if layout.library:  # the step templates and per-key DAGs of a split template (compiler/builder/split.py)
        library = {**common, "part": layout.library, "refs": {}}
        files[layout.library.file_name] = ENVIRONMENT.get_template("steps.yaml.j2").render(library)
    chunk_template = ENVIRONMENT.get_template("chunk.yaml.j2")
    for part in layout.parts:
        files[part.file_name] = chunk_template.render({**common, "part": part, "refs": part.refs})
    return files


def _parameters(text: str) -> list[str]:
    """The workflow parameters the WorkflowTemplate declares: a child Workflow gets each of them."""
    spec = parse_documents(text, "workflowtemplate")[0]["spec"]
    return [str(parameter["name"]) for parameter in spec["arguments"]["parameters"]]


def _render_template(common: dict[str, Any], layout: Layout, plan: Plan) -> str:
    return ENVIRONMENT.get_template("workflowtemplate.yaml.j2").render(_context(common, layout))


def _render_within(common: dict[str, Any], layout: Layout, limit: int) -> str | None:
    """The WorkflowTemplate as `_render_template` writes it when it takes at most `limit` bytes of UTF-8, else None.

    Rendering stops as soon as the text is known to be too large (a character is at least one byte): a project
    that will be split does not render its whole template first (2+ MiB at 10,000 assets) only to measure it."""
    chunks: list[str] = []
    length = 0
    for chunk in ENVIRONMENT.get_template("workflowtemplate.yaml.j2").generate(_context(common, layout)):
        chunks.append(chunk)
        length += len(chunk)
        if length > limit:
            return None
    text = "".join(chunks)
    return text if len(text.encode("utf-8")) <= limit else None


def _context(common: dict[str, Any], layout: Layout) -> dict[str, Any]:
    return {**common, "dags": layout.dags, "steps": layout.steps, "refs": layout.refs, "children": layout.children}
