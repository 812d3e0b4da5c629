"""run-local evaluates the retry expression the compiler emits, and refuses any other expr-lang it cannot."""

import pytest

from compiler.exit_codes import RETRY_EXPRESSION
from compiler.run_local.errors import RunLocalError
from compiler.run_local.retry_rule import exit_codes_never_retried


def test_the_compilers_expression_names_usage_and_permanent_failures() -> None:
    assert RETRY_EXPRESSION == "asInt(lastRetry.exitCode) != 2 && asInt(lastRetry.exitCode) != 3"
    assert exit_codes_never_retried(RETRY_EXPRESSION, "materialize") == {2, 3}


def test_a_single_term_and_spacing_variants() -> None:
    assert exit_codes_never_retried("asInt(lastRetry.exitCode)!=7", "t") == {7}


@pytest.mark.parametrize(
    "expression",
    ["asInt(lastRetry.exitCode) > 1", "lastRetry.status == 'Error'", "asInt(lastRetry.exitCode) != 2 || true"],
)
def test_other_expressions_are_refused_by_name(expression: str) -> None:
    with pytest.raises(RunLocalError, match=r"retryStrategy\.expression"):
        exit_codes_never_retried(expression, "t")
