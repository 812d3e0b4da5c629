"""Argo's vocabulary in one place: the variables compiled steps use, name patterns and enum values.

The renderer writes these variables, the step runner reads them back, run-local substitutes them and the linter
checks them; each takes them from here.
"""

import re

SCHEDULED_TIME = "workflow.scheduledTime"  # set by the cron controller; literal in a manually submitted workflow
CREATION_TIMESTAMP = "workflow.creationTimestamp"  # set for every workflow, the same in all its pods
BACKFILL_PARAMETER = "cronScheduleTime"  # workflow parameter `argo cron backfill` sets (its default --argname)
# The attempt number of a template with a retryStrategy: 0 for the first pod, then 1, 2, ... (Argo sets it per
# attempt; without a retryStrategy it stays literal). Fused steps pass it on (compiler/materialize/resume.py).
RETRIES = "retries"
# A fan-out's per-key DAG and its step take the key as this input (compiler/builder/fan_out.py); run-local reads it
# from here, so replaying a manifest does not import the builder's model (which imports Dagster).
STATIC_KEY_PARAMETER = "static-key"


def placeholder(variable: str) -> str:
    """`{{variable}}`, as it appears in a manifest (and as Argo leaves it when it has no value)."""
    return "{{" + variable + "}}"


VARIABLE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

ENUMS = {
    "concurrencyPolicy": ("Allow", "Forbid", "Replace"),
    "retryPolicy": ("Always", "OnFailure", "OnError", "OnTransientError"),
    "podGC.strategy": ("OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"),
    "imagePullPolicy": ("Always", "IfNotPresent", "Never"),
}
