"""Kubernetes/Argo names from Dagster names: sanitised, length-limited, collision-free, deterministic."""

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from compiler.errors import UnsupportedInputError

NAME_LIMIT = 63
CRON_NAME_LIMIT = 52  # Argo appends an 11-character timestamp suffix to each Workflow a CronWorkflow creates
HASH_LENGTH = 8


@dataclass(frozen=True)
class Renaming:
    """A name that got a hash suffix, kept so `build` can report it."""

    source: str
    name: str
    reason: str


def sanitise(text: str, *, fallback: str = "x") -> str:
    """Lowercase DNS-1123 label characters; never starts with a digit (Argo rejects such DAG task names)."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not name:
        return fallback
    return f"{fallback}-{name}" if name[0].isdigit() else name


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def with_hash(base: str, source: str, limit: int) -> str:
    """`base` cut to fit, then `-` and a hash of the unsanitised source, so distinct sources stay distinct."""
    head = base[: limit - HASH_LENGTH - 1].rstrip("-")
    return f"{head}-{short_hash(source)}" if head else f"x-{short_hash(source)}"


def assign_names(
    sources: Iterable[str], *, limit: int = NAME_LIMIT, prefix: str = "", fallback: str = "x", what: str = "name"
) -> tuple[dict[str, str], list[Renaming]]:
    """Maps each source to a unique name; every member of a colliding group gets a hash suffix."""
    sources = sorted(set(sources))
    bases = {source: prefix + sanitise(source, fallback=fallback) for source in sources}
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for source, base in bases.items():
        groups[base].append(source)
    names: dict[str, str] = {}
    renamings: list[Renaming] = []
    for source, base in bases.items():
        if len(groups[base]) > 1:
            names[source] = with_hash(base, source, limit)
            others = ", ".join(other for other in groups[base] if other != source)
            renamings.append(Renaming(source, names[source], f"{what} {base!r} also derives from {others}"))
        elif len(base) > limit:
            names[source] = with_hash(base, source, limit)
            renamings.append(Renaming(source, names[source], f"{what} {base!r} is longer than {limit} characters"))
        else:
            names[source] = base
    owners: dict[str, str] = {}
    for source, name in names.items():
        if name in owners:
            raise UnsupportedInputError(
                f"{what}s for {owners[name]!r} and {source!r} both resolve to {name!r}; rename one of them"
            )
        owners[name] = source
    return names, renamings
