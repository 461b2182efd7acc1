"""The jobs: ``nightly`` (the whole graph, launched by the schedule, the drop sensor and ``sejahtera run``),
``train_linkage_model`` (retrains the Splink model on demand) and ``explain`` (one household's masked page, the
UI's ``sejahtera explain``; it only reads).

All three carry one retry policy for every step (``op_retry_policy``) rather than a policy per asset, because the
transient failures we know of are the same in every stage: the warehouse lock wait running out while another
process holds the DuckDB file (:class:`sejahtera.warehouse.WarehouseLocked`) and a landing-zone or reference
file read failing on a flaky mount. Retrying a step is safe because every step is idempotent within its run:
``landed_drops`` resets the work area, later steps rewrite their own work tables, the publish is one
transaction that a retry after its commit does not repeat (``assets/registry/publish_guards.py``), and the
exports are swapped in whole. Errors that no retry can fix (a blocking asset check, a ``dg.Failure(allow_retries=False)``) are
not retried; Dagster never applies the policy to them.
"""

from __future__ import annotations

import dagster as dg

from assets.registry.explain.job import explain_household
from pipelines.executors import nightly_executor

LINKAGE_MODEL = dg.AssetKey("linkage_model")

TRANSIENT_FAILURE_RETRY = dg.RetryPolicy(
    max_retries=2,
    delay=10,
    backoff=dg.Backoff.EXPONENTIAL,
    jitter=dg.Jitter.PLUS_MINUS,
)
"""Two more attempts, about 10 s and 30 s after the failure (each +-10 s of jitter, so two waiting runs do not
collide).

Short on purpose: each attempt already waits up to two minutes for the warehouse lock inside
:func:`sejahtera.warehouse.connect`, and a real bug should fail the run within a minute, not page someone late."""

nightly_job = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(LINKAGE_MODEL),
    description="Process every complete drop not yet processed, reconcile, rank and publish the registry.",
    # In process unless SEJAHTERA_EXECUTOR says otherwise (one pod per step on Kubernetes): pipelines/executors.py
    executor_def=nightly_executor(),
    op_retry_policy=TRANSIENT_FAILURE_RETRY,
)

train_linkage_model_job = dg.define_asset_job(
    name="train_linkage_model",
    selection=dg.AssetSelection.assets(LINKAGE_MODEL),
    description="Retrain the Splink person-linkage model on the current snapshots and store it for nightly runs.",
    executor_def=dg.in_process_executor,
    op_retry_policy=TRANSIENT_FAILURE_RETRY,
)


@dg.job(
    name="explain",
    description="Explain one household (config: nik, kk or household_id): a masked page in the log and metadata.",
    executor_def=dg.in_process_executor,
    op_retry_policy=TRANSIENT_FAILURE_RETRY,
)
def explain_job() -> None:
    explain_household()
