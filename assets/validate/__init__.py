"""The validate stage (see docs/architecture.md): the data-quality gate between the landed drops and the
registry. Exports ``asset_defs`` and ``asset_checks`` for pipelines/definitions.py, and ``PUBLICATIONS``
(``publications.py``), which the registry stage's publish step applies in its single transaction."""

from assets.validate.defs import quality_report, source_snapshots, validated_drops
from assets.validate.publications import LEDGER_PUBLICATIONS, PUBLICATIONS, SNAPSHOT_PUBLICATIONS

asset_defs: list = [validated_drops, quality_report, source_snapshots]
asset_checks: list = []
"""The checks are declared on the assets themselves (check_specs) and evaluated in the same step."""

__all__ = ["LEDGER_PUBLICATIONS", "PUBLICATIONS", "SNAPSHOT_PUBLICATIONS", "asset_checks", "asset_defs"]
