"""A workflow of workflows: a split DAG whose one Workflow would outgrow Argo's limits runs each chunk as a child
Workflow of its own.

A chunk run by `templateRef` lives in its caller's Workflow, so for 10,000 assets in one job that one Workflow stores
every chunk template and one node status per step: more than Argo keeps (compiler/builder/workflow_size.py). When
the simulation says the Workflow of a chunked DAG would be larger than CHILD_WORKFLOWS_ABOVE, each chunk task of that
DAG becomes a `resource` task (template `child-workflow`) that creates a Workflow from the chunk's WorkflowTemplate
(`workflowTemplateRef`, entrypoint the chunk DAG) and waits for its phase: `successCondition: status.phase ==
Succeeded`, `failureCondition: status.phase in (Failed, Error)`. The parent then holds one node per chunk, and each
child only its chunk's steps.

What the child keeps of the parent's meaning:
- Dependencies: the chunk tasks keep the split's `depends` (compiler/builder/dag_chunks.py); a child fails as a
  whole when one of its steps fails (its DAG is `failFast: false`, so its independent steps still ran), and Argo
  omits the chunks depending on it. What that skips beyond Dagster is what split.py already counts and warns about.
- Workflow parameters (`partition`, `schedule`, `cronScheduleTime`, `run_config`, ...) are passed down as the
  child's arguments, the DAG's `partition` input as the child's `partition`; the parent's cron tick as the child's
  `workflows.argoproj.io/scheduled-time` annotation, which is where Argo reads `workflow.scheduledTime` from.
- The mutex: a Dagster run is the parent, which holds the job's mutex for its whole run; the children are parts of
  that run and take none (they would wait forever for their own parent). The chunk WorkflowTemplates have none.
- Deletion: `setOwnerReference: true` makes the parent the children's owner, so deleting the parent (or its TTL)
  deletes them.
- Retries: the resource task has none (a second attempt would create a second child while the first may still
  run); each step inside the child keeps its own retryStrategy.
"""

import json
from collections.abc import Mapping
from typing import Any

import yaml

from compiler.builder.plan_types import Plan
from compiler.builder.workflow_size import MAX_WORKFLOW_SIZE, WorkflowSize, measure_over

CHILD_TEMPLATE = "child-workflow"
# A chunked DAG whose one Workflow would be larger than this (compressed, as Argo stores it) runs its chunks as child
# Workflows. Argo's own MAX_WORKFLOW_SIZE: below it the single Workflow runs. Tests lower it to replay a small project.
CHILD_WORKFLOWS_ABOVE = MAX_WORKFLOW_SIZE
SCHEDULED_TIME_ANNOTATION = "workflows.argoproj.io/scheduled-time"  # Argo's workflow.scheduledTime comes from it


def over_budget(
    documents: Mapping[str, Any], root: str, chunked: frozenset[str]
) -> tuple[frozenset[str], dict[str, WorkflowSize]]:
    """The chunked DAGs (`main`, `job-<job>`) whose single Workflow the simulation finds larger than the budget, and
    the Workflow sizes simulated on the way (entrypoint → size, for the build's size warnings while these documents
    stand).

    `documents` are the split manifests parsed back (file name → document), which the build validates afterwards
    without parsing them again. `workflow_size.measure_over` gives `workflow_sizes`' answer without building the node
    status of a Workflow whose stored templates alone exceed the budget (tests/compiler/test_workflow_size_fast.py)."""
    if not chunked:
        return frozenset(), {}
    return measure_over(documents, root, chunked, CHILD_WORKFLOWS_ABOVE)


def child_manifest(plan: Plan, parameters: list[str], workflow_spec: str) -> str:
    """The child Workflow the `child-workflow` template creates, as the JSON text of its `manifest`.

    `workflow_spec` is the rendered workflow-level spec of the WorkflowTemplate (pod GC, TTL, security context,
    volumes, service account: what every step pod relies on and a chunk WorkflowTemplate does not carry) without its
    mutex."""
    spec: dict[str, Any] = {
        "workflowTemplateRef": {"name": "{{inputs.parameters.workflow-template}}"},
        "entrypoint": "{{inputs.parameters.entrypoint}}",
        "serviceAccountName": plan.settings.service_account,
        "activeDeadlineSeconds": plan.settings.defaults.active_deadline_seconds,
        "arguments": {
            "parameters": [
                {
                    "name": name,
                    "value": "{{inputs.parameters.partition}}"
                    if name == "partition"
                    else "{{workflow.parameters." + name + "}}",
                }
                for name in parameters
            ]
        },
    }
    spec.update({key: value for key, value in _spec_fields(workflow_spec).items() if key != "synchronization"})
    manifest = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "generateName": "{{workflow.name}}-",
            "namespace": plan.settings.namespace,
            "labels": {"app.kubernetes.io/name": plan.name, "app.kubernetes.io/part-of": plan.name},
            "annotations": {SCHEDULED_TIME_ANNOTATION: "{{workflow.scheduledTime}}"},
        },
        "spec": spec,
    }
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def _spec_fields(workflow_spec: str) -> dict[str, Any]:
    fields = yaml.safe_load(workflow_spec)
    return dict(fields) if isinstance(fields, dict) else {}


def child_warnings(name: str, children: frozenset[str], partitioned: bool) -> list[str]:
    """The documented approximation: a child Workflow has a creation time of its own, which a step reads to pick
    the partition of a manual submit without `partition` (a cron tick or a backfill passes theirs down exactly)."""
    if not partitioned:
        return []
    return [
        f"DAG {dag} of {name} runs its chunks as child Workflows (too large for one Workflow): a manual submit "
        "without `partition` has each child pick the partition for its own creation time, later than the "
        "parent's, so a child created after a partition boundary builds the next partition; pass -p partition=K "
        '(scheduled runs and backfills are exact; compiler/README.md, "Workflows at scale")'
        for dag in sorted(children)
    ]
