"""The final word on each drop in the UI: its ``drop`` partition's materialisation, logged after the publish.

Extract registers every drop it looks at as a partition of ``drop`` (status ``loaded``, ``rejected``,
``duplicate`` or ``stale``). Whether a loaded drop is ``applied`` is only true once the publish transaction has
committed it to ``ops.drop_ledger``: a verdict logged earlier (when validation accepted it) would stay in the UI
as "applied" after a later failure or kill rolled the publish back. So the publish step records the verdicts,
from the run's ledger, right after the commit (with extract's ``record_drop``, the one way a drop's partition is
recorded), and a publish that never committed records none.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from assets.extract.defs import record_drop
from assets.extract.partitions import drop_key
from sejahtera.drop_status import DropStatus


def record_published_verdicts(context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection) -> None:
    """Record each drop of this run's ledger (``work.ledger``) on its partition of ``drop``, as published."""
    ledger = con.execute(
        "SELECT source, drop_id, kind, status, reason, rows_in, rows_loaded, rows_quarantined "
        "FROM work.ledger ORDER BY processed_at, source, drop_id"
    ).fetchall()
    rules: dict[str, dict[str, int]] = {}
    for source, drop_id, rule, rows in con.execute(
        "SELECT source, drop_id, rule, count(*) FROM work.quarantine GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        rules.setdefault(drop_key(source, drop_id), {})[rule] = rows
    for source, drop_id, kind, status, reason, rows_in, rows_loaded, rows_quarantined in ledger:
        key = drop_key(source, drop_id)
        record_drop(
            context,
            key,
            DropStatus(status),
            reason
            or f"{key}: {status} (published), {rows_in or 0:,} rows in, {rows_loaded or 0:,} loaded, "
            f"{rows_quarantined or 0:,} quarantined",
            {
                "kind": kind or "",
                "reason": reason or "",
                "rows_in": dg.MetadataValue.int(rows_in or 0),
                "rows_loaded": dg.MetadataValue.int(rows_loaded or 0),
                "rows_quarantined": dg.MetadataValue.int(rows_quarantined or 0),
                "rules": dg.MetadataValue.json(rules.get(key, {})),
                "published": True,
            },
        )
