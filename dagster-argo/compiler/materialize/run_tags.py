"""Dagster run tags that tie a pod's run to what Argo ran: workflow, uid, task, pod, tick, CronWorkflow, UI link.

The compiler puts Argo variables into the pod's env (compiler/instance_settings.py RUN_TAG_ENV); Argo substitutes
them. A variable Argo had no value for (e.g. the cron-workflow label of a manual submit) stays literal `{{...}}` and
is left out rather than recorded as a tag value.
"""

import os
from collections.abc import Mapping

from compiler.argo import VARIABLE
from compiler.instance_settings import ARGO_UI_URL_ENV, RUN_TAG_ENV

WORKFLOW_URL_TAG = "argo/workflow-url"


def argo_run_tags(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The tags whose variables have a value; the workflow's Argo UI link when the UI's base URL is known."""
    env = os.environ if environ is None else environ
    tags = {}
    for tag, (variable, _) in RUN_TAG_ENV.items():
        value = env.get(variable, "").strip()
        if value and not VARIABLE.search(value):
            tags[tag] = value
    base = env.get(ARGO_UI_URL_ENV, "").rstrip("/")
    if base and "argo/workflow" in tags and "argo/namespace" in tags:
        tags[WORKFLOW_URL_TAG] = f"{base}/workflows/{tags['argo/namespace']}/{tags['argo/workflow']}"
    return tags
