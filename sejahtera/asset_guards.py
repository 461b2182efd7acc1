"""The guard in front of a stage's asset: skip the work when the run has nothing for it, and say why.

Most assets of validate, reconcile and registry rebuild work tables from this run's drops, and are a no-op when
there are none (``WarehouseResource.has_work``) or, in the registry, none was applied. Each stage states *when* to
skip as a small function; :func:`skip_when` puts that one guard in front of every asset body that needs it, so no
asset can forget it and none writes it again.
"""

import functools
from collections.abc import Callable, Mapping

import dagster as dg

from sejahtera.resources import WarehouseResource
from sejahtera.run_family import work_run_id

AssetBody = Callable[..., dg.MaterializeResult]
Skip = Callable[[dg.AssetExecutionContext, WarehouseResource], dg.MaterializeResult | None]
"""Given the run, the no-op result to record instead of the asset's work, or None to do the work."""


def skip_when(skip: Skip) -> Callable[[AssetBody], AssetBody]:
    """A decorator running an asset's body only when ``skip`` returns None; otherwise its result is recorded.

    Goes below ``@dg.asset``. The body takes ``(context, warehouse, ...)``; ``functools.wraps`` keeps its
    signature, so Dagster still sees (and passes by name) every resource and config it declares.
    """

    def decorate(body: AssetBody) -> AssetBody:
        @functools.wraps(body)
        def guarded(
            context: dg.AssetExecutionContext, warehouse: WarehouseResource, **resources: object
        ) -> dg.MaterializeResult:
            skipped = skip(context, warehouse)
            return skipped if skipped is not None else body(context, warehouse, **resources)

        return guarded

    return decorate


def without_new_drops(metadata: Mapping[str, object]) -> Skip:
    """Skip when this run found no new drops (it opened no work area), recording ``metadata`` to say so."""

    def skip(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult | None:
        return (
            None
            if warehouse.has_work(work_run_id(context))
            else dg.MaterializeResult(metadata=dict(metadata))
        )

    return skip
