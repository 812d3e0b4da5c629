"""Compile every example module of a directory with `python -m compiler build` and tally the outcomes.

Issue #25's acceptance is a held-out set of Dagster's own documentation examples: each must compile, or be refused
with exit 2 naming what is unsupported, and never crash. This sweep approximates it with any directory of code
locations (one module each, e.g. extracted from Dagster's docs_snippets; they are not part of this repository):
each module is built in a fresh process with a timeout, as `build` would run in CI, and classified as

- compiled: exit 0 (build writes nothing unless every manifest validates, so this is also "valid");
- refused: exit 2, grouped by the refusal's first words with the object names blanked out;
- skipped: exit 2 because the example imports an optional package this environment lacks (not the compiler's doing);
- crash: any other exit code or a Python traceback, i.e. a compiler bug on a valid Dagster project;
- timeout: no answer within --timeout seconds.

It needs no network: the settings file it builds with is written into a temporary directory.

    .venv/bin/python tools/docs_examples_sweep.py /tmp/docs-examples [--timeout 180] [--only NAME ...]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SETTINGS = """[project]
name = "docs-example"
version = "0.1.0"

[tool.compiler]
name = "docs-example"
image = "docs-example"
image_tag = "0.1.0"
namespace = "argo"
service_account = "docs-example"
config_map = "docs-example-config"
config_keys = ["MINIO_ENDPOINT", "MINIO_BUCKET"]

# Where @asset_sensor marker objects go (see compiler/sensors/README.md); the sweep never reaches the store.
[tool.compiler.config]
MINIO_ENDPOINT = "http://minio.minio.svc.cluster.local:9000"
MINIO_BUCKET = "docs-example"

[tool.compiler.secrets]
MINIO_ACCESS_KEY = { name = "minio-credentials", key = "access-key" }
MINIO_SECRET_KEY = { name = "minio-credentials", key = "secret-key" }
"""

_MISSING_MODULE = re.compile(r"No module named '([^']+)'")
_QUOTED = re.compile(r"(?<!\w)'[^']*'|\"[^\"]*\"|`[^`]*`")
_SUBJECT = re.compile(r"^(?:asset|multi-asset|sensor|schedule|job|check|op|graph|resource) \S+: ")
_NAMING_WORDS = {"asset", "job", "schedule", "sensor", "check", "op", "graph"}
REASON_WORDS = 9


@dataclass(frozen=True)
class Outcome:
    """One example's result: its kind (compiled, refused, skipped, crash, timeout) and the line explaining it."""

    module: str
    kind: str
    detail: str
    warnings: int


def first_error_line(stderr: str) -> str:
    """The line a user reads first: `error: ...`, else the last non-empty line (a traceback's exception)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line
    return lines[-1] if lines else "(no output)"


def reason_key(line: str) -> str:
    """The refusal's first words with the objects it names blanked, so one refusal of many objects is one group."""
    text = _QUOTED.sub("…", line.removeprefix("error:").strip())
    subject = _SUBJECT.match(text)
    if subject:
        text = subject.group(0).split()[0] + ": " + text[subject.end() :]
    words: list[str] = []
    for word in text.split():
        named = bool(words) and words[-1] in _NAMING_WORDS
        words.append("…" if named else word)
    return " ".join(words[:REASON_WORDS])


def classify(module: str, example_dir: Path, returncode: int, stderr: str) -> Outcome:
    """Sort one build's exit code and stderr into the sweep's kinds."""
    warnings = sum(1 for line in stderr.splitlines() if line.startswith("warning:"))
    line = first_error_line(stderr)
    if returncode == 0:
        return Outcome(module, "compiled", "", warnings)
    if "Traceback (most recent call last)" in stderr or returncode != 2:
        return Outcome(module, "crash", f"exit {returncode}: {line}", warnings)
    missing = _MISSING_MODULE.search(stderr)
    if missing and not (example_dir / f"{missing.group(1).split('.')[0]}.py").exists():
        return Outcome(module, "skipped", f"missing package {missing.group(1).split('.')[0]}", warnings)
    return Outcome(module, "refused", line, warnings)


def location_args(path: Path) -> list[str]:
    """`-m stem` for an importable name, else `-f file` (Dagster's docs use dashes in some file names)."""
    return ["-m", path.stem] if path.stem.isidentifier() else ["-f", path.name]


def build_one(path: Path, work: Path, settings: Path, timeout: float) -> Outcome:
    """Build one example in a fresh process from its directory, as `dagster dev -m` would load it."""
    command = [sys.executable, "-m", "compiler", "build", *location_args(path)]
    command += ["--out", str(work / "out" / path.stem), "--settings", str(settings)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run(
            command, cwd=path.parent, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return Outcome(path.stem, "timeout", f"no answer within {timeout:g} s", 0)
    return classify(path.stem, path.parent, done.returncode, done.stderr + done.stdout)


def examples(directory: Path, only: list[str]) -> list[Path]:
    """The directory's modules, sorted; `_`-prefixed ones are helpers, not code locations."""
    found = sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))
    return [p for p in found if not only or p.stem in only]


def report(outcomes: list[Outcome]) -> str:
    """The per-example table, then the tally and the refusal reasons by count."""
    width = max((len(o.module) for o in outcomes), default=10)
    rows = [
        f"{o.module:<{width}}  {o.kind:<8}  {o.detail}" + (f"  [{o.warnings} warning(s)]" if o.warnings else "")
        for o in outcomes
    ]
    kinds = Counter(o.kind for o in outcomes)
    tally = ", ".join(f"{kind} {kinds[kind]}" for kind in ("compiled", "refused", "skipped", "crash", "timeout"))
    reasons = Counter(reason_key(o.detail) for o in outcomes if o.kind == "refused")
    lines = [*rows, "", f"total {len(outcomes)}: {tally}"]
    if reasons:
        lines += ["", "refusals by reason:", *(f"  {count:>3}  {reason}" for reason, count in reasons.most_common())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when nothing crashed or timed out, 1 otherwise (refusals and skips are not failures)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="directory of example modules, one code location each")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per build (default: 180)")
    parser.add_argument("--only", nargs="*", default=[], help="module names to build (default: all)")
    args = parser.parse_args(argv)
    directory = args.directory.resolve()
    if not directory.is_dir():
        parser.error(f"{args.directory} is not a directory")
    with tempfile.TemporaryDirectory(prefix="docs-sweep-") as tmp:
        work = Path(tmp)
        settings = work / "pyproject.toml"
        settings.write_text(SETTINGS, encoding="utf-8")
        outcomes = []
        for path in examples(directory, args.only):
            outcome = build_one(path, work, settings, args.timeout)
            print(f"{outcome.module}: {outcome.kind} {outcome.detail}", file=sys.stderr, flush=True)
            outcomes.append(outcome)
    print(report(outcomes))
    return 1 if any(o.kind in ("crash", "timeout") for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
