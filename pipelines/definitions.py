"""Assembles the code location; nothing is defined here."""

from __future__ import annotations

import dagster as dg

from assets import extract, reconcile, registry, validate
from pipelines.jobs import nightly_job, train_linkage_model_job
from pipelines.resources import build_resources

STAGES = (extract, validate, reconcile, registry)

defs = dg.Definitions(
    assets=[a for stage in STAGES for a in stage.assets],
    asset_checks=[c for stage in STAGES for c in stage.asset_checks],
    jobs=[nightly_job, train_linkage_model_job],
    resources=build_resources(),
)
