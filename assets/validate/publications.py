"""What the validate stage adds to the run's single publish transaction (applied by the registry stage's publish
step): the drop bookkeeping and each source's new snapshot."""

from sejahtera.sources import SOURCES
from sejahtera.warehouse import Publication

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
