"""Issue 14 case 3: an asset requests more memory than [tool.compiler.defaults.resources] limits it to."""

import dagster as dg


@dg.asset(op_tags={"dagster-k8s/config": {"container_config": {"resources": {"requests": {"memory": "8Gi"}}}}})
def big_join() -> None:
    return None


@dg.asset
def small() -> None:
    return None


defs = dg.Definitions(assets=[big_join, small])
