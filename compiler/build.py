"""The compiler pipeline: load → plan → render → parse back → validate; nothing is written unless all pass."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from compiler.errors import InvalidManifestError
from compiler.model import Project
from compiler.naming import Renaming
from compiler.parse import ManifestParseError, parse_documents
from compiler.plan import make_plan
from compiler.render import render
from compiler.settings import Settings
from compiler.validate import StructureCheck, template_names_by_workflow_template, validate_manifest


@dataclass(frozen=True)
class BuildResult:
    files: dict[str, str]
    renamings: tuple[Renaming, ...]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a project is resolved and compiled.

    Resolving thousands of assets and parsing the manifests back create hundreds of thousands of objects, and each
    collection rescans all that survive: compile time grew faster than the number of assets (5x the assets, 9x the
    parse). Reference counting still frees everything acyclic; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compile_project(project: Project, settings: Settings, structure: StructureCheck | None = None) -> BuildResult:
    with collector_paused():
        return _compile(project, settings, structure)


def _compile(project: Project, settings: Settings, structure: StructureCheck | None) -> BuildResult:
    plan = make_plan(project, settings)
    files = render(plan)
    problems: list[str] = []
    documents = {}
    for name, text in files.items():
        try:
            parsed = parse_documents(text, name)
        except ManifestParseError as error:
            problems.append(str(error))
            continue
        if len(parsed) != 1:
            problems.append(f"{name}: expected one document, rendered {len(parsed)}")
            continue
        documents[name] = parsed[0]
    known = template_names_by_workflow_template(list(documents.values()))
    for name, document in documents.items():
        problems.extend(f"{name}: {problem}" for problem in validate_manifest(document, known, structure))
    if problems:
        raise InvalidManifestError(["generated manifests are invalid (a compiler bug):", *problems])
    return BuildResult(files=files, renamings=plan.renamings)
