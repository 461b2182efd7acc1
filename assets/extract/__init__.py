"""The extract stage (see docs/architecture.md): landing-zone scan, drop integrity, the drop state machine
against the published ledger, and loading accepted files into ``work.raw_<source>_<entity>``.

Exports ``asset_defs`` and ``asset_checks`` for pipelines/definitions.py, and the ``drops`` partitions definition.
"""

from assets.extract.checks import raw_rows_match_manifests
from assets.extract.defs import drop, landed_drops
from assets.extract.partitions import drops

asset_defs: list = [landed_drops, drop]
asset_checks: list = [raw_rows_match_manifests]

__all__ = ["asset_checks", "asset_defs", "drops"]
