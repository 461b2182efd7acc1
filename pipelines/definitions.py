"""Assembles the code location; nothing is defined here.

Cross-cutting policy is applied here, in one place, so that no stage has to remember it: the registry's
freshness policy (see :mod:`pipelines.schedules`), and owner-only permissions for every file a process loading
this code location creates (see :mod:`sejahtera.permissions`).
"""

from __future__ import annotations

import dagster as dg

from assets import extract, reconcile, registry, validate
from pipelines.jobs import explain_job, nightly_job, train_linkage_model_job
from pipelines.schedules import nightly_schedule, with_registry_freshness
from pipelines.sensors import drop_sensor, run_failure_alert
from sejahtera.permissions import restrict_new_files
from sejahtera.resources import build_resources

STAGES = (extract, validate, reconcile, registry)

restrict_new_files()

defs = dg.Definitions(
    assets=dg.map_asset_specs(with_registry_freshness, [a for stage in STAGES for a in stage.asset_defs]),
    asset_checks=[c for stage in STAGES for c in stage.asset_checks],
    jobs=[nightly_job, train_linkage_model_job, explain_job],
    schedules=[nightly_schedule],
    sensors=[drop_sensor, run_failure_alert],
    resources=build_resources(),
)
