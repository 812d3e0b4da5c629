"""The Sensor's `object-static-key` dataTemplate (compiler/builder/object_fan_out.py), evaluated as Argo Events does.

The template is `{{ regexReplaceAll "PATTERN" (index .Input.RECORDS 0).PATH "REPLACEMENT" }}`: sprig's
`regexReplaceAll` is Go's `regexp.MustCompile(PATTERN).ReplaceAllString(value, REPLACEMENT)`, which replaces every
non-overlapping match and expands `$name`, `${name}` and `$1` in the replacement (regexp.Expand: a group that did
not take part, or a name the pattern lacks, expands to nothing; `$$` is a `$`). The pattern is RE2 syntax the
compiler checked to read alike in Python (compiler/sensors/keys.py); the one difference that matters here, `$`
(Go: the end of the text only; Python: also before a final newline), is translated to `\\Z`.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

_GO_STRING = r'"(?:[^"\\]|\\.)*"'
STATIC_KEY_TEMPLATE = re.compile(
    rf"^\{{\{{ regexReplaceAll (?P<pattern>{_GO_STRING}) \(index \.Input\.(?P<records>[A-Za-z0-9_]+) 0\)"
    rf"\.(?P<path>[A-Za-z0-9_.]+) (?P<replacement>{_GO_STRING}) \}}\}}$"
)
_EXPANSION = re.compile(r"\$(?:\$|\{(?P<braced>[A-Za-z0-9_]+)\}|(?P<bare>[A-Za-z0-9_]+))")
_END = re.compile(r"(?<!\\)\$$")


def evaluate_static_key_template(match: re.Match[str], data: Mapping[str, Any]) -> str | None:
    """The template's value for this event; None when the event has no such record (the caller's refusal)."""
    records = data.get(match["records"])
    if not isinstance(records, list) or not records:
        return None
    value: Any = records[0]
    for part in match["path"].split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    pattern, replacement = json.loads(match["pattern"]), json.loads(match["replacement"])
    return replace_all(pattern, str(value), replacement)


def replace_all(pattern: str, text: str, replacement: str) -> str:
    """Go's `Regexp.ReplaceAllString` for the non-empty matches an anchored pattern has."""
    compiled = re.compile(_END.sub(r"\\Z", pattern))
    pieces, last = [], 0
    for found in compiled.finditer(text):
        pieces += [text[last : found.start()], _expand(found, replacement)]
        last = found.end()
    return "".join(pieces) + text[last:]


def _expand(found: re.Match[str], replacement: str) -> str:
    def group(token: re.Match[str]) -> str:
        name = token["braced"] or token["bare"]
        if name is None:
            return "$"
        if name.isdigit():
            index = int(name)
            return (found.group(index) or "") if index <= (found.re.groups or 0) else ""
        return (found.groupdict().get(name) or "") if name in found.re.groupindex else ""

    return _EXPANSION.sub(group, replacement)
