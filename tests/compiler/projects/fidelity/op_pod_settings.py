"""Issue 25, one task per op: an op's own `dagster-k8s/config` tag gives its pod its own settings. `sized` sets a
memory limit and a node selector for the job; its op `heavy` asks for more CPU and memory, `light` has no tag of
its own. The IO manager stores on the filesystem under FIDELITY_RECORD_DIR, which the test declares shared."""

from typing import Any

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

STORE = {"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("FIDELITY_RECORD_DIR"))}
JOB_TAG: dict[str, Any] = {
    "container_config": {"resources": {"limits": {"memory": "8Gi"}}},
    "pod_spec_config": {"node_selector": {"pool": "batch"}},
}
HEAVY_TAG: dict[str, Any] = {"container_config": {"resources": {"requests": {"cpu": "2", "memory": "4Gi"}}}}


@dg.op(tags={"dagster-k8s/config": HEAVY_TAG})
def heavy() -> int:
    record_run("heavy")
    return 2


@dg.op
def light(value: int) -> int:
    record_run(f"light {value}")
    return value + 1


@dg.job(resource_defs=STORE, tags={"dagster-k8s/config": JOB_TAG})
def sized() -> None:
    light(heavy())


defs = dg.Definitions(jobs=[sized])
