"""Writes generated manifests, or compares them with what is on disk for `build --check`."""

import difflib
from collections.abc import Mapping
from pathlib import Path

# The deploy bundle's files (compiler/builder/deploy_bundle.py); named here so that `write` imports no templates.
KUSTOMIZATION = "kustomization.yaml"
BUNDLE_SUFFIXES = (".serviceaccount.yaml", ".role.yaml", ".rolebinding.yaml", ".configmap.yaml")

EVENTS_SUFFIXES = (".eventsource.yaml", ".sensor.yaml")  # compiler/builder/events.py
GENERATED_SUFFIXES = (".workflowtemplate.yaml", ".cronworkflow.yaml", *EVENTS_SUFFIXES, *BUNDLE_SUFFIXES)


def _is_generated(path: Path) -> bool:
    return path.is_file() and (path.name.endswith(GENERATED_SUFFIXES) or path.name == KUSTOMIZATION)


def _generated_files(out: Path) -> list[Path]:
    if not out.is_dir():
        return []
    return sorted(p for p in out.iterdir() if _is_generated(p))


def write_manifests(files: Mapping[str, str], out: Path) -> list[str]:
    """Writes every file and removes generated files no longer produced; returns the names removed."""
    out.mkdir(parents=True, exist_ok=True)
    removed = []
    for stale in _generated_files(out):
        if stale.name not in files:
            stale.unlink()
            removed.append(stale.name)
    for name, text in files.items():
        target = out / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            partial = target.with_name(f".{name}.partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(target)
    return removed


def diff_manifests(files: Mapping[str, str], out: Path) -> str:
    """A unified diff from the files on disk to the regenerated ones; empty when up to date."""
    chunks: list[str] = []
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in _generated_files(out)}
    for name in sorted(set(on_disk) | set(files)):
        before, after = on_disk.get(name, ""), files.get(name, "")
        if before != after:
            chunks.extend(
                difflib.unified_diff(
                    before.splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    fromfile=f"{out.name}/{name}" if name in on_disk else "/dev/null",
                    tofile=f"{out.name}/{name}" if name in files else "/dev/null",
                )
            )
    return "".join(chunks)
