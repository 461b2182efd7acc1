"""A tiny work area as extract leaves it (``work.run``, ``work.drop``, ``work.drop_file``, ``work.raw_*``), built
by hand in a tmp warehouse so the validate stage can be tested on exactly the rows a test names.

Rows are dicts keyed by the contract's column names (any case); absent keys are missing values. CSV entities
get VARCHAR columns with '' as NULL, Parquet entities their declared types, as extract writes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sejahtera import warehouse
from sejahtera.sources import SOURCES
from support import duck
from support.identities import kk, nik

RUN_ID = "test-run-0001"
TODAY = dt.date(2026, 11, 27)

# Real codes of the 2025 list (Kab. Bogor / Kota Bandung), and a code retired after 2022 (Kab. Sorong 92.01).
VILLAGE = "3201011001"
VILLAGE_DOTTED = "32.01.01.1001"
OTHER_VILLAGE = "3273011001"


def retired_village() -> str:
    from sejahtera.reference import region_table

    table = region_table()
    villages = table[table["tingkat"] == "desa_kelurahan"]
    only_2022 = set(villages.loc[villages["decree"] == "2022", "kode_digits"]) - set(
        villages.loc[villages["decree"] == "2025", "kode_digits"]
    )
    return sorted(only_2022)[0]


@dataclass
class WorkArea:
    """A warehouse whose work area belongs to :data:`RUN_ID`, with drops added by the test."""

    path: Path
    run_id: str = RUN_ID
    _order: int = field(default=0)

    def __post_init__(self) -> None:
        with warehouse.connect(self.path) as con:
            warehouse.reset_work(con, self.run_id)
            con.execute(
                """
                CREATE TABLE work.drop (
                    source VARCHAR NOT NULL, drop_id VARCHAR NOT NULL, kind VARCHAR, status VARCHAR NOT NULL,
                    reason VARCHAR, rows_in BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
                    processed_at TIMESTAMPTZ NOT NULL, manifest_sha256 VARCHAR, manifest_mtime_ns BIGINT NOT NULL,
                    apply_order INTEGER NOT NULL, PRIMARY KEY (source, drop_id))
                """
            )
            con.execute(
                "CREATE TABLE work.drop_file (source VARCHAR, drop_id VARCHAR, file VARCHAR, entity VARCHAR, "
                "raw_table VARCHAR, rows BIGINT, sha256 VARCHAR, position INTEGER)"
            )
            for source in SOURCES.values():
                for entity in source.all_entities:
                    columns = ", ".join(
                        f"{c.key} {c.snapshot_type if entity.file_format == 'parquet' else 'VARCHAR'}"
                        for c in entity.columns
                    )
                    con.execute(
                        f"CREATE TABLE work.raw_{source.table(entity.entity)} (source VARCHAR, drop_id VARCHAR, "
                        f"file VARCHAR, row_number BIGINT, {columns})"
                    )

    def connect(self, read_only: bool = False):
        return warehouse.connect(self.path, read_only=read_only)

    def add_drop(
        self,
        source: str,
        drop_id: str,
        files: dict[str, list[dict]],
        *,
        kind: str = "full",
        status: str = "loaded",
        file_names: dict[str, str] | None = None,
    ) -> None:
        """Add a drop: ``files`` maps an entity to its rows (row_number = position + 1)."""
        spec = SOURCES[source]
        self._order += 1
        with warehouse.connect(self.path) as con:
            total = 0
            for position, (entity_name, rows) in enumerate(files.items(), start=1):
                entity = spec.entity(kind, entity_name)
                assert entity is not None, f"{source} {kind} has no entity {entity_name}"
                ext = {"csv": ".csv" if not (entity.csv and entity.csv.compression) else ".csv.gz"}.get(
                    entity.file_format, ".parquet"
                )
                file = (file_names or {}).get(entity_name, f"{entity_name}{ext}")
                data = {"source": [], "drop_id": [], "file": [], "row_number": []}
                for c in entity.columns:
                    data[c.key] = []
                for i, row in enumerate(rows, start=1):
                    lowered = {k.lower(): v for k, v in row.items()}
                    data["source"].append(source)
                    data["drop_id"].append(drop_id)
                    data["file"].append(file)
                    data["row_number"].append(i)
                    for c in entity.columns:
                        value = lowered.get(c.key)
                        if entity.file_format == "csv" and value == "":
                            value = None
                        data[c.key].append(value)
                frame = pd.DataFrame(data, dtype=object)
                table = f"work.raw_{spec.table(entity_name)}"
                if rows:
                    con.register("incoming", frame)
                    casts = ", ".join(
                        f"CAST({c.key} AS {c.snapshot_type if entity.file_format == 'parquet' else 'VARCHAR'}) "
                        f"AS {c.key}"
                        for c in entity.columns
                    )
                    con.execute(
                        f"INSERT INTO {table} SELECT source, drop_id, file, CAST(row_number AS BIGINT), {casts} "
                        "FROM incoming"
                    )
                    con.unregister("incoming")
                con.execute(
                    "INSERT INTO work.drop_file VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [source, drop_id, file, entity_name, table, len(rows), "0" * 64, position],
                )
                total += len(rows)
            con.execute(
                "INSERT INTO work.drop VALUES (?, ?, ?, ?, NULL, ?, NULL, NULL, now(), ?, ?, ?)",
                [
                    source,
                    drop_id,
                    kind,
                    status,
                    total,
                    "f" * 64,
                    1_700_000_000_000_000_000 + self._order,
                    self._order,
                ],
            )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return duck.query(self.path, sql, params)

    def quarantine(self, source: str | None = None) -> set[tuple[str, int, str]]:
        """(file, row_number, rule) of every quarantine row (of one source)."""
        sql = "SELECT file, row_number, rule FROM work.quarantine"
        rows = self.query(sql + (" WHERE source = ?" if source else ""), [source] if source else [])
        return {tuple(r) for r in rows}


def run_gate(
    area: WorkArea, *, expectations_dir: Path | None = None, max_share: float = 0.2, docs: bool = False
):
    """Validate the area's loaded drops the way validated_drops does (one transaction)."""
    from assets.validate.gate import Gate
    from assets.validate.gx_runner import GxRunner, data_docs_root
    from assets.validate.suites import EXPECTATIONS_DIR

    runner = GxRunner(
        expectations_dir or EXPECTATIONS_DIR, data_docs_root(area.path) if docs else None, TODAY
    )
    with warehouse.connect(area.path) as con:
        con.execute("BEGIN TRANSACTION")
        verdicts = Gate(con, runner, max_failing_row_share=max_share, run_id=area.run_id, today=TODAY).run()
        con.execute("COMMIT")
    return verdicts


def dtks_keluarga(id_: str, **over) -> dict:
    row = {
        "ID_KELUARGA": id_,
        "NO_KK": kk(1),
        "KODE_WILAYAH": VILLAGE,
        "ALAMAT": "JL. MAWAR NO. 1",
        "RT": "001",
        "RW": "002",
        "PENERIMA_PKH": "Y",
        "PENERIMA_BPNT": "T",
        "PENERIMA_PBI": "Y",
        "TGL_UPDATE": "15-10-2026",
    }
    row.update(over)
    return row


def dtks_anggota(id_: str, keluarga: str, **over) -> dict:
    row = {
        "ID_ART": id_,
        "ID_KELUARGA": keluarga,
        "NIK": nik(),
        "NAMA": "BUDI SANTOSO",
        "JNS_KEL": "LAKI-LAKI",
        "TMP_LAHIR": "BOGOR",
        "TGL_LAHIR": "01-01-1980",
        "HUB_KEL": "1",
        "DISABILITAS": "T",
    }
    row.update(over)
    return row


def dukcapil_person(nik_: str, **over) -> dict:
    row = {
        "nik": nik_,
        "no_kk": kk(1),
        "nama_lengkap": "BUDI SANTOSO",
        "jenis_kelamin": "LAKI-LAKI",
        "tempat_lahir": "BOGOR",
        "tanggal_lahir": dt.date(1980, 1, 1),
        "kode_wilayah": VILLAGE,
        "alamat": "JL. MAWAR NO. 1",
        "status_hidup": "HIDUP",
        "tanggal_meninggal": None,
    }
    row.update(over)
    return row


def event(id_: str, kind: str, nik_: str, **over) -> dict:
    row = {"id_peristiwa": id_, "jenis_peristiwa": kind, "tanggal_peristiwa": "2026-11-21", "nik": nik_}
    row.update(over)
    return row
