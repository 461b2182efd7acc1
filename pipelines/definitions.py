"""Assembles the code location; nothing is defined here.

Cross-cutting policy is applied here, in one place, so that no stage has to remember it: the registry's
freshness policy (see :mod:`pipelines.schedules`).
"""

from __future__ import annotations

import dagster as dg

from assets import extract, reconcile, registry, validate
from pipelines.jobs import explain_job, nightly_job, train_linkage_model_job
from pipelines.resources import build_resources
from pipelines.schedules import nightly_schedule, with_registry_freshness
from pipelines.sensors import drop_sensor, run_failure_alert

STAGES = (extract, validate, reconcile, registry)

defs = dg.Definitions(
    assets=dg.map_asset_specs(with_registry_freshness, [a for stage in STAGES for a in stage.assets]),
    asset_checks=[c for stage in STAGES for c in stage.asset_checks],
    jobs=[nightly_job, train_linkage_model_job, explain_job],
    schedules=[nightly_schedule],
    sensors=[drop_sensor, run_failure_alert],
    resources=build_resources(),
)
