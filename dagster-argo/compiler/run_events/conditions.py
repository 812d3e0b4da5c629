"""A trigger's `conditions` (argo-events v1.9.11 pkg/sensors/triggers: govaluate over the dependency names, each true
when an event of that dependency is held), for what the compiler writes: names joined by `&&` and `||` with
parentheses. Anything else is refused: a guess would replay a trigger the cluster would not fire."""

import re
from collections.abc import Set

from compiler.run_events.sensors import RunEventsError

_TOKEN = re.compile(r"\s*(&&|\|\||\(|\)|[A-Za-z0-9_]+)")


def conditions_hold(conditions: str, held: Set[str], names: Set[str]) -> bool:
    """`conditions` with each dependency name true when it holds an event; empty conditions: all of them."""
    if not conditions.strip():
        return set(names) <= set(held)
    tokens, position = [], 0
    while position < len(conditions.rstrip()):
        match = _TOKEN.match(conditions, position)
        if match is None:
            raise RunEventsError(f"conditions {conditions!r}: only dependency names, &&, || and parentheses replay")
        tokens.append(match.group(1))
        position = match.end()
    value, rest = _or(tokens, held, names, conditions)
    if rest:
        raise RunEventsError(f"conditions {conditions!r}: unexpected {rest[0]!r}")
    return value


def _or(tokens: list[str], held: Set[str], names: Set[str], text: str) -> tuple[bool, list[str]]:
    value, tokens = _and(tokens, held, names, text)
    while tokens and tokens[0] == "||":
        right, tokens = _and(tokens[1:], held, names, text)
        value = value or right
    return value, tokens


def _and(tokens: list[str], held: Set[str], names: Set[str], text: str) -> tuple[bool, list[str]]:
    value, tokens = _term(tokens, held, names, text)
    while tokens and tokens[0] == "&&":
        right, tokens = _term(tokens[1:], held, names, text)
        value = value and right
    return value, tokens


def _term(tokens: list[str], held: Set[str], names: Set[str], text: str) -> tuple[bool, list[str]]:
    if not tokens:
        raise RunEventsError(f"conditions {text!r}: ends too early")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        value, rest = _or(rest, held, names, text)
        if not rest or rest[0] != ")":
            raise RunEventsError(f"conditions {text!r}: unbalanced parentheses")
        return value, rest[1:]
    if head not in names:
        raise RunEventsError(f"conditions {text!r}: {head!r} is not a dependency of the Sensor")
    return head in held, rest
