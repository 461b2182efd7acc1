"""The registry stage in Dagster without the real validate and reconcile stages in front of it."""

import dagster as dg

from sejahtera.resources import WarehouseResource
from support.registry_world import World


def stand_in_upstream(world: World) -> dg.AssetsDefinition:
    """Stands in for validate and reconcile: writes ``world`` as this run's work tables (``resolved_households``)."""

    @dg.asset(key="resolved_households", pool="warehouse")
    def upstream(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            world.write(con, context.run.run_id)

    return upstream
