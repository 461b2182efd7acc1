"""Reading a generated landing zone back the way an agency's recipient would, independently of the generator:
Python's csv module for CSV (BOM, gzip, quoted line breaks), pyarrow for Parquet, the adapters of
``sejahtera/sources`` for what each column must hold."""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from sejahtera.reference import region_codes
from sejahtera.rules import row_rules
from sejahtera.sources import SOURCES, EntitySpec

CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


@dataclass
class DataFile:
    source: str
    drop_id: str
    kind: str
    name: str
    entity: EntitySpec
    header: list[str]
    rows: list[dict[str, object]]
    """Every data row, values as delivered (CSV: str, '' kept; Parquet: python values)."""


def manifests(root: Path) -> list[tuple[Path, dict]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(root.glob("*/*/manifest.json"))]


def read_csv_bytes(raw: bytes, name: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"'))
    return records[0], records[1:]


def read_drops(root: Path) -> list[DataFile]:
    files = []
    for path, manifest in manifests(root):
        spec = SOURCES[manifest["source"]]
        for entry in manifest["files"]:
            entity = spec.entity(manifest["kind"], entry["entity"])
            assert entity is not None, f"{manifest['source']}: unknown entity {entry['entity']}"
            data_path = path.parent / entry["name"]
            if entity.file_format == "csv":
                header, records = read_csv_bytes(data_path.read_bytes(), entry["name"], entity.csv.delimiter)
                rows = [dict(zip(header, r, strict=True)) for r in records]
            else:
                table = pq.read_table(data_path)
                header = table.column_names
                rows = table.to_pylist()
            files.append(
                DataFile(
                    manifest["source"],
                    manifest["drop_id"],
                    manifest["kind"],
                    entry["name"],
                    entity,
                    header,
                    rows,
                )
            )
    return files


def truth(root: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(root / "ground_truth" / f"{name}.parquet")


def _blank(value: object) -> bool:
    return value is None or value == ""


def _parsed(value: object, fmt: str | None) -> date | str | None:
    """The date a value stands for, None when blank, "bad" when it does not parse or does not exist."""
    if _blank(value):
        return None
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(str(value), fmt).date()
    except ValueError:
        return "bad"


def expected_rules(files: list[DataFile], today: date) -> set[tuple[str, str, str, int, str]]:
    """Every (source, drop_id, file, row_number, rule) the contract's row rules give, computed from scratch."""
    villages = region_codes().villages
    oldest = date(today.year - 120, today.month, min(today.day, 28))
    out: set[tuple[str, str, str, int, str]] = set()
    known_niks: set[str] = set()
    households_by_drop: dict[tuple[str, str, str], set[str]] = {}
    ordered = sorted(files, key=lambda f: (f.source, f.drop_id, f.entity.role != "household"))
    for f in ordered:
        seen: set[str] = set()
        failing_rows: set[int] = set()
        if f.source == "dukcapil" and f.entity.entity == "penduduk":
            known_niks |= {str(r["nik"]) for r in f.rows}
        for number, row in enumerate(f.rows, start=1):
            rules = set()
            for column in f.entity.columns:
                value = row.get(column.name)
                if column.kind == "record_id":
                    if _blank(value):
                        rules.add(row_rules.MISSING_RECORD_ID)
                    elif str(value) in seen:
                        rules.add(row_rules.DUPLICATE_RECORD_ID)
                    else:
                        seen.add(str(value))
                elif column.kind in ("date", "birth_date"):
                    parsed = _parsed(value, column.date_format)
                    if parsed == "bad":
                        rules.add(row_rules.INVALID_DATE)
                    elif column.kind == "birth_date" and parsed is not None and not oldest <= parsed <= today:
                        rules.add(row_rules.BIRTH_DATE_OUT_OF_RANGE)
                elif column.kind == "region" and not _blank(value):
                    if str(value).replace(".", "") not in villages:
                        rules.add(row_rules.UNKNOWN_REGION_CODE)
                elif column.kind in ("code", "flag") and not _blank(value):
                    allowed = {str(v) for v in column.values}
                    if str(value) not in allowed:
                        rules.add(row_rules.CODE_NOT_IN_SET)
                elif column.kind == "text" and not _blank(value) and CONTROL & set(str(value)):
                    rules.add(row_rules.CONTROL_CHARACTER)
            ref = f.entity.household_ref
            if ref is not None:
                accepted = households_by_drop[(f.source, f.drop_id, f.entity.parent)]
                if _blank(row.get(ref.name)) or str(row.get(ref.name)) not in accepted:
                    rules.add(row_rules.MEMBER_WITHOUT_HOUSEHOLD)
            if f.entity.role == "event":
                if row["jenis_peristiwa"] == "LAHIR":
                    known_niks.add(str(row["nik"]))
                elif str(row["nik"]) not in known_niks:
                    rules.add(row_rules.UNKNOWN_NIK_EVENT)
            if rules:
                failing_rows.add(number)
            out |= {(f.source, f.drop_id, f.name, number, rule) for rule in rules}
        if f.entity.role == "household":
            id_column = f.entity.record_id.name
            households_by_drop[(f.source, f.drop_id, f.entity.entity)] = {
                str(r[id_column]) for i, r in enumerate(f.rows, start=1) if i not in failing_rows
            }
    return out


DEFAULT_HOUSEHOLDS = 1200
"""Big enough for coverage shares and the PMT correlation to be stable, small enough to generate in ~2 s."""
CHUNKED_ZONE_CHUNK = DEFAULT_HOUSEHOLDS // 4
"""Households per chunk of the test zone written in chunks: four chunks of the default zone's size."""
