"""The reconcile stage (see docs/architecture.md): Dukcapil replay, standardisation, NIK status, Splink
linkage, households, stable ids.

Exports ``asset_defs`` and ``asset_checks`` for pipelines/definitions.py, and ``PUBLICATIONS``
(``publications.py``): what the registry stage's single publish applies from this stage.
"""

from assets.reconcile.checks import (
    every_record_linked_once,
    households_have_members,
    one_dukcapil_record_per_person,
    one_record_per_agency_per_household,
)
from assets.reconcile.defs import (
    dukcapil_population,
    linkage_model,
    resolved_households,
    resolved_persons,
    standardised_records,
)
from assets.reconcile.publications import PUBLICATIONS

asset_defs: list = [
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

__all__ = ["PUBLICATIONS", "asset_checks", "asset_defs"]
