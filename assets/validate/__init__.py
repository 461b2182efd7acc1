"""The validate stage (see docs/architecture.md): the data-quality gate between the landed drops and the
registry. Exports ``assets`` and ``asset_checks`` for pipelines/definitions.py, and ``PUBLICATIONS``, which the
registry stage's publish step applies in its single transaction."""

from assets.validate.pipeline_assets import quality_report, source_snapshots, validated_drops
from sejahtera.sources import SOURCES
from sejahtera.warehouse import Publication

assets: list = [validated_drops, quality_report, source_snapshots]
asset_checks: list = []
"""The checks are declared on the assets themselves (check_specs) and evaluated in the same step."""

LEDGER_PUBLICATIONS = [
    Publication("ops.drop_ledger", "work.ledger", "append"),
    Publication("ops.drop_file_ledger", "work.ledger_file", "append"),
    Publication("quality.quarantine", "work.quarantine", "append"),
    Publication("quality.drop_report", "work.drop_report", "append"),
    Publication("quality.expectation_result", "work.expectation_result", "append"),
]
"""What a run publishes even when it applied no drop (only duplicates, stale or rejected drops)."""

SNAPSHOT_PUBLICATIONS = [
    Publication(
        f"snapshot.{source.table(entity.entity)}", f"work.snapshot_{source.table(entity.entity)}", "replace"
    )
    for source in SOURCES.values()
    for entity in source.all_entities
]
"""Each source's new current state; unchanged when no drop of it was applied."""

PUBLICATIONS = LEDGER_PUBLICATIONS + SNAPSHOT_PUBLICATIONS

__all__ = ["LEDGER_PUBLICATIONS", "PUBLICATIONS", "SNAPSHOT_PUBLICATIONS", "asset_checks", "assets"]
