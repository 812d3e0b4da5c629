"""Exit codes of `python -m compiler materialize`, and the Argo retry rule built on them.

Argo owns retries, so the pod must tell it which failures are worth another attempt. `run-local` honours the same
rule, so a local replay retries exactly what the cluster would.
"""

from compiler.help_format import table

SUCCEEDED = 0
FAILED = 1  # the run failed; another attempt may succeed (network, store, a flaky dependency)
USAGE = 2  # bad arguments (unknown asset, partition or time): the same command fails the same way
FAILED_PERMANENTLY = 3  # dagster.Failure(allow_retries=False) (e.g. a rejected API key) or a blocking check failed
STOPPED = 143  # 128 + SIGTERM: the pod was stopped (compiler/materialize/termination.py); Argo retries it

NOT_RETRYABLE = (USAGE, FAILED_PERMANENTLY)

# Argo's retryStrategy.expression (expr-lang): retry unless the last attempt ended with a code above.
RETRY_EXPRESSION = " && ".join(f"asInt(lastRetry.exitCode) != {code}" for code in NOT_RETRYABLE)

# Every exit code of every `python -m compiler` command, in one table: `--help` prints it, and the READMEs show the
# same rows (a test keeps them in sync).
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (SUCCEEDED, "success: written, up to date, valid, materialized, or every replayed task succeeded"),
    (
        FAILED,
        "build --check: argo_out/ is stale (a diff is printed); validate: a manifest is invalid; "
        "materialize: the run failed and another attempt may succeed (Argo retries it); run-local: a task failed",
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
        STOPPED,
        "materialize: stopped by SIGTERM (a pod being stopped), whenever it arrived, with one last line; 130 for "
        "SIGINT (128 + the signal, as Kubernetes reports a container killed by it); Argo retries it",
    ),
)

EXIT_CODES_HELP = table("exit codes", tuple((str(code), meaning) for code, meaning in EXIT_CODES))
