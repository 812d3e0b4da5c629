"""Parsing an OpenAQ answer's JSON strictly: what `json.loads` would accept but an API answer never holds.

Three shapes parse "successfully" into something other than what was sent, and each is turned into `MalformedJSON`,
which the client retries like a truncated body and reports naming the request:
- a key given twice in one object: JSON keeps the last one, so a second `"results": []` would silently empty a page
  (a sensor's day lost with exit 0);
- nesting deeper than `MAX_JSON_DEPTH`: an OpenAQ answer is about five levels deep, and 50,000 nested arrays would
  otherwise end in a `RecursionError` that names no request; the depth is bounded like the body's size;
- NaN / Infinity literals (not JSON at all) are parsed to a marker, so the client can drop just the rows holding one
  and count them instead of failing the page.
"""

from __future__ import annotations

import json
from typing import Any

# An OpenAQ v3 answer nests about five levels (envelope, results, row, period, datetimeFrom); far more is not one.
MAX_JSON_DEPTH = 64


class MalformedJSON(ValueError):
    """The body is JSON (or nearly), but not a usable answer; `reason` says how, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _NonFinite:
    """Stands in for a NaN/Infinity literal (or an overflowing number) while a body is parsed."""

    def __repr__(self) -> str:
        return "<non-finite>"


NON_FINITE = _NonFinite()


def _finite_float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if value == value and value not in (float("inf"), float("-inf")) else NON_FINITE


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


def nesting_depth(value: Any) -> int:
    """Levels of arrays and objects in a parsed value, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def parse_json(payload: bytes) -> Any:
    """The parsed body, NaN/Infinity as `NON_FINITE`. MalformedJSON for a duplicate key or nesting deeper than
    MAX_JSON_DEPTH; ValueError (json.JSONDecodeError) for text that is not JSON."""
    too_deep = MalformedJSON(f"JSON nested deeper than {MAX_JSON_DEPTH} levels, which no OpenAQ answer is")
    try:
        body = json.loads(
            payload, parse_constant=lambda _: NON_FINITE, parse_float=_finite_float, object_pairs_hook=_unique_keys
        )
    except _DuplicateKey as duplicate:
        key = duplicate.key if len(duplicate.key) <= 40 else duplicate.key[:40] + "…"
        raise MalformedJSON(
            f"duplicate key {key!r} in one JSON object (JSON keeps only the last, which would hide the first)"
        ) from None
    except RecursionError:  # deeper than Python's parser goes: certainly deeper than the bound
        raise too_deep from None
    if nesting_depth(body) > MAX_JSON_DEPTH:
        raise too_deep
    return body


def holds_non_finite(value: Any) -> bool:
    """Whether a parsed value (at most MAX_JSON_DEPTH deep) holds a NaN/Infinity marker."""
    if value is NON_FINITE:
        return True
    if isinstance(value, dict):
        return any(holds_non_finite(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_non_finite(item) for item in value)
    return False
