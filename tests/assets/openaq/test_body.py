"""The strict JSON reading of an OpenAQ answer: depth measured on the bytes agrees with Python's own parser, and a
body too deep is refused before the parser recurses (so nothing else runs out of stack while it does)."""

import gc
import json
import random
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from assets.openaq.body import MAX_JSON_DEPTH, MalformedJSON, nesting_depth, parse_json

# Text that would fool a byte scan that forgot strings or escapes.
_TRICKY_TEXT = ["[", "]", "{", "}", '"', "\\", '\\"', "\\\\", '["', '"]', "Wien [AT]", "ü€😀", "\n\t", ""]


def _parsed_depth(value: Any) -> int:
    """The oracle: levels of lists and dicts in what json.loads returned."""
    if isinstance(value, dict):
        return 1 + max((_parsed_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_parsed_depth(item) for item in value), default=0)
    return 0


def _random_value(rng: random.Random, depth: int) -> Any:
    kind = rng.choice(["list", "dict", "text", "number", "null"] if depth > 0 else ["text", "number", "null"])
    if kind == "list":
        return [_random_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    if kind == "dict":
        return {rng.choice(_TRICKY_TEXT) + str(i): _random_value(rng, depth - 1) for i in range(rng.randint(0, 3))}
    if kind == "text":
        return "".join(rng.choice(_TRICKY_TEXT) for _ in range(rng.randint(0, 4)))
    return rng.choice([1.5, -3, 0, None])


def _documents() -> Iterator[bytes]:
    rng = random.Random(20261207)
    for _ in range(400):
        value = _random_value(rng, rng.randint(0, 8))
        yield json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1])).encode()


def test_the_depth_read_from_the_bytes_is_the_depth_python_parses() -> None:
    for payload in _documents():
        assert nesting_depth(payload) == _parsed_depth(json.loads(payload)), payload


def test_a_body_one_level_past_the_bound_is_refused_and_one_at_it_parses() -> None:
    at_bound = b"[" * MAX_JSON_DEPTH + b'"]]]"' + b"]" * MAX_JSON_DEPTH
    assert _parsed_depth(parse_json(at_bound)) == MAX_JSON_DEPTH
    with pytest.raises(MalformedJSON, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        parse_json(b"[" + at_bound + b"]")


def test_unclosed_brackets_count_as_deep_text_that_is_not_json_is_still_a_value_error() -> None:
    with pytest.raises(MalformedJSON, match="nested deeper"):
        parse_json(b"[" * 50_000)  # a parser would recurse 50,000 times before finding the end
    with pytest.raises(json.JSONDecodeError, match="Expecting"):
        parse_json(b'{"results": [1, 2')


def _stack_room() -> int:
    """How many more Python frames fit on the stack here."""

    def descend(level: int) -> int:
        try:
            return descend(level + 1)
        except RecursionError:
            return level

    return descend(0)


def _use_frames(levels: int) -> int:
    """Recurses `levels` deep, as closing a socket through a few library layers would; RecursionError without room."""
    return 0 if levels == 0 else 1 + _use_frames(levels - 1)


def test_a_finalizer_run_by_the_garbage_collector_during_a_deep_body_has_stack_to_run() -> None:
    """The CI failure this guards against: json.loads recursed once per level of a 50,000-deep body, a collection
    it triggered near the recursion limit ran an unrelated object's finalizer, and that failed with "Exception
    ignored in ...". Here a collection is due just before the parser would reach the limit."""
    finalized: list[int] = []
    unraisable: list[Any] = []

    class NeedsFrames:
        def __del__(self) -> None:
            finalized.append(_use_frames(100))

    previous_hook, previous_threshold = sys.unraisablehook, gc.get_threshold()

    def hook(report: Any) -> None:  # this test's finalizer only: anything else goes on to pytest's hook
        is_ours = getattr(report.object, "__qualname__", "").endswith("NeedsFrames.__del__")
        (unraisable.append if is_ours else previous_hook)(report)

    sys.unraisablehook = hook
    try:
        gc.collect()
        room = _stack_room()
        cycle = NeedsFrames()
        cycle.self = cycle  # type: ignore[attr-defined]
        del cycle
        # One list per level: the collection falls due with some 40 frames left for a parser recursing per level.
        gc.set_threshold(gc.get_count()[0] + room - 40, *previous_threshold[1:])
        with pytest.raises(MalformedJSON, match="nested deeper"):
            parse_json(b"[" * 50_000 + b"]" * 50_000)
        gc.collect()
    finally:
        gc.set_threshold(*previous_threshold)
        sys.unraisablehook = previous_hook
    assert [hook.exc_type for hook in unraisable] == []
    assert finalized == [100]
