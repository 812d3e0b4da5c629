"""Asset checks with `additional_deps`: a task of their own after both, or the asset's task waits (a warning).

compiler/check_tasks.py decides which checks get a task of their own (the pods ask the same question). Here: the
assets learn their check tasks, and the rest keep today's mapping, where the check runs in its asset's pod and the
asset's task `depends` on the extra dependencies' tasks: faithful for checks the asset's own op computes (Dagster's
op waits for them too), an approximation with a `warning:` naming the check for fanned-out ones.
"""

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from compiler.builder.model import AssetSpec, CheckTask
from compiler.builder.naming import fit_name
from compiler.builder.plan_types import StepTemplate, Task
from compiler.check_tasks import split_checks

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph


def with_check_tasks(assets: Sequence[AssetSpec], graph: "AssetGraph") -> list[AssetSpec]:
    owner = {key: asset.key for asset in assets for key in asset.all_keys}  # a multi-asset's keys share one task
    split = split_checks(graph)
    extra: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    tasks: dict[tuple[str, ...], list[CheckTask]] = {}
    warnings: dict[tuple[str, ...], list[str]] = {}
    for assets_def in graph.assets_defs:
        for spec in assets_def.check_specs:
            checked = tuple(spec.asset_key.path)
            if checked not in owner:
                continue
            if spec.key in split.own_task:
                deps = tuple(tuple(key.path) for key in split.own_task[spec.key])
                tasks.setdefault(owner[checked], []).append(CheckTask(spec.name, checked, deps, spec.blocking))
                continue
            for dep in spec.additional_deps:
                key = tuple(dep.asset_key.path)
                if key in owner and owner[key] != owner[checked]:
                    extra.setdefault(owner[checked], set()).add(key)
            if spec.key in split.in_pod:
                warnings.setdefault(owner[checked], []).append(
                    f"asset check {spec.key.to_user_string()}: runs in the pod of its fanned-out asset "
                    f"{spec.asset_key.to_user_string()}, whose task therefore waits for (and is skipped when) "
                    f"{', '.join(k.to_user_string() for k in split.in_pod[spec.key])} fails; Dagster materializes "
                    "the asset anyway and skips only the check (compiler/README.md, asset checks)"
                )
    return [
        dataclasses.replace(
            asset,
            deps=tuple(sorted(set(asset.deps) | extra.get(asset.key, set()))),
            check_tasks=tuple(sorted(tasks.get(asset.key, ()), key=lambda task: task.name)),
            warnings=(*asset.warnings, *warnings.get(asset.key, ())),
        )
        if asset.key in extra or asset.key in tasks or asset.key in warnings
        else asset
        for asset in assets
    ]


def check_source(asset: AssetSpec, check: CheckTask) -> str:
    return f"{asset.task_source}-check-{check.name}"


def plan_check_tasks(
    assets: tuple[AssetSpec, ...],
    task_names: Mapping[str, str],
    step_names: dict[tuple[str, ...], str],
    steps: list[StepTemplate],
) -> dict[tuple[str, ...], list[tuple[CheckTask, Task]]]:
    """Each asset's checks with a task of their own (compiler/builder/check_tasks.py), as unplaced tasks: name,
    step (its asset's pod settings, plus `--check`: one more template per such asset template) and the checked key.
    The step templates they need are appended to `steps`."""
    by_name = {step.name: step for step in steps}
    out: dict[tuple[str, ...], list[tuple[CheckTask, Task]]] = {}
    for asset in assets:
        for check in asset.check_tasks:
            step = by_name[step_names[asset.key]]
            check_step = fit_name(f"{step.name}-check")
            if check_step not in by_name:
                by_name[check_step] = dataclasses.replace(step, name=check_step, check=True)
                steps.append(by_name[check_step])
            task = Task(task_names[check_source(asset, check)], check_step, "/".join(check.asset), (), check=check.name)
            out.setdefault(asset.key, []).append((check, task))
    return out
