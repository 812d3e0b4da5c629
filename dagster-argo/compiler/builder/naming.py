"""Kubernetes/Argo names from Dagster names: sanitised, length-limited, collision-free, deterministic."""

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from compiler.errors import UnsupportedInputError
from compiler.validate.expr import EXPR_VERSION, RESERVED_WORDS

# Task names `depends` cannot refer to: after sanitising (lowercase, `-` only), the expr words that are all lowercase.
DEPENDS_RESERVED = frozenset(word for word in RESERVED_WORDS if word == word.lower())

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


def fit_name(name: str) -> str:
    """`name` as it is when it fits NAME_LIMIT, else cut with a hash of itself (step templates, gate and fused
    names, which no other name can collide with)."""
    return name if len(name) <= NAME_LIMIT else with_hash(name, name, NAME_LIMIT)


def avoid_reserved(name: str, reserved: frozenset[str], fallback: str) -> str:
    """`fallback-` before a name that is a reserved word, as before a leading digit (`matches` → `asset-matches`)."""
    return f"{fallback}-{name}" if name in reserved else name


def assign_names(
    sources: Iterable[str],
    *,
    limit: int = NAME_LIMIT,
    prefix: str = "",
    fallback: str = "x",
    what: str = "name",
    reserved: frozenset[str] = frozenset(),
) -> tuple[dict[str, str], list[Renaming]]:
    """Maps each source to a unique name; every member of a colliding group gets a hash suffix.

    `reserved` names (for DAG tasks: the expr words Argo's `depends` cannot refer to, `DEPENDS_RESERVED`) get the
    `fallback-` prefix, and that renaming is reported like the others.
    """
    sources = sorted(set(sources))
    plain = {source: prefix + sanitise(source, fallback=fallback) for source in sources}
    bases = {source: avoid_reserved(name, reserved, fallback) for source, name in plain.items()}
    reserved_renamings = [
        Renaming(
            source,
            bases[source],
            f"{what} {plain[source]!r} is a word of the expr language Argo evaluates depends with "
            f"(expr {EXPR_VERSION}), not a name",
        )
        for source in sources
        if bases[source] != plain[source]
    ]
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for source, base in bases.items():
        groups[base].append(source)
    names: dict[str, str] = {}
    renamings: list[Renaming] = list(reserved_renamings)
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
