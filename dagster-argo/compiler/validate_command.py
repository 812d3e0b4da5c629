"""`python -m compiler validate FILE...`: structure and lint checks for any Argo manifests."""

import argparse
import sys
from pathlib import Path
from typing import Any

from compiler.errors import UnsupportedInputError
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command
from compiler.parse import ManifestParseError, parse_documents
from compiler.validate import template_names_by_workflow_template, validate_manifest, workflow_parameters_used
from compiler.validate.events import events_problems, is_events_kind
from compiler.validate.kubernetes import is_kubernetes_kind, kubernetes_problems


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = add_command(
        subparsers,
        "validate",
        help="validate Argo manifests (ours or hand-written)",
        description="Validate Argo WorkflowTemplate, CronWorkflow, Workflow and ClusterWorkflowTemplate manifests, "
        "Argo Events EventSources and Sensors (the controller's rules), and the deploy bundle's ServiceAccount, "
        "Role, RoleBinding, ConfigMap and kustomization.yaml.",
        epilog=EXIT_CODES_HELP,
        handler=run_validate,
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="YAML files, several documents allowed")


def run_validate(arguments: argparse.Namespace) -> int:
    documents: list[tuple[str, Any]] = []
    events: dict[str, Any] = {}
    problems: list[str] = []
    bundle = 0
    for path in arguments.files:
        if path.is_dir():
            raise UnsupportedInputError(f"{path} is a directory: pass manifest files (e.g. {path}/*.yaml)")
        if not path.is_file():
            raise UnsupportedInputError(f"{path}: no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UnsupportedInputError(f"{path}: not UTF-8 text; pass YAML manifests") from None
        try:
            parsed = parse_documents(text, str(path))
        except ManifestParseError as error:
            problems.append(str(error))
            continue
        for index, document in enumerate(parsed):
            label = str(path) if len(parsed) == 1 else f"{path} (document {index + 1})"
            if is_kubernetes_kind(document):
                found, notes = kubernetes_problems(document, path)
                problems.extend(f"{label}: {problem}" for problem in found)
                for note in notes:
                    print(f"note: {label}: {note}", file=sys.stderr)
                bundle += 1
                continue
            if is_events_kind(document):  # Argo Events: compiler/validate/events.py
                events[label] = document
                continue
            documents.append((label, document))
    known = template_names_by_workflow_template([document for _, document in documents])
    used = workflow_parameters_used([document for _, document in documents])  # templateRefs' workflow parameters
    problems.extend(events_problems(events, known, strict=False))
    for label, document in documents:
        problems.extend(f"{label}: {problem}" for problem in validate_manifest(document, known, used_parameters=used))
    from compiler.validate.tick_check import cron_workflow_tick_problems  # Dagster's schedule code: only when run

    for label, document in documents:
        for warning in cron_workflow_tick_problems(document)[1]:
            print(f"warning: {label}: {warning}", file=sys.stderr)
    for problem in problems:
        print(f"invalid: {' '.join(problem.split())}", file=sys.stderr)  # one line each (YAML errors span three)
    if problems:
        return 1
    print(f"ok: {len(documents) + len(events) + bundle} manifest(s) valid", file=sys.stderr)
    return 0
