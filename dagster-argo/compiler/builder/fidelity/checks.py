"""The build-time fidelity checks that need both the project and `[tool.compiler]` (called first by make_plan)."""

from compiler.builder.fidelity.pools import check_pool_limits
from compiler.builder.fidelity.resource_env import check_env_vars
from compiler.builder.model import Project
from compiler.builder.steps import instance_env
from compiler.settings import Settings


def check_project(project: Project, settings: Settings) -> None:
    check_pool_limits(project.fidelity.pools, dict(settings.pools))
    provided = {name for name, _ in settings.env} | set(settings.config_keys) | {name for name, _ in settings.secrets}
    provided |= set(instance_env(settings))
    pod_env = {  # a multi-asset's tag env reaches the pod of every key
        "/".join(key): {name for name, _ in asset.pod.env} for asset in project.assets for key in asset.all_keys
    }
    check_env_vars(project.fidelity.env_vars, provided, pod_env)
