"""Argo's retryStrategy.expression, for the subset of expr-lang the compiler emits, evaluated as Argo 4.1.2 does.

Argo evaluates the expression after a failed attempt with `lastRetry.exitCode` (the main container's exit code as a
string, "-1" when none was recorded), `lastRetry.status` (the node phase) and `lastRetry.message` (the node message)
in scope (workflow/controller/operator.go `buildRetryStrategyLocalScope`); false stops the retries. The compiler emits
two expressions (compiler/exit_codes.py): "not exit code 2 or 3" for steps whose asset has a RetryPolicy, and "an
infrastructure fault only" for the others. run-local parses `||`, `&&`, `!`, parentheses and comparisons of those three
variables, with expr-lang's precedence (`||` below `&&` below comparisons), and refuses anything else by name rather
than guess.

A local attempt is a process, not a pod: it ends Failed with its exit code, or, killed by a signal, with 137 (what
Argo's emissary reports for a signalled child, cmd/argoexec/commands/emissary.go `exitCodeFromErr`), and the message
Argo would write for a main container that exited so ("main: Error (exit code N)", `inferFailedReason`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from compiler.run_local.errors import RunLocalError

SIGNALLED_EXIT_CODE = 137  # emissary: a child ended by a signal has no exit code of its own


@dataclass(frozen=True)
class LastRetry:
    """What Argo puts in the expression's scope about the attempt that just failed."""

    exit_code: int
    status: str
    message: str


def last_retry_of(returncode: int) -> LastRetry:
    """A failed local attempt as Argo would see the pod: Failed, with the main container's exit code."""
    code = returncode if returncode >= 0 else SIGNALLED_EXIT_CODE
    return LastRetry(code, "Failed", f"main: Error (exit code {code})")


RetryRule = Callable[[LastRetry], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<op>\|\||&&|==|!=|!|\(|\))|(?P<int>-?\d+)|(?P<str>\"[^\"\\]*\"|'[^'\\]*')"
    r"|(?P<word>asInt\(lastRetry\.exitCode\)|lastRetry\.status|lastRetry\.message|contains|startsWith|endsWith))"
)


def parse_retry_expression(expression: str, template: str) -> RetryRule:
    """The expression as a predicate on the last attempt; RunLocalError for any form outside the subset."""
    tokens = _tokens(expression, template)
    parser = _Parser(tokens, expression, template)
    rule = parser.disjunction()
    if parser.position != len(tokens):
        raise parser.unsupported()
    return rule


def _tokens(expression: str, template: str) -> list[str]:
    tokens, position = [], 0
    while position < len(expression.rstrip()):
        match = _TOKEN.match(expression, position)
        if match is None or match.end() == position:
            raise _unsupported(expression, template)
        tokens.append(match.group(match.lastgroup or "op"))
        position = match.end()
    return tokens


def _unsupported(expression: str, template: str) -> RunLocalError:
    return RunLocalError(
        f"template {template!r}: retryStrategy.expression {expression!r} is not supported locally (only "
        "comparisons of asInt(lastRetry.exitCode), lastRetry.status and lastRetry.message joined by &&, ||, !)"
    )


class _Parser:
    """Recursive descent over expr-lang's precedence: `||` (10) < `&&` (15) < comparisons (20) < `!` (50)."""

    def __init__(self, tokens: list[str], expression: str, template: str) -> None:
        self.tokens, self.position = tokens, 0
        self.expression, self.template = expression, template

    def unsupported(self) -> RunLocalError:
        return _unsupported(self.expression, self.template)

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise self.unsupported()
        self.position += 1
        return token

    def disjunction(self) -> RetryRule:
        terms = [self.conjunction()]
        while self._peek() == "||":
            self._take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda last: any(term(last) for term in terms))

    def conjunction(self) -> RetryRule:
        terms = [self.unary()]
        while self._peek() == "&&":
            self._take()
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else (lambda last: all(term(last) for term in terms))

    def unary(self) -> RetryRule:
        if self._peek() == "!":
            self._take()
            inner = self.unary()
            return lambda last: not inner(last)
        if self._peek() == "(":
            self._take()
            inner = self.disjunction()
            if self._take() != ")":
                raise self.unsupported()
            return inner
        return self.comparison()

    def comparison(self) -> RetryRule:
        subject, operator, value = self._take(), self._take(), self._take()
        if subject == "asInt(lastRetry.exitCode)" and operator in ("==", "!=") and re.fullmatch(r"-?\d+", value):
            number, equal = int(value), operator == "=="
            return lambda last: (last.exit_code == number) == equal
        if subject in ("lastRetry.status", "lastRetry.message") and value[:1] in ("'", '"'):
            text, field = value[1:-1], subject.removeprefix("lastRetry.")
            test = _STRING_TESTS.get(operator)
            if test is not None:
                return lambda last: test(str(getattr(last, field)), text)
        raise self.unsupported()


_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "==": lambda left, right: left == right,
    "!=": lambda left, right: left != right,
    "contains": lambda left, right: right in left,
    "startsWith": lambda left, right: left.startswith(right),
    "endsWith": lambda left, right: left.endswith(right),
}
