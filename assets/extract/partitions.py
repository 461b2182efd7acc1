"""The dynamic partitions of drops: one partition per drop ever looked at, keyed ``<source>.<drop_id>``.

The drop sensor and ``landed_drops`` add to it; the external asset ``drop`` is partitioned by it so that every
drop, with its outcome, shows in the Dagster UI and can be named for reprocessing.
"""

from __future__ import annotations

import dagster as dg

DROPS_PARTITIONS_NAME = "drops"

drops = dg.DynamicPartitionsDefinition(name=DROPS_PARTITIONS_NAME)


def drop_key(source: str, drop_id: str) -> str:
    """A drop's name everywhere: its partition key, the ``reprocess`` config, the ledger, log lines."""
    return f"{source}.{drop_id}"


def is_valid_partition_key(key: str) -> bool:
    """Whether a drop key can be a partition: printable and free of ``...`` (Dagster's partition-range marker).

    A folder named otherwise is not a valid drop anyway; it is still looked at and rejected in the ledger, it
    just gets no partition in the UI, and the drop sensor still triggers its run (its tick must not fail for
    every other drop).
    """
    return key.isprintable() and "..." not in key
