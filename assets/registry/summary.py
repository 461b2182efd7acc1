"""The readable summary of the published registry printed at the end of ``sejahtera run`` and ``make run``.

Counts only: no NIK, KK, name or birth date is ever printed. Opens the warehouse read-only, so printing the summary
never changes the file, and copes with a warehouse where only part of the registry has been published yet.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import duckdb

from assets.registry.exports import EXPORT_KEY_ENV, export_folder
from assets.registry.reporting import province_label
from sejahtera import warehouse


def _n(value: int | None) -> str:
    return f"{value or 0:,}"


def _joined(pairs: Sequence[tuple], empty: str = "none") -> str:
    return ", ".join(f"{key} {_n(count)}" for key, count in pairs) if pairs else empty


def registry_summary(warehouse_path: Path, wait_seconds: float = 120.0) -> str:
    """The summary; raises :class:`sejahtera.warehouse.WarehouseLocked` if a writer holds the file that long."""
    warehouse_path = Path(warehouse_path)
    if not warehouse_path.exists():
        return "No registry published yet (no warehouse file at " + str(warehouse_path) + ")."
    with warehouse.connect(warehouse_path, read_only=True, wait_seconds=wait_seconds) as con:
        lines = [f"Registry in {warehouse_path}"]
        lines += _drops(con)
        lines += _registry(con)
        lines += _last_run(con)
        lines += _targeting(con)
    lines += _exports(warehouse_path)
    return "\n".join(lines)


def _exports(warehouse_path: Path) -> list[str]:
    """Where the latest province exports are, read from their manifest (nothing personal is in it)."""
    folder = export_folder(warehouse_path)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [f"  Exports        none yet ({EXPORT_KEY_ENV} sets the key that tokenises NIKs in them)"]
    return [
        f"  Exports        {len(manifest.get('provinces', {}))} provinces, {manifest.get('mode', '?')}, "
        f"in {folder} (run {str(manifest.get('run_id', '?'))[:8]})"
    ]


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return warehouse.table_exists(con, table)


def _drops(con: duckdb.DuckDBPyConnection) -> list[str]:
    lines = []
    if _exists(con, "ops.drop_ledger"):
        statuses = con.execute(
            "SELECT status, count(*) FROM ops.drop_ledger GROUP BY ALL ORDER BY 1"
        ).fetchall()
        lines.append(f"  Drops          {_joined(statuses)}")
    if _exists(con, "quality.quarantine"):
        rows = con.execute(
            "SELECT count(DISTINCT (source, drop_id, file, row_number)) FROM quality.quarantine"
        ).fetchall()[0][0]
        rules = con.execute(
            "SELECT rule, count(*) FROM quality.quarantine GROUP BY ALL ORDER BY 2 DESC, 1"
        ).fetchall()
        lines.append(f"  Quarantined    {_n(rows)} rows; broken rules: {_joined(rules)}")
    return lines


def _registry(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not (_exists(con, "registry.person") and _exists(con, "registry.household")):
        return ["  Registry       not published yet"]
    living, dead = con.execute(
        "SELECT count(*) FILTER (WHERE status_hidup = 'HIDUP'), count(*) FILTER (WHERE status_hidup = 'MATI') "
        "FROM registry.person"
    ).fetchall()[0]
    nik = con.execute("SELECT nik_status, count(*) FROM registry.person GROUP BY ALL ORDER BY 1").fetchall()
    households, ranked, provinces = con.execute(
        "SELECT count(*), count(desil_nasional), count(DISTINCT kode_provinsi) FROM registry.household"
    ).fetchall()[0]
    deciles = con.execute(
        "SELECT desil_nasional, count(*) FROM registry.household WHERE desil_nasional IS NOT NULL "
        "GROUP BY ALL ORDER BY 1"
    ).fetchall()
    pkh, bpnt, pbi, extreme = con.execute(
        "SELECT count(*) FILTER (WHERE eligible_pkh), count(*) FILTER (WHERE eligible_bpnt), "
        "count(*) FILTER (WHERE eligible_pbi), count(*) FILTER (WHERE miskin_ekstrem) FROM registry.household"
    ).fetchall()[0]
    sources = con.execute(
        "SELECT welfare_source, count(*) FROM registry.household GROUP BY ALL ORDER BY 2 DESC, 1"
    ).fetchall()
    largest = con.execute(
        "SELECT kode_provinsi, count(*) FROM registry.household GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 3"
    ).fetchall()
    return [
        f"  Persons        {_n(living)} living, {_n(dead)} dead (MATI: kept, never counted)",
        f"  NIK status     {_joined(nik)}",
        f"  Households     {_n(households)} in {_n(provinces)} provinces; {_n(ranked)} ranked, "
        f"{_n(households - ranked)} without a living member",
        "  Largest        " + ", ".join(f"{province_label(code)} {_n(n)}" for code, n in largest),
        "  Deciles        " + " · ".join(f"D{d} {_n(n)}" for d, n in deciles) + "  (national, 1 = poorest)",
        f"  Score from     {_joined(sources)}",
        f"  Eligible       PKH {_n(pkh)} · BPNT {_n(bpnt)} · PBI {_n(pbi)}; miskin ekstrem {_n(extreme)}",
    ]


def _last_run(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "registry.changelog"):
        return []
    last = con.execute(
        "SELECT run_id, changed_at FROM registry.changelog ORDER BY changed_at DESC, run_id LIMIT 1"
    ).fetchall()
    if not last:
        return ["  Last changes   none recorded"]
    run_id, changed_at = last[0]
    counts = con.execute(
        "SELECT entity || ' ' || change, count(*) FROM registry.changelog WHERE run_id = ? "
        "GROUP BY ALL ORDER BY 1",
        [run_id],
    ).fetchall()
    return [
        f"  Last changes   run {run_id} at {changed_at:%Y-%m-%d %H:%M %Z}:",
        *(f"                 {change:<34} {_n(count):>10}" for change, count in counts),
    ]


def _targeting(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "registry.targeting_error"):
        return []
    reasons = con.execute(
        "SELECT error_type || ': ' || reason, count(*) FROM registry.targeting_error GROUP BY ALL ORDER BY 1"
    ).fetchall()
    worst = con.execute(
        "SELECT kode_provinsi, count(*) FROM registry.targeting_error GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 3"
    ).fetchall()
    lines = ["  Targeting      " + (_joined(reasons, "no errors found"))]
    if worst:
        lines.append("  Most errors    " + ", ".join(f"{province_label(code)} {_n(n)}" for code, n in worst))
    return lines
