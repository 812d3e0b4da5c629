"""`AutomationCondition.eager()` on an asset downstream of compiled assets → Argo Events (compiler/sensors/eager.py).

Each parent's pod writes its "asset materialized" marker (as for an @asset_sensor: asset_triggers.py); one
ObjectTrigger per (eager asset, parent) watches that parent's markers and starts the DAG `job-eager-<asset>`, which
runs the asset's step alone. That pod is the gate: before materializing it compares the latest materializations of
the asset and its parents (`compiler.sensors.eager.due`; the shared instance's records when configured, else the
markers' times: compiler/materialize/eager_gate.py) and skips (exit 0, nothing materialized) unless a parent was
materialized after the asset and none is missing. So a `main` run that materialized the parent and then the asset
does not run it twice: the Workflow its marker starts waits for the pipeline's mutex, then finds the asset newer.

Refused, naming the asset: an eager asset that is partitioned, has a partitioned parent, has no parent, or a parent
no compiled step materializes (an external asset: nothing would write its marker).
"""

from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.model import ObjectTrigger
from compiler.errors import UnsupportedInputError
from compiler.sensors.asset_events import BUCKET_VARIABLE, MARKER_SUFFIX, marker_prefix
from compiler.sensors.eager import eager_parents, trigger_name
from compiler.sensors.spec import ObjectSensorSpec
from compiler.sensors.store import StoreVariables

EAGER_JOB_PREFIX = "eager_"


def read_eager_triggers(graph: AssetGraph, materializable: set[tuple[str, ...]]) -> tuple[ObjectTrigger, ...]:
    triggers = []
    for asset, parents in sorted(eager_parents(graph).items(), key=lambda item: item[0].to_user_string()):
        where = f"asset {asset.to_user_string()}: AutomationCondition.eager()"
        if not parents:
            raise UnsupportedInputError(
                f"{where} on an asset without dependencies requests it only when it is missing, which no Argo "
                "event announces; use AutomationCondition.on_cron(...) or a schedule"
            )
        partitioned = [key for key in (asset, *parents) if graph.get(key).partitions_def is not None]
        if partitioned:
            raise UnsupportedInputError(
                f"{where} with partitions ({partitioned[0].to_user_string()} is partitioned) is not compiled: eager "
                "requests the updated partitions, which one marker-triggered Workflow cannot pick; use a schedule "
                "or an @asset_sensor on the upstream asset"
            )
        external = [key for key in parents if tuple(key.path) not in materializable]
        if external:
            raise UnsupportedInputError(
                f"{where}: its parent {external[0].to_user_string()} is not materialized by a compiled step (an "
                "external asset), so nothing announces its updates; use a schedule"
            )
        for parent in parents:
            spec = ObjectSensorSpec(
                name=trigger_name(asset, parent),
                bucket="",
                bucket_variable=BUCKET_VARIABLE,
                prefix=marker_prefix(tuple(parent.path)),
                suffix=MARKER_SUFFIX,
                pattern=None,
                variables=StoreVariables(),
            )
            triggers.append(
                ObjectTrigger(
                    spec=spec,
                    job_name=f"{EAGER_JOB_PREFIX}{asset.to_python_identifier()}",
                    asset_keys=frozenset({tuple(asset.path)}),
                    partitioned=False,
                    dimensions=(),
                    stopped=False,
                    monitored=parent.to_user_string(),
                    eager=asset.to_user_string(),
                )
            )
    return tuple(triggers)


def eager_warnings(trigger: str, asset: str, parent: str) -> list[str]:
    """Where the compiled eager condition differs from Dagster's, one line each, naming the asset and the trigger."""
    where = f"asset {asset}: AutomationCondition.eager() (Sensor {trigger})"
    return [
        f"{where}: evaluated on each materialization of {parent} by a compiled step (its marker object) instead of "
        "Dagster's automation sensor tick (about every 30 s, default_automation_condition_sensor, which starts "
        "STOPPED in Dagster: the Argo Sensor reacts once applied); materializations made outside Argo's steps "
        f"start nothing; a {parent} materialized after {asset} within one Dagster tick starts {asset} here, where "
        "Dagster's tick sees both updated and requests nothing",
        f"{where}: the gate compares the latest materializations in the shared instance ([tool.compiler.instance]), "
        "else the latest markers' times (one-second resolution: a parent stored in the same second as the asset "
        "counts as not newer; materializations made outside Argo's steps unseen), and does not see a parent in "
        "progress, so a parent updated while another is still running starts the asset once per update where "
        "Dagster waits and runs it once",
    ]
