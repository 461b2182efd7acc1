"""The two commands of the contract, end to end, as an operator runs them: ``sejahtera generate`` then
``sejahtera run`` in fresh processes, on tmp paths, judged against the generator's ground truth.

One landing zone is generated and run once for the module; the tests read what that run published, then the
last tests deliver more drops and run again.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from support.cli import Operator
from support.contract import CONTRACT_COLUMNS

pytestmark = pytest.mark.slow


class Zone(Operator):
    """An operator's machine whose warehouse is named like a schema, with the generator's ground truth."""

    def __init__(self, root: Path) -> None:
        # Named like one of its schemas on purpose: the contract says the code must not depend on the name.
        super().__init__(root, warehouse_name="registry.duckdb")
        self.truth = self.landing / "ground_truth"

    def truth_table(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.truth / f"{name}.parquet")


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Zone:
    zone = Zone(tmp_path_factory.mktemp("operator"))
    zone.generate(households=150, seed=11)
    assert "Registry" in zone.run().stdout
    return zone


def test_the_run_shows_in_the_instance_run_history(zone):
    import dagster as dg

    with dg.DagsterInstance.from_config(str(zone.dagster_home)) as instance:
        runs = instance.get_runs()
    assert [r.job_name for r in runs] == ["nightly"]
    assert runs[0].status == dg.DagsterRunStatus.SUCCESS


def test_every_contract_table_is_published_with_its_columns_first(zone):
    for table, columns in CONTRACT_COLUMNS.items():
        published = list(zone.frame(f"SELECT * FROM {table} LIMIT 0").columns)
        assert published[: len(columns)] == columns, table


def test_every_drop_is_applied_and_accounted_for(zone):
    ledger = zone.frame("SELECT * FROM ops.drop_ledger")
    assert set(ledger["status"]) == {"applied"}
    assert len(ledger) == len(list(zone.landing.glob("*/*/manifest.json")))
    assert (ledger["rows_in"] == ledger["rows_loaded"] + ledger["rows_quarantined"]).all()


def test_quarantine_holds_exactly_the_injected_defects(zone):
    key = ["source", "drop_id", "file", "row_number", "rule"]
    expected = zone.truth_table("row_defects")[key].astype({"row_number": "int64"})
    got = zone.frame("SELECT source, drop_id, file, row_number, rule FROM quality.quarantine")
    expected_rows = set(map(tuple, expected.astype(str).values))
    got_rows = set(map(tuple, got.astype(str).values))
    assert got_rows == expected_rows


def test_nothing_is_lost_every_record_is_linked_or_quarantined(zone):
    records = pd.concat(
        [
            zone.truth_table("person_records").assign(entity="person"),
            zone.truth_table("household_records").assign(entity="household"),
        ]
    )
    # Dukcapil events are not records of the registry: their persons are, one link per NIK.
    records = records[~records["file"].str.startswith("peristiwa")]
    quarantined = zone.frame("SELECT DISTINCT source, drop_id, file, row_number FROM quality.quarantine")
    links = zone.frame("SELECT source, entity, source_record_id FROM registry.source_link")
    assert not links.duplicated().any(), "a source record is linked twice"

    merged = records.merge(
        quarantined, on=["source", "drop_id", "file", "row_number"], how="left", indicator="q"
    )
    merged = merged.merge(links, on=["source", "entity", "source_record_id"], how="left", indicator="l")
    lost = merged[(merged["q"] == "left_only") & (merged["l"] == "left_only")]
    assert lost.empty, f"{len(lost)} records neither linked nor quarantined"


def test_registry_matches_the_true_population(zone):
    persons = zone.frame("SELECT status_hidup, count(*) AS n FROM registry.person GROUP BY 1")
    truth = zone.truth_table("persons")
    by_status = dict(zip(persons["status_hidup"], persons["n"], strict=True))
    assert by_status["MATI"] == int((~truth["alive"]).sum())
    assert abs(by_status["HIDUP"] - int(truth["alive"].sum())) <= 0.01 * len(truth)
    dead_counted = zone.frame(
        """SELECT count(*) AS n FROM registry.household h
           WHERE jumlah_anggota <> (SELECT count(*) FROM registry.person p
                                    WHERE p.household_id = h.household_id AND p.status_hidup = 'HIDUP')"""
    )
    assert dead_counted["n"][0] == 0


def test_no_raw_personal_data_in_output_or_dagster_storage(zone):
    niks = set(zone.truth_table("persons")["nik"].dropna())
    kks = set(zone.truth_table("households")["no_kk"].dropna())
    sixteen_digits = re.compile(r"(?<!\d)\d{16}(?!\d)")

    def leaked(text: str) -> set[str]:
        return {m for m in sixteen_digits.findall(text) if m in niks or m in kks}

    for output in zone.outputs:
        assert not leaked(output)
    for path in zone.dagster_home.rglob("*"):
        if path.is_file():
            assert not leaked(path.read_bytes().decode("utf-8", "replace")), path.name


def test_a_run_with_no_new_drops_changes_nothing(zone):
    before = hashlib.sha256(zone.warehouse.read_bytes()).hexdigest()
    again = zone.sejahtera("run")
    assert again.returncode == 0, again.stderr[-2000:]
    assert hashlib.sha256(zone.warehouse.read_bytes()).hexdigest() == before
    assert "Registry" in again.stdout  # the summary, as after every good run


def test_the_run_with_nothing_new_is_a_nightly_run_of_the_landing_look_and_the_exports(zone):
    """Found before the run started (pipelines/quiet_night.py): the history still shows the night's run."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(zone.dagster_home)) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name="nightly"))
        steps = {s.step_key for s in instance.get_run_step_stats(runs[0].run_id)}
    assert len(runs) == 2 and runs[0].status == dg.DagsterRunStatus.SUCCESS
    assert runs[0].asset_selection == {dg.AssetKey("landed_drops"), dg.AssetKey("province_exports")}
    assert {"landed_drops", "province_exports"} <= steps
    assert not runs[1].asset_selection  # the first night ran the whole job (no selection)


def _write_drop(
    folder: Path, source: str, drop_id: str, kind: str, files: dict[str, tuple[str, str]]
) -> None:
    """Deliver a drop: data files first, manifest last; ``files`` maps name -> (entity, CSV text)."""
    folder.mkdir(parents=True)
    listed = []
    for name, (entity, text) in files.items():
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        rows = len(pd.read_csv(folder / name, dtype=str, keep_default_na=False, sep=None, engine="python"))
        listed.append(
            {"name": name, "entity": entity, "rows": rows, "sha256": hashlib.sha256(data).hexdigest()}
        )
    manifest = {
        "source": source,
        "drop_id": drop_id,
        "kind": kind,
        "extracted_at": f"{drop_id[:4]}-{drop_id[4:6]}-{drop_id[6:8]}T18:00:00+07:00",
        "files": listed,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_death_in_a_new_delta_is_applied_and_a_corrupt_drop_is_rejected_alone(zone):
    """The next night: a Dukcapil delta with one death, and a DTKS drop whose file does not match its manifest."""
    victim = zone.frame(
        """SELECT p.person_id, p.nik, p.household_id, h.jumlah_anggota
           FROM registry.person p JOIN registry.household h USING (household_id)
           WHERE p.status_hidup = 'HIDUP' AND p.nik_status = 'padan' AND h.jumlah_anggota >= 2
           ORDER BY p.person_id LIMIT 1"""
    ).iloc[0]
    ids_before = zone.frame("SELECT person_id, nik FROM registry.person WHERE nik IS NOT NULL")

    header = (
        "id_peristiwa,jenis_peristiwa,tanggal_peristiwa,nik,no_kk,nama_lengkap,jenis_kelamin,"
        "tempat_lahir,tanggal_lahir,kode_wilayah,alamat\n"
    )
    _write_drop(
        zone.landing / "dukcapil" / "20261128",
        "dukcapil",
        "20261128",
        "delta",
        {"peristiwa.csv": ("peristiwa", header + f"EV-E2E-1,MATI,2026-11-28,{victim['nik']},,,,,,,\n")},
    )
    bad = zone.landing / "dtks" / "20261128"
    source = next((zone.landing / "dtks").glob("2026*/"))
    bad.mkdir(parents=True)
    for name in ("keluarga.csv", "anggota.csv"):
        (bad / name).write_bytes((source / name).read_bytes())
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["drop_id"] = "20261128"
    manifest["files"][0]["sha256"] = "0" * 64
    (bad / "manifest.json").write_text(json.dumps(manifest))

    ran = zone.sejahtera("run")
    assert ran.returncode == 0, ran.stderr[-3000:]

    ledger = zone.frame(
        "SELECT source, drop_id, status, reason FROM ops.drop_ledger WHERE drop_id = '20261128'"
    )
    status = dict(zip(ledger["source"], ledger["status"], strict=True))
    assert status == {"dukcapil": "applied", "dtks": "rejected"}
    assert "sha256" in ledger.loc[ledger["source"] == "dtks", "reason"].iloc[0]

    after = zone.frame(
        "SELECT status_hidup, tanggal_meninggal, household_id FROM registry.person WHERE person_id = ?",
        [victim["person_id"]],
    ).iloc[0]
    assert after["status_hidup"] == "MATI"
    assert after["tanggal_meninggal"].date() == date(2026, 11, 28)
    members = zone.frame(
        "SELECT jumlah_anggota FROM registry.household WHERE household_id = ?", [victim["household_id"]]
    )
    assert members["jumlah_anggota"][0] == victim["jumlah_anggota"] - 1

    ids_after = zone.frame("SELECT person_id, nik FROM registry.person WHERE nik IS NOT NULL")
    kept = ids_before.merge(ids_after, on="nik", suffixes=("_before", "_after"))
    assert len(kept) == len(ids_before)
    assert (kept["person_id_before"] == kept["person_id_after"]).all()

    died = zone.frame(
        "SELECT count(*) AS n FROM registry.changelog WHERE entity_id = ? AND change = 'died'",
        [victim["person_id"]],
    )
    assert died["n"][0] == 1
