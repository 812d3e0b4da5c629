"""The deploy bundle beside the Argo manifests: everything `kubectl apply -k argo_out/` needs except Secret values.

ServiceAccount(s) the workflow pods run as, the Role and RoleBinding Argo's executor needs for them, the ConfigMap of
non-secret settings (when `[tool.compiler.config]` gives its values) and a `kustomization.yaml` listing every file.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from compiler.builder.events import render_events_bundle
from compiler.builder.fidelity.pools import configmap_name
from compiler.builder.plan_types import GENERATOR, Plan
from compiler.builder.render import ENVIRONMENT, build_command
from compiler.builder.write import KUSTOMIZATION

# The oldest Argo whose executor this Role suffices for, and the oldest this compiler's manifests are checked against
# (CronWorkflow `schedules`, a list, needs 3.6).
MINIMUM_ARGO_VERSION = "3.6"


@dataclass(frozen=True)
class Rule:
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]


# Argo's documented minimum for the executor of a workflow pod, Argo >= 3.4 (docs/workflow-rbac.md): the wait
# container creates and patches the step's WorkflowTaskResult, which the controller reads to update the Workflow.
EXECUTOR_RULES = (Rule(api_groups=("argoproj.io",), resources=("workflowtaskresults",), verbs=("create", "patch")),)
# A workflow of workflows (compiler/builder/child_workflows.py): the `child-workflow` resource task's pod creates
# the child Workflow and polls its phase (Argo's resource executor: create, then get until a condition holds).
CHILD_WORKFLOW_RULE = Rule(api_groups=("argoproj.io",), resources=("workflows",), verbs=("create", "get", "watch"))


def service_accounts(plan: Plan) -> tuple[str, ...]:
    """Every service account a pod of this plan runs as: the workflow's, plus any a `dagster-k8s/config` tag names."""
    named = {plan.settings.service_account} | {s.service_account for s in plan.steps if s.service_account}
    return tuple(sorted(named))


def role_name(plan: Plan) -> str:
    return f"{plan.name}-executor"


def render_bundle(plan: Plan, manifests: Mapping[str, str], child_workflows: bool = False) -> dict[str, str]:
    """File name → YAML text of the bundle; `manifests` are the Argo files, listed in the kustomization too;
    `child_workflows`: a DAG runs its chunks as child Workflows, whose creation the Role must allow."""
    accounts = service_accounts(plan)
    common = {
        "plan": plan,
        "command": build_command(plan.location),
        "generator": GENERATOR,
        "role": role_name(plan),
        "accounts": accounts,
        "rules": (*EXECUTOR_RULES, CHILD_WORKFLOW_RULE) if child_workflows else EXECUTOR_RULES,
    }
    files: dict[str, str] = {}
    for account in accounts:
        files[f"{account}.serviceaccount.yaml"] = _render("serviceaccount.yaml.j2", {**common, "account": account})
    files[f"{role_name(plan)}.role.yaml"] = _render("role.yaml.j2", common)
    files[f"{role_name(plan)}.rolebinding.yaml"] = _render("rolebinding.yaml.j2", common)
    if plan.settings.config:
        files[f"{plan.settings.config_map}.configmap.yaml"] = _render("configmap.yaml.j2", common)
    if any(step.pools for step in plan.steps):  # the semaphores' limits (compiler/builder/fidelity/pools.py)
        pools = {**common, "name": configmap_name(plan.name), "pools": plan.settings.pools}
        files[f"{configmap_name(plan.name)}.configmap.yaml"] = _render("pools-configmap.yaml.j2", pools)
    files.update(render_events_bundle(plan, common))  # the compiled Sensors' RBAC (compiler/builder/events.py)
    secrets = sorted({ref.name for _, ref in plan.settings.secrets})
    resources = sorted([*files, *manifests])
    files[KUSTOMIZATION] = _render("kustomization.yaml.j2", {**common, "resources": resources, "secrets": secrets})
    return files


def _render(template: str, context: Mapping[str, object]) -> str:
    return ENVIRONMENT.get_template(template).render(context)
