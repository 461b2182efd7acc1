"""The reconcile stage (see docs/architecture.md): Dukcapil replay, standardisation, NIK status, Splink
linkage, households, stable ids.

Exports ``assets`` and ``asset_checks`` for pipelines/definitions.py, and ``PUBLICATIONS``: what the registry
stage's single publish applies from this stage (the link evidence; a linkage model trained during the run).
"""

from assets.reconcile.checks import (
    every_record_linked_once,
    households_have_members,
    one_dukcapil_record_per_person,
)
from assets.reconcile.household_checks import one_record_per_agency_per_household
from assets.reconcile.pipeline_assets import (
    dukcapil_population,
    linkage_model,
    resolved_households,
    resolved_persons,
    standardised_records,
)
from sejahtera.warehouse import Publication

assets: list = [
    dukcapil_population,
    standardised_records,
    linkage_model,
    resolved_persons,
    resolved_households,
]
asset_checks: list = [
    every_record_linked_once,
    one_dukcapil_record_per_person,
    households_have_members,
    one_record_per_agency_per_household,
]

PUBLICATIONS: list[Publication] = [
    Publication(target="registry.link_evidence", source="work.link_evidence", mode="replace"),
    Publication(target="ops.linkage_model", source="work.linkage_model", mode="append"),
]

__all__ = ["PUBLICATIONS", "asset_checks", "assets"]
