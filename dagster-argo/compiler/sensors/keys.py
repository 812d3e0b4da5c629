"""Object key → partition key: the one implementation Dagster's sensor, the compiled Sensor's filters and the pod use.

A key is wanted when it matches every regular expression of `ObjectKeyRule.filters()`: under the prefix and ending
with the suffix, not a directory marker (`…/`), and containing the partition pattern. Those strings go verbatim into
the Argo Sensor's data filters (Go RE2, unanchored `regexp.Match`, so each is anchored with `^…$` here), and Dagster's
sensor and `run-events` apply the very same strings with Python's `re`; `check_pattern` refuses the Python-only
constructs RE2 lacks, so both engines read them alike. The partition key is built from the pattern's named groups:
one group is the key, several are a `MultiPartitionKey` (values joined by `|` in the order of the dimension names,
Dagster's own form, e.g. `vienna|2026-11-27`).
"""

import re
from dataclasses import dataclass

# Python-only regular expression syntax that Go's RE2 (the Argo Sensor's filters) rejects or reads differently.
_NOT_RE2 = (
    (re.compile(r"\(\?[=!]"), "lookahead"),
    (re.compile(r"\(\?<[=!]"), "lookbehind"),
    (re.compile(r"\(\?P="), "a named backreference"),
    (re.compile(r"(?<!\\)\\[1-9]"), "a backreference"),
    (re.compile(r"\(\?>"), "an atomic group"),
    (re.compile(r"\(\?\("), "a conditional group"),
    (re.compile(r"[*+?}]\+"), "a possessive quantifier"),
    (re.compile(r"(?<!\\)\\Z"), "\\Z (write $)"),
)
_GROUP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class KeyPatternError(ValueError):
    """A partition pattern that cannot be used on both sides (Python and Go RE2)."""


def check_pattern(pattern: str) -> re.Pattern[str]:
    """The compiled pattern, or KeyPatternError naming what RE2 (Argo's Sensor filters) would not accept."""
    for construct, what in _NOT_RE2:
        if construct.search(pattern):
            raise KeyPatternError(f"partition_key {pattern!r} uses {what}, which Argo's Go (RE2) regexps do not have")
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise KeyPatternError(f"partition_key {pattern!r} is not a regular expression: {error}") from None
    if compiled.groups != len(compiled.groupindex):
        raise KeyPatternError(
            f"partition_key {pattern!r} has unnamed groups; name every group after a partition dimension, "
            "(?P<city>[^/]+), or make it non-capturing, (?:...)"
        )
    return compiled


@dataclass(frozen=True)
class ObjectKeyRule:
    """Which objects of a bucket start a run, and for which partition."""

    prefix: str = ""
    suffix: str = ""
    pattern: str | None = None  # named groups = partition dimensions; None: the target is unpartitioned

    def __post_init__(self) -> None:
        if self.pattern is not None:
            check_pattern(self.pattern)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The pattern's group names, sorted (Dagster orders a MultiPartitionKey's dimensions by name)."""
        return tuple(sorted(check_pattern(self.pattern).groupindex)) if self.pattern is not None else ()

    def filters(self) -> tuple[str, ...]:
        """Anchored regular expressions, valid in Python and RE2, a wanted key matches all of."""
        found = [f"^{re.escape(self.prefix)}(?s:.*){re.escape(self.suffix)}$", "^(?s:.*)[^/]$"]
        if self.pattern is not None:
            found.append(f"^(?s:.*?)(?:{self.pattern})(?s:.*)$")
        return tuple(found)

    def wanted(self, key: str) -> bool:
        """True when the key passes every filter: what the Argo Sensor's data filters let through."""
        return all(re.match(expression, key) for expression in self.filters())

    def partition_key(self, key: str) -> str | None:
        """The partition the object belongs to: None for an unpartitioned target; KeyError when it is not wanted."""
        if not self.wanted(key):
            raise KeyError(key)
        if self.pattern is None:
            return None
        match = check_pattern(self.pattern).search(key)
        if match is None:  # cannot happen once wanted() holds; kept for the type checker
            raise KeyError(key)
        values = {name: value for name, value in match.groupdict().items() if value is not None}
        if len(values) == 1:
            return next(iter(values.values()))
        return "|".join(values[name] for name in sorted(values))


def describe_unwanted(rule: ObjectKeyRule, key: str) -> str:
    """Why a key starts no run, in a few words, for a log line or an error."""
    if not key.startswith(rule.prefix) or not key.endswith(rule.suffix):
        return f"outside prefix {rule.prefix!r} / suffix {rule.suffix!r}"
    if key.endswith("/"):
        return "a directory marker"
    return f"does not match partition_key {rule.pattern!r}"


def valid_group_names(rule: ObjectKeyRule) -> bool:
    return all(_GROUP_NAME.match(name) for name in rule.dimensions)
