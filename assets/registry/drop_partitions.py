"""The final word on each drop in the UI: its ``drop`` partition's materialisation, logged after the publish.

Extract registers every drop it looks at as a partition of ``drop`` (status ``loaded``, ``rejected``,
``duplicate`` or ``stale``). Whether a loaded drop is ``applied`` is only true once the publish transaction has
committed it to ``ops.drop_ledger``: a verdict logged earlier (when validation accepted it) would stay in the UI
as "applied" after a later failure or kill rolled the publish back. So the publish step logs the verdicts, from
the run's ledger, right after the commit, and a publish that never committed logs none.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from assets.extract.partitions import DROPS_PARTITIONS_NAME, drop_key

DROP_ASSET = dg.AssetKey("drop")


def drop_verdicts(
    con: duckdb.DuckDBPyConnection, instance: dg.DagsterInstance
) -> list[dg.AssetMaterialization]:
    """One materialisation per drop of this run's ledger (``work.ledger``) that is a partition of ``drop``."""
    ledger = con.execute(
        "SELECT source, drop_id, kind, status, reason, rows_in, rows_loaded, rows_quarantined "
        "FROM work.ledger ORDER BY processed_at, source, drop_id"
    ).fetchall()
    rules: dict[str, dict[str, int]] = {}
    for source, drop_id, rule, rows in con.execute(
        "SELECT source, drop_id, rule, count(*) FROM work.quarantine GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        rules.setdefault(drop_key(source, drop_id), {})[rule] = rows
    verdicts = []
    for source, drop_id, kind, status, reason, rows_in, rows_loaded, rows_quarantined in ledger:
        key = drop_key(source, drop_id)
        if not instance.has_dynamic_partition(DROPS_PARTITIONS_NAME, key):
            continue
        verdicts.append(
            dg.AssetMaterialization(
                asset_key=DROP_ASSET,
                partition=key,
                metadata={
                    "status": status,
                    "kind": kind or "",
                    "reason": reason or "",
                    "rows_in": dg.MetadataValue.int(rows_in or 0),
                    "rows_loaded": dg.MetadataValue.int(rows_loaded or 0),
                    "rows_quarantined": dg.MetadataValue.int(rows_quarantined or 0),
                    "rules": dg.MetadataValue.json(rules.get(key, {})),
                    "published": True,
                },
            )
        )
    return verdicts
