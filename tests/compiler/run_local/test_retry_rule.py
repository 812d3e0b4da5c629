"""run-local evaluates the retry expressions the compiler emits as Argo 4.1.2 would, and refuses expr-lang it cannot.

The cases are what Argo's controller puts in `lastRetry` for each way an attempt can end (workflow/controller/
operator.go `inferFailedReason`, `buildRetryStrategyLocalScope`; the kubelet's pod messages)."""

import pytest

from compiler.exit_codes import INFRASTRUCTURE_RETRY_EXPRESSION, RETRY_EXPRESSION
from compiler.run_local.errors import RunLocalError
from compiler.run_local.retry_rule import LastRetry, last_retry_of, parse_retry_expression

FAILED_1 = LastRetry(1, "Failed", "main: Error (exit code 1)")  # the asset raised
USAGE_2 = LastRetry(2, "Failed", "main: Error (exit code 2)")
PERMANENT_3 = LastRetry(3, "Failed", "main: Error (exit code 3)")
OOM = LastRetry(137, "Failed", "main: OOMKilled (exit code 137)")
CRASHED = LastRetry(137, "Failed", "main: Error (exit code 137)")  # a child killed by a signal (e.g. SIGSEGV)
POD_DELETED = LastRetry(-1, "Error", "pod deleted")  # the controller found the pod gone: no exit code
NEVER_STARTED = LastRetry(-1, "Error", "Pod failed before main container starts due to ContainerCreating: ")
NODE_LOST = LastRetry(-1, "Failed", "pod failed: neither main nor wait container completed successfully")
SIGTERMED = LastRetry(143, "Failed", "main: Error (exit code 143)")  # materialize stopped by a pod deletion
EVICTED = LastRetry(137, "Failed", "The node was low on resource: memory. Threshold quantity: 100Mi, available: 9Mi. ")
EVICTED_BY_CONDITION = LastRetry(143, "Failed", "The node had condition: [DiskPressure]. ")
NODE_SHUTDOWN = LastRetry(143, "Failed", "Pod was terminated in response to imminent node shutdown.")
DEADLINE = LastRetry(143, "Failed", "Pod was active on the node longer than the specified deadline")
STEP_DEADLINE = LastRetry(-1, "Failed", "Step exceeded its deadline")
OWN_EPHEMERAL_STORAGE = LastRetry(137, "Failed", "Pod ephemeral local storage usage exceeds the total limit of ...")


@pytest.mark.parametrize(
    ("last", "retried"),
    [
        (FAILED_1, False),
        (USAGE_2, False),
        (PERMANENT_3, False),
        (OOM, False),
        (CRASHED, False),
        (POD_DELETED, True),
        (NEVER_STARTED, True),
        (NODE_LOST, True),
        (SIGTERMED, True),
        (EVICTED, True),
        (EVICTED_BY_CONDITION, True),
        (NODE_SHUTDOWN, True),
        (DEADLINE, False),
        (STEP_DEADLINE, False),
        (OWN_EPHEMERAL_STORAGE, False),
    ],
)
def test_a_step_without_a_retry_policy_is_retried_only_after_infrastructure_faults(
    last: LastRetry, retried: bool
) -> None:
    assert parse_retry_expression(INFRASTRUCTURE_RETRY_EXPRESSION, "materialize")(last) is retried


@pytest.mark.parametrize(
    ("last", "retried"),
    [(FAILED_1, True), (USAGE_2, False), (PERMANENT_3, False), (OOM, True), (POD_DELETED, True), (SIGTERMED, True)],
)
def test_a_step_with_a_retry_policy_is_retried_unless_exit_2_or_3(last: LastRetry, retried: bool) -> None:
    assert RETRY_EXPRESSION == "asInt(lastRetry.exitCode) != 2 && asInt(lastRetry.exitCode) != 3"
    assert parse_retry_expression(RETRY_EXPRESSION, "materialize")(last) is retried


def test_a_local_attempt_is_seen_as_argo_sees_the_pod() -> None:
    assert last_retry_of(1) == FAILED_1
    assert last_retry_of(143) == SIGTERMED
    assert last_retry_of(-9) == CRASHED  # killed by a signal: the emissary reports 137


def test_precedence_and_spacing_follow_expr_lang() -> None:
    either = parse_retry_expression(
        "asInt(lastRetry.exitCode) == 1 || asInt(lastRetry.exitCode) == 2 && lastRetry.status == 'Error'", "t"
    )
    assert either(FAILED_1)  # `&&` binds tighter than `||`
    assert not either(USAGE_2)
    assert parse_retry_expression('!(lastRetry.status != "Error")', "t")(POD_DELETED)
    assert parse_retry_expression("asInt(lastRetry.exitCode)!=7", "t")(FAILED_1)


@pytest.mark.parametrize(
    "expression",
    [
        "asInt(lastRetry.exitCode) > 1",
        "lastRetry.message matches 'pod deleted'",
        "asInt(lastRetry.exitCode) != 2 || true",
        "retries < 3",
        "(asInt(lastRetry.exitCode) == 1",
        "lastRetry.status == Error",
    ],
)
def test_other_expressions_are_refused_by_name(expression: str) -> None:
    with pytest.raises(RunLocalError, match=r"retryStrategy\.expression"):
        parse_retry_expression(expression, "t")
