"""Exit codes of `python -m compiler materialize`, and the Argo retry rule built on them.

Argo owns retries, so the pod must tell it which failures are worth another attempt. `run-local` honours the same
rule, so a local replay retries exactly what the cluster would.
"""

from compiler.help_format import table

SUCCEEDED = 0
FAILED = 1  # the run failed; another attempt may succeed (network, store, a flaky dependency)
USAGE = 2  # bad arguments (unknown asset, partition or time): the same command fails the same way
FAILED_PERMANENTLY = 3  # dagster.Failure(allow_retries=False) (e.g. a rejected API key) or a blocking check failed
INTERRUPTED = 143  # 128 + SIGTERM: stopped from outside before the step finished (compiler/materialize/termination.py)

NOT_RETRYABLE = (USAGE, FAILED_PERMANENTLY)

# Argo's retryStrategy.expression (expr-lang) for a step whose asset has a RetryPolicy (or with the project setting
# retry_failures): retry unless the last attempt ended with a code above.
RETRY_EXPRESSION = " && ".join(f"asInt(lastRetry.exitCode) != {code}" for code in NOT_RETRYABLE)

# Texts Kubernetes puts in a Failed pod's status.message, which Argo 4.1.2 makes the node's message (controller
# `inferFailedReason`): node-pressure eviction (kubelet pkg/kubelet/eviction/helpers.go nodeLowMessageFmt,
# nodeConditionMessageFmt) and graceful node shutdown (pkg/kubelet/nodeshutdown podShutdownMessage).
INFRASTRUCTURE_MESSAGES = ("The node was low on resource", "The node had condition")
NODE_SHUTDOWN_MESSAGE = "imminent node shutdown"
# A deadline the step exceeded (kubelet "Pod was active on the node longer than the specified deadline", Argo's
# "Step exceeded its deadline") is the step's own time limit, not an infrastructure fault.
DEADLINE_WORD = "deadline"

# The retryStrategy.expression of a step without a RetryPolicy: retry only an attempt the infrastructure stopped
# before it reported an outcome (compiler/README.md, "Retries keep Dagster's meaning"): no exit code at all (-1: the
# pod was deleted or lost, or the main container never started), `materialize` stopped by SIGTERM (143), or a pod
# message saying the node evicted it or shut down. Every exit code `materialize` chooses (0-3) ends the step, as does
# an OOM kill or a crash (137 without such a message) and an exceeded deadline.
INFRASTRUCTURE_RETRY_EXPRESSION = (
    f"!(lastRetry.message contains '{DEADLINE_WORD}') && ("
    f"asInt(lastRetry.exitCode) == -1 || asInt(lastRetry.exitCode) == {INTERRUPTED}"
    + "".join(f" || lastRetry.message startsWith '{text}'" for text in INFRASTRUCTURE_MESSAGES)
    + f" || lastRetry.message contains '{NODE_SHUTDOWN_MESSAGE}')"
)

# Every exit code of every `python -m compiler` command, in one table: `--help` prints it, and the READMEs show the
# same rows (a test keeps them in sync).
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (SUCCEEDED, "success: written, up to date, valid, materialized, or every replayed task succeeded"),
    (
        FAILED,
        "build --check: argo_out/ is stale (a diff is printed); validate: a manifest is invalid; "
        "materialize: the run failed (Argo retries it only when the asset has a RetryPolicy, as Dagster does); "
        "run-local: a task failed; run-events: a Workflow a Sensor created failed",
    ),
    (
        USAGE,
        "usage error: bad arguments or settings, the project fails to import, an unsupported Dagster feature, "
        "a file that cannot be read or written; the same command fails the same way, so Argo does not retry it",
    ),
    (
        FAILED_PERMANENTLY,
        "materialize: the asset raised dagster.Failure(allow_retries=False), e.g. a rejected API key, "
        "or a blocking asset check failed (Dagster never retries one); Argo does not retry it",
    ),
    (
        INTERRUPTED,
        "materialize: stopped by SIGTERM before the step finished (a pod deleted, drained or preempted), whenever it "
        "arrived, with one last line; 130 for SIGINT (128 + the signal, as Kubernetes reports it); Argo retries it, "
        "also for an asset without a RetryPolicy (an infrastructure fault, not a failure)",
    ),
)

EXIT_CODES_HELP = table("exit codes", tuple((str(code), meaning) for code, meaning in EXIT_CODES))
