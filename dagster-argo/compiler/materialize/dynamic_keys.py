"""The keys of a DynamicPartitionsDefinition, read from the shared Dagster instance when the run starts.

Dagster keeps dynamic partition keys in its instance (`instance.add_dynamic_partitions`, a sensor's
`dynamic_partitions_requests`), so only the instance can list them or say whether one exists. The compiled workflow
(compiler/builder/dynamic_partitions.py) lists them in a planning task (`plan-partitions --asset A --upstream A`)
and fans the asset's step out over the list; each step pod checks its key again, as Dagster refuses a run for a
partition key its instance does not hold. Both ask the shared instance the pods record their runs in
(compiler/materialize/instance.py); a throw-away instance holds no keys, so without the shared one this is a usage
error naming the setting.
"""

from typing import TYPE_CHECKING

from compiler.instance_settings import INSTANCE_KIND_ENV
from compiler.materialize.loading import MaterializeUsageError
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import AssetKey, PartitionsDefinition


def is_dynamic(partitions: "PartitionsDefinition | None") -> bool:
    from dagster import DynamicPartitionsDefinition

    return isinstance(partitions, DynamicPartitionsDefinition)


def require_shared_instance(asset_key: "AssetKey") -> None:
    """A usage error unless this pod opens the shared instance: a throw-away one holds no dynamic keys."""
    from compiler.materialize.instance import wants_shared_instance

    if not wants_shared_instance():
        raise MaterializeUsageError(
            f"asset {asset_key.to_user_string()!r} has dynamic partitions, whose keys only the shared Dagster "
            f"instance holds, and this pod has none ({INSTANCE_KIND_ENV} is not 'postgres'): set "
            '[tool.compiler.instance] kind = "postgres" and build again'
        )


def dynamic_keys(asset_key: "AssetKey", partitions: "PartitionsDefinition", explicit: str | None) -> list[str]:
    """The keys one run builds: the definition's current keys, in Dagster's order (the order they were added), or
    the explicit key alone once the instance confirms it exists (Dagster refuses an unknown partition key)."""
    from compiler.materialize.instance import open_instance

    name = asset_key.to_user_string()
    require_shared_instance(asset_key)
    with open_instance() as instance:
        keys = list(partitions.get_partition_keys(dynamic_partitions_store=instance))
    if explicit is None or not explicit.strip():
        return keys
    key = explicit.strip()
    if key not in keys:
        shown = ", ".join(repr(k) for k in keys[:3]) + (", ..." if len(keys) > 3 else "")
        raise MaterializeUsageError(
            f"partition {shortened(key, quoted=True)} does not exist for asset {name!r}: its dynamic partitions "
            f"hold {len(keys)} key(s) in the shared instance ({shown or 'none'}); add it first "
            "(instance.add_dynamic_partitions) or pass one of those"
        )
    return [key]


def dynamic_partition_key(asset_key: "AssetKey", partitions: "PartitionsDefinition", explicit: str | None) -> str:
    """The partition a step pod of a dynamically partitioned asset runs: its explicit key (the planning task's item),
    checked against the instance. Without one there is no tick to turn into a key."""
    if explicit is None or not explicit.strip():
        raise MaterializeUsageError(
            f"asset {asset_key.to_user_string()!r} has dynamic partitions: pass --partition (the compiled workflow's "
            "planning task lists the instance's keys and runs one step per key)"
        )
    return dynamic_keys(asset_key, partitions, explicit)[0]
