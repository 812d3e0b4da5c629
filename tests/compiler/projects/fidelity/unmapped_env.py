"""Issue 14 case 8: resources read EnvVars; `WAREHOUSE_TOKEN` and `REGION` are mapped by nothing in the test's
[tool.compiler], `WAREHOUSE_URL` by config_keys."""

import dagster as dg


class Warehouse(dg.ConfigurableResource):
    url: str
    token: str


class Region(dg.ConfigurableResource):
    name: str
    warehouse: Warehouse


@dg.asset
def loaded(warehouse: Warehouse) -> None:
    return None


@dg.asset(deps=[loaded])
def regional(region: Region) -> None:
    return None


@dg.asset
def no_resources() -> None:
    return None


warehouse = Warehouse(url=dg.EnvVar("WAREHOUSE_URL"), token=dg.EnvVar("WAREHOUSE_TOKEN"))
defs = dg.Definitions(
    assets=[loaded, regional, no_resources],
    resources={
        "warehouse": warehouse,
        "region": Region(name=dg.EnvVar("REGION"), warehouse=warehouse),
        "unused": Warehouse(url=dg.EnvVar("NEVER_USED"), token="x"),
    },
)
