"""Exit codes of `python -m compiler materialize`, and the Argo retry rule built on them.

Argo owns retries, so the pod must tell it which failures are worth another attempt. `run-local` honours the same
rule, so a local replay retries exactly what the cluster would.
"""

SUCCEEDED = 0
FAILED = 1  # the run failed; another attempt may succeed (network, store, a flaky dependency)
USAGE = 2  # bad arguments (unknown asset, partition or time): the same command fails the same way
FAILED_PERMANENTLY = 3  # the asset raised dagster.Failure(allow_retries=False), e.g. a rejected API key

NOT_RETRYABLE = (USAGE, FAILED_PERMANENTLY)

# Argo's retryStrategy.expression (expr-lang): retry unless the last attempt ended with a code above.
RETRY_EXPRESSION = " && ".join(f"asInt(lastRetry.exitCode) != {code}" for code in NOT_RETRYABLE)
