"""The cron grammar Argo's controller accepts (robfig/cron: five fields or an @ descriptor)."""

import re

DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
GO_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")
MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
MONTHS = {m: i + 1 for i, m in enumerate(MONTH_NAMES)}
DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 6, DAYS),
)


def cron_problem(expression: str) -> str | None:
    """None when valid, otherwise what is wrong with it."""
    text = expression.strip()
    if text.startswith("@"):
        if text in DESCRIPTORS:
            return None
        if text.startswith("@every "):
            duration = text.removeprefix("@every ").strip()
            return (
                None if GO_DURATION.match(duration) else f"@every needs a Go duration such as 1h30m, got {duration!r}"
            )
        return f"unknown descriptor {text!r} (expected one of {', '.join(sorted(DESCRIPTORS))} or @every DURATION)"
    fields = text.split()
    if len(fields) != 5:
        return f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
    for value, (name, low, high, names) in zip(fields, FIELDS, strict=True):
        for part in value.split(","):
            problem = _part_problem(part, low, high, names, allow_question=name in ("day of month", "day of week"))
            if problem:
                return f"{name} field {value!r}: {problem}"
    return None


def _part_problem(part: str, low: int, high: int, names: dict[str, int], *, allow_question: bool) -> str | None:
    range_text, _, step_text = part.partition("/")
    if step_text and (not step_text.isdigit() or int(step_text) == 0):
        return f"step {step_text!r} must be a positive integer"
    if range_text == "*" or (range_text == "?" and allow_question):
        return None
    start_text, dash, end_text = range_text.partition("-")
    start = _number(start_text, names)
    end = _number(end_text, names) if dash else start
    if start is None or end is None:
        return f"{range_text!r} is not a number or name"
    if not (low <= start <= high and low <= end <= high):
        return f"{range_text!r} is outside {low}-{high}"
    if start > end:
        return f"range {range_text!r} runs backwards"
    return None


def _number(text: str, names: dict[str, int]) -> int | None:
    if text.isdigit():
        return int(text)
    return names.get(text.upper())
