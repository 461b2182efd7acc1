"""Tiny synthetic drops built from the adapters' declarations, and the real extract assets run on them.

``LandingZone.deliver(source, drop_id)`` writes a good drop (every entity of its kind, a few rows each, a
correct manifest written last, through :func:`support.landing.write_drop`); its keyword arguments break it in one
chosen way. Values are synthetic and made up per column kind: extract only checks structure, so they need to be
well-formed, not realistic. The ``landing_zone`` and ``extract`` fixtures (tests/conftest.py) build these.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa

from assets.extract import asset_checks, asset_defs
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource
from sejahtera.sources import SOURCES, Column, EntitySpec
from sejahtera.sources.arrow import ARROW_TYPES
from sejahtera.warehouse import run_has_work
from support import duck
from support.landing import (
    EXTRACTED_AT,
    DataFile,
    csv_bytes,
    parquet_bytes,
    write_drop,
)


def value(column: Column, entity: EntitySpec, i: int, *, parquet: bool) -> object:
    """A well-formed synthetic value for row ``i`` of a column, by the column's kind."""
    kind = column.kind
    if kind == "record_id":
        return f"{entity.entity[:3].upper()}{i:05d}"
    if kind == "household_ref":
        return f"{(entity.parent or 'x')[:3].upper()}{i:05d}"
    if kind in ("nik", "kk"):
        return f"3201014101{90 + i % 10:02d}{i % 10000 + 1:04d}"
    if kind == "region":
        return "3201012001"
    if kind in ("date", "birth_date"):
        day = date(1990, 1, 1 + i % 28)
        return day if parquet else day.strftime(column.date_format or "%Y-%m-%d")
    if kind in ("code", "flag"):
        chosen = column.values[i % len(column.values)]
        return chosen if parquet else str(chosen)
    if kind == "integer":
        return i if parquet else str(i)
    if kind == "double":
        return i + 0.5 if parquet else f"{i + 0.5}"
    if kind == "boolean":
        return bool(i % 2)
    return f"JL. MELATI NO. {i}"


def rows_of(entity: EntitySpec, n: int, *, parquet: bool) -> dict[str, list]:
    """``n`` synthetic rows, by contract column name."""
    return {c.name: [value(c, entity, i, parquet=parquet) for i in range(n)] for c in entity.columns}


def entity_csv(entity: EntitySpec, header: list[str], records: list[list[str]]) -> bytes:
    """A CSV file in ``entity``'s declared dialect, encoding and compression."""
    fmt = entity.csv
    assert fmt is not None
    return csv_bytes(
        header,
        records,
        delimiter=fmt.delimiter,
        quote=fmt.quote,
        encoding=fmt.encoding,
        gzipped=fmt.compression == "gzip",
    )


def typed_table(entity: EntitySpec, n: int) -> pa.Table:
    data = rows_of(entity, n, parquet=True)
    return pa.table({c.name: pa.array(data[c.name], ARROW_TYPES[c.snapshot_type]) for c in entity.columns})


def file_name(entity: EntitySpec) -> str:
    if entity.file_format == "parquet":
        return f"{entity.entity}.parquet"
    assert entity.csv is not None
    return f"{entity.entity}.csv.gz" if entity.csv.compression == "gzip" else f"{entity.entity}.csv"


def good_file(entity: EntitySpec, n: int = 3, *, name: str | None = None) -> DataFile:
    """A well-formed file of ``n`` rows for ``entity``, in its declared format."""
    if entity.file_format == "parquet":
        content = parquet_bytes(typed_table(entity, n))
    else:
        data = rows_of(entity, n, parquet=False)
        header = [c.name for c in entity.columns]
        content = entity_csv(entity, header, [[data[h][i] for h in header] for i in range(n)])
    return DataFile(name=name or file_name(entity), entity=entity.entity, content=content, rows=n)


def entity(source: str, name: str) -> EntitySpec:
    spec = next(e for e in SOURCES[source].all_entities if e.entity == name)
    return spec


class LandingZone:
    """A landing zone in a tmp dir with an agency's moves: deliver a drop, rewrite its manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def deliver(
        self,
        source: str,
        drop_id: str,
        kind: str = "full",
        *,
        files: list[DataFile] | None = None,
        rows: int = 3,
        edit_manifest: Callable[[dict], None] | None = None,
        manifest_bytes: bytes | None = None,
        write_files: bool = True,
    ) -> Path:
        """Write a drop's files, then its manifest; returns the drop folder."""
        if files is None:
            files = [good_file(e, rows) for e in SOURCES[source].entities_by_kind[kind]]
        return write_drop(
            self.root,
            source,
            drop_id,
            kind,
            files,
            exported=EXTRACTED_AT,
            edit_manifest=edit_manifest,
            manifest_bytes=manifest_bytes,
            write_files=write_files,
        )

    def rewrite_manifest(self, folder: Path, edit: Callable[[dict], None] | None = None) -> None:
        """Rewrite a manifest (edited or byte-identical) with a later modification time."""
        path = folder / "manifest.json"
        before = path.stat().st_mtime_ns
        if edit is not None:
            manifest = json.loads(path.read_bytes())
            edit(manifest)
            path.write_bytes(json.dumps(manifest, indent=2).encode())
        later = before + 60_000_000_000
        os.utime(path, ns=(later, later))


@dataclass
class Extract:
    """Runs the real extract assets with Dagster on tmp paths and reads back what they wrote."""

    landing: LandingZone
    warehouse: Path
    instance: dg.DagsterInstance
    last_run_id: str | None = None
    rules: RulesResource = field(default_factory=RulesResource)
    """The rule folder the run reads (the read limits in its ``quality.yaml``): the project's unless a test sets one."""

    def run(
        self, reprocess: list[str] | None = None, *, raise_on_error: bool = True, scan_only: bool = False
    ) -> dg.ExecuteInProcessResult:
        config = {"ops": {"landed_drops": {"config": {"reprocess": reprocess or [], "scan_only": scan_only}}}}
        result = dg.materialize(
            [*asset_defs, *asset_checks],
            resources={
                "warehouse": WarehouseResource(path=str(self.warehouse)),
                "landing": LandingZoneResource(root=str(self.landing.root)),
                "rules": self.rules,
            },
            instance=self.instance,
            run_config=config,
            raise_on_error=raise_on_error,
        )
        self.last_run_id = result.run_id
        return result

    def landed_drops_metadata(self, result: dg.ExecuteInProcessResult) -> dict:
        """Metadata of the ``landed_drops`` materialisation (not the per-drop ones the same step logs)."""
        events = [
            e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey("landed_drops")
        ]
        return {key: value.value for key, value in events[0].materialization.metadata.items()}

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return duck.query(self.warehouse, sql, params)

    def drops(self) -> dict[str, tuple[str, str | None]]:
        """``{key: (status, reason)}`` of ``work.drop``."""
        rows = self.query("SELECT source || '.' || drop_id, status, reason FROM work.drop")
        return {key: (status, reason) for key, status, reason in rows}

    def publish_ledger(self) -> None:
        """Stand in for validate and publish: loaded drops become applied, all of work.drop joins the ledger.

        Like the real publish, only when the last run opened a work area.
        """
        if self.last_run_id is None or not run_has_work(self.warehouse, self.last_run_id):
            return
        with duckdb.connect(str(self.warehouse)) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS ops")
            select = (
                "SELECT source, drop_id, kind, CASE status WHEN 'loaded' THEN 'applied' ELSE status END AS status, "
                "reason, rows_in, coalesce(rows_loaded, rows_in) AS rows_loaded, "
                "coalesce(rows_quarantined, 0) AS rows_quarantined, processed_at, manifest_sha256, "
                "manifest_mtime_ns, (SELECT run_id FROM work.run) AS run_id FROM work.drop ORDER BY apply_order"
            )
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ops' "
                "AND table_name = 'drop_ledger'"
            ).fetchall()[0][0]
            if exists:
                con.execute(f"INSERT INTO ops.drop_ledger {select}")
            else:
                con.execute(f"CREATE TABLE ops.drop_ledger AS {select}")


def csv_lines(entity: EntitySpec, n: int = 3) -> list[str]:
    """A good CSV file of ``entity`` as text lines (header first), to break one line of in a test."""
    fmt = entity.csv
    assert fmt is not None
    data = rows_of(entity, n, parquet=False)
    header = [c.name for c in entity.columns]
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=fmt.delimiter, quotechar=fmt.quote, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([data[h][i] for h in header] for i in range(n))
    return text.getvalue().splitlines()


def csv_text_file(entity: EntitySpec, lines: list[str], rows: int, *, raw: bytes | None = None) -> DataFile:
    """A CSV file from text lines (or raw bytes), compressed when the entity declares it; ``rows`` for the manifest."""
    fmt = entity.csv
    assert fmt is not None
    data = raw if raw is not None else ("\n".join(lines) + "\n").encode(fmt.encoding)
    if fmt.compression == "gzip":
        data = gzip.compress(data, mtime=0)
    return DataFile(name=file_name(entity), entity=entity.entity, content=data, rows=rows)
