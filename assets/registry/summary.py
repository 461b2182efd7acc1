"""The readable summary of the published registry printed at the end of ``sejahtera run``."""

from __future__ import annotations

from pathlib import Path

from sejahtera import warehouse


def registry_summary(warehouse_path: Path) -> str:
    if not warehouse_path.exists():
        return "No registry published yet."
    lines = [f"Registry in {warehouse_path}"]
    with warehouse.connect(warehouse_path, read_only=True) as con:
        for table in (
            "registry.person",
            "registry.household",
            "registry.source_link",
            "quality.quarantine",
            "ops.drop_ledger",
        ):
            if warehouse.table_exists(con, table):
                count = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                lines.append(f"  {table:<22} {count:>10,} rows")
    return "\n".join(lines)
