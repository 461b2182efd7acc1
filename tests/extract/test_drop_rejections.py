"""Every drop-level rejection of contract section 1, each built next to good drops in one landing zone.

One real Dagster run of the extract assets looks at all of them (keeps the suite fast); each case then asserts
its own drop's status and one-line reason, and that nothing of a rejected drop is staged while the good drops
load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from support.extract_harness import (
    DataFile,
    Extract,
    LandingZone,
    csv_lines,
    csv_text_file,
    entity,
    good_file,
    parquet_bytes,
    typed_table,
)

from assets.extract.raw_tables import all_raw_tables
from sejahtera.sources.dtks import ANGGOTA as DTKS_ANGGOTA
from sejahtera.sources.dtks import KELUARGA as DTKS_KELUARGA
from sejahtera.sources.p3ke import INDIVIDU as P3KE_INDIVIDU
from sejahtera.sources.p3ke import KELUARGA as P3KE_KELUARGA
from sejahtera.sources.regsosek import INDIVIDU as REGSOSEK_INDIVIDU
from sejahtera.sources.regsosek import RUMAH_TANGGA as REGSOSEK_RT

SECRET_NIK = "3201019999990042"
"""A NIK placed in broken rows: it must never appear in a reason, log line or metadata."""


def anggota_with(lines_edit: Callable[[list[str]], list[str]], rows: int = 3) -> list[DataFile]:
    """A dtks drop's files where the anggota text lines are edited (the keluarga file is good)."""
    return [good_file(DTKS_KELUARGA), csv_text_file(DTKS_ANGGOTA, lines_edit(csv_lines(DTKS_ANGGOTA)), rows)]


def secret_row(line: str) -> str:
    return line.replace("3201014101910002", SECRET_NIK)


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    deliver: Callable[[LandingZone, str, str], Path]
    reason: str
    drop_id: str | None = None


def _edit(edit: Callable[[dict], None], kind: str = "full") -> Callable[[LandingZone, str, str], Path]:
    return lambda z, source, drop_id: z.deliver(source, drop_id, kind, edit_manifest=edit)


def _files(files: Callable[[], list[DataFile]]) -> Callable[[LandingZone, str, str], Path]:
    return lambda z, source, drop_id: z.deliver(source, drop_id, files=files())


def _delete_after(name: str) -> Callable[[LandingZone, str, str], Path]:
    def deliver(z: LandingZone, source: str, drop_id: str) -> Path:
        folder = z.deliver(source, drop_id)
        (folder / name).unlink()
        return folder

    return deliver


def _set_file(index: int, **fields: object) -> Callable[[dict], None]:
    return lambda m: m["files"][index].update(fields)


CASES = [
    Case(
        "not json",
        "dtks",
        lambda z, s, d: z.deliver(s, d, manifest_bytes=b'{"source": "dtks", '),
        "manifest.json is not valid JSON",
    ),
    Case("json array", "dtks", lambda z, s, d: z.deliver(s, d, manifest_bytes=b"[]"), "not a JSON object"),
    Case("missing kind", "dtks", _edit(lambda m: m.pop("kind")), "manifest.json is missing field(s): kind"),
    Case(
        "missing extracted_at and files",
        "dtks",
        _edit(lambda m: (m.pop("extracted_at"), m.pop("files"))),
        "missing field(s): extracted_at, files",
    ),
    Case(
        "file entry without rows",
        "dtks",
        _edit(lambda m: m["files"][1].pop("rows")),
        "manifest.json: file #2 is missing field(s): rows",
    ),
    Case(
        "rows not an integer",
        "dtks",
        _edit(_set_file(1, rows="3")),
        "anggota.csv': rows must be a non-negative integer",
    ),
    Case("sha256 not hex", "dtks", _edit(_set_file(0, sha256="abc")), "sha256 must be 64 hexadecimal digits"),
    Case(
        "extracted_at not a timestamp",
        "dtks",
        _edit(lambda m: m.update(extracted_at="kemarin")),
        "extracted_at 'kemarin' is not an ISO 8601 timestamp",
    ),
    Case(
        "file listed twice",
        "dtks",
        _edit(lambda m: m["files"].append(dict(m["files"][1]))),
        "lists file 'anggota.csv' more than once",
    ),
    Case(
        "source of another folder",
        "dtks",
        _edit(lambda m: m.update(source="p3ke")),
        "manifest.json names source 'p3ke' but the drop is in folder dtks/",
    ),
    Case(
        "drop_id of another folder",
        "dtks",
        _edit(lambda m: m.update(drop_id="20990101")),
        "manifest.json names drop_id '20990101'",
    ),
    Case(
        "bad drop_id format",
        "dtks",
        lambda z, s, d: z.deliver(s, d),
        "drop_id '2026-01-13' is not a valid YYYYMMDD or YYYYMMDDTHHMM",
        drop_id="2026-01-13",
    ),
    Case(
        "drop_id not a real date",
        "dtks",
        lambda z, s, d: z.deliver(s, d),
        "drop_id '20261331' is not a valid",
        drop_id="20261331",
    ),
    Case("unknown kind", "dtks", _edit(lambda m: m.update(kind="weekly")), "kind 'weekly' is unknown"),
    Case(
        "delta for dtks",
        "dtks",
        _edit(lambda m: m.update(kind="delta")),
        "kind delta is not delivered by dtks (only full drops)",
    ),
    Case(
        "listed file missing",
        "dtks",
        _delete_after("anggota.csv"),
        "anggota.csv: listed in the manifest but missing from the drop folder",
    ),
    Case(
        "sha256 differs",
        "dtks",
        _edit(_set_file(1, sha256="0" * 64)),
        "anggota.csv: sha256 differs from manifest",
    ),
    Case(
        "row count differs",
        "dtks",
        _edit(_set_file(1, rows=4)),
        "anggota.csv: row count differs: 3 rows, manifest says 4",
    ),
    Case(
        "path separator",
        "dtks",
        _edit(_set_file(1, name="sub/anggota.csv")),
        "file name 'sub/anggota.csv' holds a path separator or '..'",
    ),
    Case(
        "parent folder",
        "dtks",
        _edit(_set_file(1, name="../anggota.csv")),
        "file name '../anggota.csv' holds a path separator or '..'",
    ),
    Case(
        "backslash",
        "dtks",
        _edit(_set_file(1, name="..\\x\\anggota.csv")),
        "holds a path separator or '..'",
    ),
    Case(
        "line break in a listed file name",
        "dtks",
        _edit(_set_file(1, name="anggota\r\n.csv")),
        "anggota??.csv: listed in the manifest but missing from the drop folder",
    ),
    Case(
        "unknown entity",
        "dtks",
        _edit(_set_file(1, entity="tanah")),
        "anggota.csv: entity 'tanah' is unknown for dtks full drops (expected keluarga, anggota)",
    ),
    Case(
        "required entity absent from a full drop",
        "dtks",
        _files(lambda: [good_file(DTKS_KELUARGA)]),
        "entity anggota absent: a full dtks drop must hold keluarga, anggota",
    ),
    Case(
        "delta entity in a dukcapil full",
        "dukcapil",
        _files(
            lambda: [good_file(entity("dukcapil", "penduduk")), good_file(entity("dukcapil", "peristiwa"))]
        ),
        "peristiwa.csv: entity 'peristiwa' is unknown for dukcapil full drops",
    ),
    Case(
        "required column missing",
        "dtks",
        _files(
            lambda: anggota_with(
                lambda lines: [";".join(f for i, f in enumerate(line.split(";")) if i != 2) for line in lines]
            )
        ),
        "anggota.csv: required column(s) missing: NIK",
    ),
    Case(
        "header names a column twice",
        "dtks",
        _files(lambda: anggota_with(lambda lines: [lines[0] + ";nik", *[line + ";x" for line in lines[1:]]])),
        "anggota.csv: header: column nik appears more than once",
    ),
    Case(
        "bad utf-8",
        "dtks",
        _files(
            lambda: [
                good_file(DTKS_KELUARGA),
                csv_text_file(
                    DTKS_ANGGOTA,
                    [],
                    3,
                    raw=("\n".join(csv_lines(DTKS_ANGGOTA)[:2]) + "\n").encode()
                    + secret_row(csv_lines(DTKS_ANGGOTA)[2]).encode().replace(b"JL.", b"JL\xff")
                    + b"\n"
                    + csv_lines(DTKS_ANGGOTA)[3].encode()
                    + b"\n",
                ),
            ]
        ),
        "anggota.csv: row 2: not valid utf-8 text",
    ),
    Case(
        "broken quoting",
        "dtks",
        _files(
            lambda: anggota_with(lambda ls: [ls[0], ls[1], secret_row(ls[2]).replace(";JL.", ';"JL.'), ls[3]])
        ),
        "anggota.csv: row 2: broken CSV quoting",
    ),
    Case(
        "text after a closing quote",
        "dtks",
        _files(lambda: anggota_with(lambda ls: [ls[0], ls[1], ls[2], ls[3].replace(";JL.", ';"JL"x.')])),
        "anggota.csv: row 3: broken CSV quoting",
    ),
    Case(
        "wrong field count",
        "dtks",
        _files(lambda: anggota_with(lambda ls: [ls[0], secret_row(ls[1]) + ";extra", ls[2], ls[3]])),
        "anggota.csv: row 1: wrong field count (10 fields, the header has 9)",
    ),
    Case(
        "empty file",
        "dtks",
        _files(lambda: [good_file(DTKS_KELUARGA), csv_text_file(DTKS_ANGGOTA, [], 0, raw=b"")]),
        "anggota.csv: empty file, no header row",
    ),
    Case(
        "truncated gzip",
        "p3ke",
        _files(
            lambda: [
                good_file(P3KE_KELUARGA),
                DataFile("individu.csv.gz", "individu", good_file(P3KE_INDIVIDU, 50).content[:-12], 50),
            ]
        ),
        "individu.csv.gz: not a valid gzip file",
    ),
    Case(
        "gzip source sent plain text",
        "p3ke",
        _files(
            lambda: [
                good_file(P3KE_KELUARGA),
                DataFile(
                    "individu.csv.gz", "individu", ("\n".join(csv_lines(P3KE_INDIVIDU)) + "\n").encode(), 3
                ),
            ]
        ),
        "individu.csv.gz: not a valid gzip file",
    ),
    Case(
        "unreadable parquet",
        "regsosek",
        _files(
            lambda: [good_file(REGSOSEK_RT), DataFile("individu.parquet", "individu", b"PAR1 not really", 3)]
        ),
        "individu.parquet: cannot be read as Parquet",
    ),
    Case(
        # (a code or a date that will not cast breaks a row rule instead: tests/validate/test_hand_built_drops.py)
        "parquet number that will not cast",
        "regsosek",
        _files(
            lambda: [
                DataFile(
                    "rumah_tangga.parquet",
                    "rumah_tangga",
                    parquet_bytes(
                        typed_table(REGSOSEK_RT, 3).set_column(
                            4, "jumlah_art", pa.array(["2", "banyak", "3"], pa.string())
                        )
                    ),
                    3,
                ),
                good_file(REGSOSEK_INDIVIDU),
            ]
        ),
        "rumah_tangga.parquet: row 2: column jumlah_art of type string cannot be cast to INTEGER",
    ),
    Case(
        "parquet column of an impossible type",
        "regsosek",
        _files(
            lambda: [
                good_file(REGSOSEK_RT),
                DataFile(
                    "individu.parquet",
                    "individu",
                    parquet_bytes(
                        typed_table(REGSOSEK_INDIVIDU, 3).set_column(
                            5, "tanggal_lahir", pa.array([True, False, True])
                        )
                    ),
                    3,
                ),
            ]
        ),
        "individu.parquet: column tanggal_lahir of type bool cannot be cast to DATE",
    ),
    Case(
        "parquet required column missing",
        "regsosek",
        _files(
            lambda: [
                good_file(REGSOSEK_RT),
                DataFile(
                    "individu.parquet",
                    "individu",
                    parquet_bytes(typed_table(REGSOSEK_INDIVIDU, 3).drop_columns(["nik"])),
                    3,
                ),
            ]
        ),
        "individu.parquet: required column(s) missing: nik",
    ),
]

GOOD = {"dtks": "20261101", "p3ke": "20261101", "regsosek": "20261101", "dukcapil": "20261101"}


def _drop_ids() -> dict[str, str]:
    """A distinct valid drop_id per case in the first months of 2026, unless the case names its own."""
    ids = {}
    for number, case in enumerate(CASES):
        ids[case.name] = case.drop_id or f"2026{1 + number // 28:02d}{1 + number % 28:02d}"
    return ids


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Extract, dg.ExecuteInProcessResult]]:
    root = tmp_path_factory.mktemp("rejections")
    zone = LandingZone(root / "landing")
    zone.root.mkdir()
    for source, drop_id in GOOD.items():
        zone.deliver(source, drop_id)
    for case in CASES:
        case.deliver(zone, case.source, _drop_ids()[case.name])
    with dg.DagsterInstance.ephemeral() as instance:
        run = Extract(zone, root / "warehouse.duckdb", instance)
        yield run, run.run()


@pytest.fixture(scope="module")
def drops(outcome: tuple[Extract, dg.ExecuteInProcessResult]) -> dict[str, tuple[str, str | None]]:
    return outcome[0].drops()


@pytest.fixture(scope="module")
def staged_rows(outcome: tuple[Extract, dg.ExecuteInProcessResult]) -> dict[str, int]:
    """Rows in any raw table, by drop key."""
    union = " UNION ALL ".join(f"SELECT source || '.' || drop_id AS drop FROM {t}" for t in all_raw_tables())
    return dict(outcome[0].query(f"SELECT drop, count(*) FROM ({union}) GROUP BY drop"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_drop_is_rejected_with_its_reason(
    case: Case, drops: dict[str, tuple[str, str | None]], staged_rows: dict[str, int]
) -> None:
    key = f"{case.source}.{_drop_ids()[case.name]}"
    status, reason = drops[key]
    assert status == "rejected"
    assert reason is not None
    assert reason.startswith(f"{key}: ")
    assert case.reason in reason
    assert "\n" not in reason
    assert SECRET_NIK not in reason
    assert key not in staged_rows


def test_good_drops_load_beside_the_rejected(
    outcome: tuple[Extract, dg.ExecuteInProcessResult],
    drops: dict[str, tuple[str, str | None]],
    staged_rows: dict[str, int],
) -> None:
    assert outcome[1].success
    good = {f"{s}.{d}" for s, d in GOOD.items()}
    assert {key for key, (status, _) in drops.items() if status == "loaded"} == good
    assert staged_rows == {
        "dtks.20261101": 6,
        "p3ke.20261101": 6,
        "regsosek.20261101": 6,
        "dukcapil.20261101": 3,
    }
    assert len(drops) == len(GOOD) + len(CASES)


def test_rejected_drops_keep_rows_in_when_the_manifest_was_readable(
    outcome: tuple[Extract, dg.ExecuteInProcessResult],
) -> None:
    run, _ = outcome
    rows = dict(
        run.query(
            "SELECT source || '.' || drop_id, rows_in FROM work.drop WHERE status = 'rejected' "
            "AND rows_loaded = 0 AND rows_quarantined = 0"
        )
    )
    assert rows[f"dtks.{_drop_ids()['sha256 differs']}"] == 6
    assert rows[f"dtks.{_drop_ids()['not json']}"] is None
    assert len(rows) == len(CASES)


def test_integrity_check_names_rejected_drops_without_blocking(
    outcome: tuple[Extract, dg.ExecuteInProcessResult],
) -> None:
    _, result = outcome
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    integrity = checks["drop_integrity"]
    assert not integrity.passed
    assert integrity.severity == dg.AssetCheckSeverity.ERROR
    assert not integrity.blocking
    assert f"dtks.{_drop_ids()['sha256 differs']}" in integrity.metadata["rejected drops"].value
    assert SECRET_NIK not in (integrity.description or "")
    assert checks["raw_rows_match_manifests"].passed


def test_no_personal_data_in_logs_or_metadata(outcome: tuple[Extract, dg.ExecuteInProcessResult]) -> None:
    _, result = outcome
    text = " ".join(str(event) for event in result.all_events)
    assert SECRET_NIK not in text
    assert "JL. MELATI" not in text
