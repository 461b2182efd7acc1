"""The generated drops follow contract sections 1 and 2: layout, manifests, formats and the adapters' columns."""

from __future__ import annotations

import gzip
import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.generated_zone import manifests, read_csv_bytes, read_drops

from assets.extract.extraction import extract_drops, plan
from assets.extract.landing import scan
from assets.extract.ledger import Ledger
from assets.extract.read_limits import read_limits
from pipelines.cli import main
from sejahtera import warehouse
from sejahtera.drop_status import DropStatus
from sejahtera.sources import SOURCES

EXPECTED_LAYOUT = {
    "dtks/20261115": {"keluarga.csv", "anggota.csv", "manifest.json"},
    "regsosek/20260915": {"rumah_tangga.parquet", "individu.parquet", "manifest.json"},
    "p3ke/20261001": {"keluarga.csv.gz", "individu.csv.gz", "manifest.json"},
    "dukcapil/20261120": {"penduduk.parquet", "manifest.json"},
    "dukcapil/20261121": {"peristiwa.csv", "manifest.json"},
    "dukcapil/20261124": {"peristiwa.csv", "manifest.json"},
    "dukcapil/20261127": {"peristiwa.csv", "manifest.json"},
}
ARROW_TYPE_OF_KIND = {
    "record_id": pa.string(),
    "household_ref": pa.string(),
    "nik": pa.string(),
    "kk": pa.string(),
    "text": pa.string(),
    "region": pa.string(),
    "date": pa.date32(),
    "birth_date": pa.date32(),
    "integer": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
}


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_drops_are_laid_out_as_the_contract_says(zone: str, request: pytest.FixtureRequest) -> None:
    root = request.getfixturevalue(zone)
    folders = {
        f"{p.parent.name}/{p.name}": {f.name for f in p.iterdir()}
        for p in root.glob("*/*")
        if p.parent.name != "ground_truth"
    }
    assert folders == EXPECTED_LAYOUT
    assert {p.name for p in (root / "ground_truth").iterdir()} == {
        "person_records.parquet",
        "household_records.parquet",
        "persons.parquet",
        "households.parquet",
        "row_defects.parquet",
        "record_noise.parquet",
    }


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_manifests_list_every_file_with_its_hash_and_record_count_and_come_last(
    zone: str, request: pytest.FixtureRequest
) -> None:
    root = request.getfixturevalue(zone)
    for path, manifest in manifests(root):
        assert set(manifest) == {"source", "drop_id", "kind", "extracted_at", "files"}
        assert (manifest["source"], manifest["drop_id"]) == (path.parent.parent.name, path.parent.name)
        assert manifest["kind"] == (
            "delta" if manifest["source"] == "dukcapil" and manifest["drop_id"] > "20261120" else "full"
        )
        extracted = datetime.fromisoformat(manifest["extracted_at"])
        assert extracted.utcoffset() == timedelta(hours=7)
        assert extracted.strftime("%Y%m%d") == manifest["drop_id"]
        listed = {entry["name"] for entry in manifest["files"]}
        assert listed == {f.name for f in path.parent.iterdir()} - {"manifest.json"}
        for entry in manifest["files"]:
            data = path.parent / entry["name"]
            raw = data.read_bytes()
            assert entry["sha256"] == hashlib.sha256(raw).hexdigest()
            spec = SOURCES[manifest["source"]].entity(manifest["kind"], entry["entity"])
            if spec.file_format == "csv":
                _, records = read_csv_bytes(raw, entry["name"], spec.csv.delimiter)
                rows = len(records)
            else:
                rows = pq.read_metadata(data).num_rows
            assert entry["rows"] == rows, f"{path.parent}: {entry['name']}"
            assert data.stat().st_mtime_ns <= path.stat().st_mtime_ns, "manifest must be written last"


def test_rows_are_csv_records_not_lines(default_zone: Path) -> None:
    """DTKS addresses typed over two lines: the manifest counts records, so lines outnumber rows."""
    manifest = dict(manifests(default_zone))[default_zone / "dtks" / "20261115" / "manifest.json"]
    keluarga = next(e for e in manifest["files"] if e["entity"] == "keluarga")
    text = (default_zone / "dtks" / "20261115" / "keluarga.csv").read_text(encoding="utf-8-sig")
    assert text.count("\n") - 1 > keluarga["rows"]


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_columns_are_exactly_the_adapters(zone: str, request: pytest.FixtureRequest) -> None:
    root = request.getfixturevalue(zone)
    files = read_drops(root)
    assert len(files) == 10
    for f in files:
        assert f.header == [c.name for c in f.entity.columns], f"{f.source}/{f.name}"


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_parquet_columns_have_the_contract_types(zone: str, request: pytest.FixtureRequest) -> None:
    root = request.getfixturevalue(zone)
    for f in read_drops(root):
        if f.entity.file_format != "parquet":
            continue
        schema = pq.read_schema(root / f.source / f.drop_id / f.name)
        for column in f.entity.columns:
            if column.kind == "code":
                expected = pa.int32() if isinstance(column.values[0], int) else pa.string()
            else:
                expected = ARROW_TYPE_OF_KIND[column.kind]
            assert schema.field(column.name).type == expected, f"{f.name}.{column.name}"
        assert schema.metadata is None or b"pandas" not in schema.metadata


def test_each_source_has_its_own_encoding_and_date_format(default_zone: Path) -> None:
    dtks = (default_zone / "dtks" / "20261115" / "anggota.csv").read_bytes()
    assert dtks.startswith(b"\xef\xbb\xbfID_ART;ID_KELUARGA;")
    p3ke = (default_zone / "p3ke" / "20261001" / "individu.csv.gz").read_bytes()
    assert p3ke[:2] == b"\x1f\x8b" and p3ke[4:8] == b"\x00\x00\x00\x00", "gzip header without a timestamp"
    assert gzip.decompress(p3ke).startswith(b"id_individu_p3ke,id_keluarga_p3ke,")
    delta = (default_zone / "dukcapil" / "20261121" / "peristiwa.csv").read_bytes()
    assert delta.startswith(b"id_peristiwa,jenis_peristiwa,")
    files = {(f.source, f.entity.entity): f for f in read_drops(default_zone)}

    def share(rows: list[dict], column: str, pattern: str) -> float:
        return sum(bool(re.fullmatch(pattern, str(r[column]))) for r in rows) / len(rows)

    assert share(files["dtks", "anggota"].rows, "TGL_LAHIR", r"\d\d-\d\d-\d{4}") > 0.98
    assert share(files["p3ke", "individu"].rows, "tanggal_lahir", r"\d\d/\d\d/\d{4}") > 0.98
    assert share(files["dukcapil", "peristiwa"].rows, "tanggal_peristiwa", r"\d{4}-\d\d-\d\d") > 0.9
    assert share(files["p3ke", "keluarga"].rows, "kode_kemendagri", r"\d\d\.\d\d\.\d\d\.\d{4}") > 0.85
    assert share(files["dtks", "keluarga"].rows, "KODE_WILAYAH", r"\d{10}") > 0.98


@pytest.mark.parametrize("zone", ["default_zone", "noisy_zone", "chunked_zone"])
def test_every_generated_drop_passes_the_extract_integrity_checks(
    zone: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Defective rows (control characters, NULs, broken dates) are row problems, never an undecodable file."""
    root = request.getfixturevalue(zone)
    folders = scan(root)
    assert len(folders) == 7, "ground_truth/ is not a source folder"
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.reset_work(con, "test-run")
        limits = read_limits()
        outcomes = extract_drops(con, plan(folders, Ledger(), limits), Ledger(), limits)
        assert [(o.folder.key, o.status, o.reason) for o in outcomes if o.status != DropStatus.LOADED] == []
        raw = con.execute("SELECT count(*) FROM work.raw_dtks_anggota").fetchall()[0][0]
    assert raw == len(next(f for f in read_drops(root) if f.entity.entity == "anggota").rows)


def test_the_command_line_generates_a_landing_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--out", str(tmp_path / "zone"), "--households", "40", "--seed", "8"]) == 0
    assert "sejahtera generate: 40 families (seed 8)" in capsys.readouterr().out
    assert len(scan(tmp_path / "zone")) == 7
