"""The compiler pipeline: load → plan → render → parse back → validate; nothing is written unless all pass."""

from dataclasses import dataclass, field

from compiler.builder.child_workflows import child_warnings
from compiler.builder.deploy_bundle import render_bundle
from compiler.builder.events import event_warnings
from compiler.builder.fidelity.custom_io import custom_io_warnings
from compiler.builder.model import Project
from compiler.builder.naming import Renaming
from compiler.builder.plan import make_plan
from compiler.builder.render import render_with_layout
from compiler.builder.retry import failure_retry_warning
from compiler.builder.size_budget import check_sizes
from compiler.builder.workflow_size import size_warnings
from compiler.collector import collector_paused
from compiler.errors import InvalidManifestError
from compiler.parse import ManifestParseError, parse_documents
from compiler.settings import Settings
from compiler.validate import (
    StructureCheck,
    template_names_by_workflow_template,
    validate_manifest,
    workflow_parameters_used,
)
from compiler.validate.events import events_problems, is_events_kind
from compiler.validate.tick_check import check_cron_ticks


@dataclass(frozen=True)
class BuildResult:
    files: dict[str, str]  # the Argo manifests
    renamings: tuple[Renaming, ...]
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    bundle: dict[str, str] = field(default_factory=dict)  # ServiceAccount, RBAC, ConfigMap, kustomization.yaml

    @property
    def all_files(self) -> dict[str, str]:
        return {**self.files, **self.bundle}


def compile_project(project: Project, settings: Settings, structure: StructureCheck | None = None) -> BuildResult:
    with collector_paused():
        return _compile(project, settings, structure)


def _compile(project: Project, settings: Settings, structure: StructureCheck | None) -> BuildResult:
    plan = make_plan(project, settings)
    # split when too large for one manifest (builder/split.py); a split's manifests come back already parsed
    files, layout, parsed_back = render_with_layout(plan)
    bundle = render_bundle(plan, files, child_workflows=bool(layout.children))
    problems: list[str] = []
    documents = {}
    for name, text in {**files, **bundle}.items():
        try:
            parsed = parsed_back[name] if name in parsed_back else parse_documents(text, name)
        except ManifestParseError as error:
            problems.append(str(error))
            continue
        if len(parsed) != 1:
            problems.append(f"{name}: expected one document, rendered {len(parsed)}")
            continue
        if name in files:
            documents[name] = parsed[0]
    check_cron_ticks(plan.crons, project.schedules, documents)  # exit 2 naming the schedule, before lint says "bug"
    known = template_names_by_workflow_template(list(documents.values()))
    used = workflow_parameters_used(list(documents.values()))  # what templateRef'd templates read of the caller
    events = {name: doc for name, doc in documents.items() if is_events_kind(doc)}  # compiler/validate/events.py
    problems.extend(events_problems(events, known))
    for name, document in documents.items():
        if name not in events:
            problems.extend(f"{name}: {problem}" for problem in validate_manifest(document, known, structure, used))
    if problems:
        raise InvalidManifestError(["generated manifests are invalid (a compiler bug):", *problems])
    # check_sizes raises (exit 2) before anything is written when one cannot be stored
    warnings = [*project.fidelity.warnings, *project.warnings, *plan.op_job_warnings]
    warnings += [*plan.pod_local_warnings, *plan.fusion_warnings]
    warnings += event_warnings(project, plan.events)
    warnings += custom_io_warnings(project.fidelity.custom_io, settings.shared_io_managers)
    warnings += filter(None, [failure_retry_warning(project.assets, settings.defaults)])
    warnings += [cron.policy_warning for cron in plan.crons if cron.policy_warning]
    warnings += layout.warnings
    warnings += child_warnings(plan.name, layout.children, any(asset.partitions for asset in project.assets))
    warnings += size_warnings(documents, plan.name, layout.sizes)  # the Workflows it creates, as Argo stores them
    warnings += check_sizes(documents)
    notes = tuple(
        f"schedule {cron.schedule} has default_status STOPPED (Dagster's default): {cron.file_name} is suspended "
        f"until `argo cron resume {cron.name}`; set default_status=DefaultScheduleStatus.RUNNING to start it deployed"
        for cron in plan.crons
        if cron.suspended
    )
    notes += tuple(  # freshness-check sensors (compiler/builder/freshness.py)
        f"sensor {sensor.name} has default_status STOPPED (Dagster's default): {cron.file_name} is suspended until "
        f"`argo cron resume {cron.name}`; set default_status=DefaultSensorStatus.RUNNING to start it deployed"
        for sensor, cron in plan.freshness
        if cron.suspended
    )
    notes += plan.fusion_notes
    return BuildResult(files=files, renamings=plan.renamings, warnings=tuple(warnings), notes=notes, bundle=bundle)
