"""Argo's retryStrategy.expression, for the one form run-local can evaluate without expr-lang.

That form is a conjunction of `asInt(lastRetry.exitCode) != N`, which is what the compiler emits
(compiler.exit_codes.RETRY_EXPRESSION): "retry unless the last attempt exited with one of these codes".
"""

import re

from compiler.run_local.errors import RunLocalError

_TERM = re.compile(r"^asInt\(lastRetry\.exitCode\)\s*!=\s*(-?\d+)$")


def exit_codes_never_retried(expression: str, template: str) -> frozenset[int]:
    codes = set()
    for term in expression.split("&&"):
        match = _TERM.match(term.strip())
        if match is None:
            raise RunLocalError(
                f"template {template!r}: retryStrategy.expression {expression!r} is not supported locally "
                "(only `asInt(lastRetry.exitCode) != N` terms joined by &&)"
            )
        codes.add(int(match.group(1)))
    return frozenset(codes)
