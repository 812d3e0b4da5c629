"""`python -m compiler init`: append a commented `[tool.compiler]` to the project's pyproject.toml.

A new project otherwise learns the required settings one failed `build` at a time. The values are inferred from the
project (`[project] name` made a DNS-1123 label, the image and the ServiceAccount named after it, `[project] version`
as the image tag), so the output builds as written for a plain Dagster project; settings a project may need later
(ConfigMap, Secrets, env) are written as comments. The rest of the file is kept byte for byte, and an existing
section is never overwritten.
"""

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.errors import UnsupportedInputError
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command

NAME_LIMIT = 40  # [tool.compiler] name: the pipeline's names get suffixes, so it stays well below 63
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
FALLBACK_NAME = "dagster-project"


@dataclass(frozen=True)
class Inferred:
    """What `init` writes, and where each value came from (printed, so the user knows what to review)."""

    name: str
    image_tag: str | None
    source: str


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = add_command(
        subparsers,
        "init",
        help="append a commented [tool.compiler] section to pyproject.toml, inferred from the project",
        description="Append a commented [tool.compiler] section to the project's pyproject.toml (created when "
        "missing), with values inferred from the project: name from [project] name as a DNS-1123 label, the image "
        "and ServiceAccount named after it, [project] version as the image tag. The rest of the file is kept byte "
        "for byte; an existing [tool.compiler] is never overwritten (exit 2).",
        epilog=EXIT_CODES_HELP,
        handler=run_init,
    )
    parser.add_argument(
        "--settings",
        type=Path,
        default=Path("pyproject.toml"),
        help="the pyproject.toml to append to (default: pyproject.toml)",
    )
    parser.add_argument(
        "--print", action="store_true", help="print the section instead of writing it (also beside an existing one)"
    )


def run_init(arguments: argparse.Namespace) -> int:
    path: Path = arguments.settings
    existing = path.read_bytes() if path.is_file() else b""
    document = _parse(path, existing)
    if "compiler" in document.get("tool", {}) and not arguments.print:
        raise UnsupportedInputError(
            f"{path} already has a [tool.compiler] section; init never overwrites it: edit it by hand, or delete it "
            "and run init again"
        )
    inferred = infer(document, path)
    newline = "\r\n" if b"\r\n" in existing else "\n"
    section = render_section(inferred)
    _check_builds(b"" if arguments.print else existing, section, path)  # what init writes must be valid settings
    if arguments.print:
        sys.stdout.write(section)
        return 0
    separator = "" if not existing else ("\n" if existing.endswith(b"\n") else "\n\n")
    text = separator + section
    path.write_bytes(existing + text.replace("\n", newline).encode("utf-8"))
    print(
        f"wrote [tool.compiler] to {path} (name {inferred.name!r} from {inferred.source}); review image and "
        "namespace, then run `python -m compiler build`",
        file=sys.stderr,
    )
    return 0


def _parse(path: Path, existing: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(existing.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UnsupportedInputError(f"{path} is not valid TOML: {error}; fix it, then run init again") from None


def infer(document: dict[str, Any], path: Path) -> Inferred:
    """The project's own name and version, else the folder's name."""
    project = document.get("project", {})
    raw = project.get("name") if isinstance(project, dict) else None
    source = "[project] name"
    if not isinstance(raw, str) or not dns_label(raw):
        raw, source = path.resolve().parent.name, "the folder's name"
    version = project.get("version") if isinstance(project, dict) else None
    tag = version if isinstance(version, str) and TAG.match(version) else None
    return Inferred(name=dns_label(raw) or FALLBACK_NAME, image_tag=tag, source=source)


def dns_label(text: str) -> str:
    """`My_Dagster.Project` → `my-dagster-project`: lower case, runs of other characters as one '-', at most 40."""
    label = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return label[:NAME_LIMIT].rstrip("-")


def render_section(inferred: Inferred) -> str:
    name = inferred.name
    tag = (
        f'image_tag = "{inferred.image_tag}"  # from [project] version\n'
        if inferred.image_tag
        else '# image_tag = "0.1.0"  # none given: the image is pulled without a tag (latest)\n'
    )
    return f"""[tool.compiler]
# Written by `python -m compiler init`; review it, then run `python -m compiler build`.
# Every setting is described in compiler/README.md ("Settings"), installed with the compiler (dagster-argo).
# The pipeline's name (a DNS-1123 label): the WorkflowTemplate and CronWorkflows are named after it.
name = "{name}"
# The image of every step pod: this project's code with dagster-argo installed. Put your registry in front,
# e.g. "ghcr.io/ORG/{name}".
image = "{name}"
{tag}# The namespace the workflows run in (Argo's quick start installs Argo Workflows into "argo").
namespace = "argo"
# The step pods' ServiceAccount; `build` writes it, with the Role Argo's executor needs, into the deploy bundle.
service_account = "{name}"
# Non-secret variables from a ConfigMap (config_map is then required; [tool.compiler.config] emits its values):
# config_map = "{name}-config"
# config_keys = ["API_BASE_URL"]
#
# Plain variables, and credentials (only ever as secretKeyRef: variable = {{ name = SECRET, key = KEY }}):
# [tool.compiler.env]
# HOME = "/tmp"
#
# [tool.compiler.secrets]
# API_KEY = {{ name = "{name}-credentials", key = "api-key" }}
"""


def _check_builds(existing: bytes, section: str, path: Path) -> None:
    """The appended file must still be TOML and its section valid settings; anything else is a bug of init."""
    from compiler.settings import parse_settings

    try:
        document = tomllib.loads(existing.decode("utf-8") + "\n" + section)
    except tomllib.TOMLDecodeError as error:  # e.g. `tool` is an inline table, which no [tool.x] may extend
        raise UnsupportedInputError(
            f"{path}: a [tool.compiler] table cannot be appended ({error}); add the section `init --print` "
            "shows by hand"
        ) from None
    try:
        parse_settings(document["tool"]["compiler"])
    except UnsupportedInputError as error:  # pragma: no cover - the inference always yields valid values
        raise UnsupportedInputError(f"init would write invalid settings to {path} (a compiler bug): {error}") from None
