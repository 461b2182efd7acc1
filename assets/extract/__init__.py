"""The extract stage (see docs/architecture.md): landing-zone scan, drop integrity, the drop state machine
against the published ledger, and loading accepted files into ``work.raw_<source>_<entity>``.

Exports ``assets`` and ``asset_checks`` for pipelines/definitions.py, and the ``drops`` partitions definition.
"""

from assets.extract.assets import drop, landed_drops, raw_rows_match_manifests
from assets.extract.partitions import drops

assets: list = [landed_drops, drop]
asset_checks: list = [raw_rows_match_manifests]

__all__ = ["asset_checks", "assets", "drops"]
