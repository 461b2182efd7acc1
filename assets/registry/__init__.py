"""The registry stage (see docs/architecture.md): survivorship, welfare ranking and eligibility, targeting errors,
history and changelog, the run's one atomic publish, and the province exports.

Exports ``asset_defs`` and ``asset_checks`` for pipelines/definitions.py, and ``PUBLICATIONS`` (what this stage adds
to the run's single publish transaction).
"""

from assets.registry.checks import asset_checks
from assets.registry.defs import asset_defs
from assets.registry.publish import PUBLICATIONS

__all__ = ["PUBLICATIONS", "asset_checks", "asset_defs"]
