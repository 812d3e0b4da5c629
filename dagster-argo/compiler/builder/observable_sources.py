"""Observable source assets (`@observable_source_asset`, `AssetSpec`s with an observation function) are inputs only,
as external assets are: no task, and the dependencies on them are dropped (load.py).

Their observation function records a data version that only Dagster's staleness and automation logic reads; Argo's
DAGs never consult it, and Dagster itself runs it only when something asks (the UI, an observation job, the
`auto_observe_interval_minutes` daemon), never as part of materializing the assets downstream of it. So leaving it
out changes no materialization: a `warning:` names each one. A job that selects one explicitly would run the
observation in Dagster: that job is refused, naming it and the asset, since there is no observation task.
"""

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.fidelity.schedule_jobs import asset_jobs
from compiler.errors import UnsupportedInputError


def observable_sources(graph: AssetGraph) -> list[dg.AssetKey]:
    """The observable, non-materializable asset keys, sorted."""
    nodes = [node for node in graph.asset_nodes if node.is_observable and not node.is_materializable]
    return sorted((node.key for node in nodes), key=lambda key: tuple(key.path))


def refuse_observing_jobs(defs: dg.Definitions, graph: AssetGraph) -> None:
    """Exit 2 for a job whose selection holds an observable source asset: Dagster's run of it observes the asset."""
    observable = set(observable_sources(graph))
    if not observable:
        return
    for job in asset_jobs(defs):
        observed = sorted(set(job.selection.resolve(graph)) & observable, key=lambda key: tuple(key.path))
        if observed:
            raise UnsupportedInputError(
                f"job {job.name}: selects observable source asset {observed[0].to_user_string()}, whose observation "
                "Dagster's run of the job would execute; the compiled workflows run materializations only: leave the "
                "asset out of the job's selection, or observe it from Dagster"
            )


def observable_source_warnings(graph: AssetGraph) -> tuple[str, ...]:
    """One line per observable source asset: an input only, its observation function never run by a workflow."""
    warnings = []
    for key in observable_sources(graph):
        interval = graph.get(key).auto_observe_interval_minutes
        auto = f" (nor every {interval:g} minutes, as auto_observe_interval_minutes asks)" if interval else ""
        warnings.append(
            f"asset {key.to_user_string()}: an observable source asset is an input only, like an external asset: "
            f"no workflow runs its observation function{auto}; its data version only feeds Dagster's staleness and "
            "automation logic, which the compiled DAGs never consult, and no materialization depends on it"
        )
    return tuple(warnings)
