"""Argo's DAG task `when` and the output parameters it reads, as the controller evaluates them.

Argo substitutes `{{tasks.<task>.outputs.parameters.<name>}}` (a task that ran; a missing one fails the workflow),
then evaluates the text with govaluate, after turning every bare word into a string
(workflow/controller/operator.go `shouldExecute`): `true == true` compares booleans, `skip != run` strings.
run-local supports comparisons `A == B` or `A != B` of literals (numbers, booleans, quoted or bare strings), joined
by `&&` / `||` and grouped by parentheses, and refuses anything else rather than guess; a task whose `when` is false
ends Skipped, and `depends: "t"` holds for a Skipped `t` (it means `t.Succeeded || t.Skipped || t.Daemoned`).
"""

import re
from collections.abc import Mapping

from compiler.run_local.errors import RunLocalError

_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_COMPARISON = re.compile(r"^(?P<left>.+?)\s*(?P<op>==|!=)\s*(?P<right>.+)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_QUOTED = re.compile(r"^(\"[^\"]*\"|'[^']*')$")


def keep_task_outputs(text: str, scope: Mapping[str, str], where: str) -> str:
    """Substitutes what is known before the run (workflow and input parameters); `tasks.*` wait for the task."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("tasks."):
            return match.group(0)
        if name in scope:
            return scope[name]
        raise RunLocalError(f"{where}: unresolved variable {{{{{name}}}}} in when")

    return _VARIABLE.sub(replace, text)


def resolve_outputs(text: str, outputs: Mapping[str, str], where: str) -> str:
    """`{{tasks.T.outputs.parameters.P}}` from the outputs of tasks that finished; anything else is an error."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in outputs:
            return outputs[name]
        raise RunLocalError(f"{where}: unable to resolve {{{{{name}}}}} (Argo fails the workflow too)")

    return _VARIABLE.sub(replace, text)


def should_execute(expression: str, where: str) -> bool:
    """govaluate on an already substituted `when`, for the comparisons compiled DAGs use, joined by `&&` / `||`
    (`&&` binding tighter, as in govaluate) and grouped by parentheses (the exit handler's, builder/exit_handlers.py).
    """
    text = expression.strip()
    if not text:
        return True
    return _evaluate(text, expression, where)


def _evaluate(text: str, expression: str, where: str) -> bool:
    text = _unwrapped(text.strip())
    for operator in ("||", "&&"):
        parts = _split_top_level(text, operator)
        if len(parts) > 1:
            results = [_evaluate(part, expression, where) for part in parts]  # all parsed, as govaluate does
            return any(results) if operator == "||" else all(results)
    return _comparison(text, expression, where)


def _split_top_level(text: str, operator: str) -> list[str]:
    """`text` split at `operator` outside quotes and parentheses."""
    parts, depth, quote, start, index = [], 0, "", 0, 0
    while index < len(text):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and text.startswith(operator, index):
            parts.append(text[start:index])
            index += len(operator)
            start = index
            continue
        index += 1
    parts.append(text[start:])
    return parts


def _unwrapped(text: str) -> str:
    """`(a)` → `a` while one pair of parentheses encloses the whole text (quotes respected)."""
    while text.startswith("(") and _closing(text) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing(text: str) -> int:
    """Index of the parenthesis closing the one at 0, or -1."""
    depth, quote = 0, ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _comparison(text: str, expression: str, where: str) -> bool:
    match = _COMPARISON.match(text)
    if match is None:
        raise RunLocalError(f"{where}: when {expression!r} is not supported locally; use 'A == B' or 'A != B'")
    left, right = _literal(match["left"], expression, where), _literal(match["right"], expression, where)
    equal = left == right and type(left) is type(right)
    return equal if match["op"] == "==" else not equal


def _literal(raw: str, expression: str, where: str) -> object:
    word = raw.strip()
    if word in ("true", "false"):
        return word == "true"
    if _NUMBER.match(word):
        return float(word)
    if _QUOTED.match(word):
        return word[1:-1]
    if _WORD.match(word):
        return word  # govaluate's variable, which Argo turns into a string
    raise RunLocalError(f"{where}: when {expression!r}: operand {word!r} is not supported locally")
