"""Runs as the contract (sections 1, 3 and 5) describes them, through ``sejahtera run`` in fresh processes.

Night 1 brings only a drop that is rejected whole: the run succeeds (exit 0), the ledger says why, and the
registry's tables are there, empty. Night 2 brings good drops. Night 3 brings a death, and the publish fails half-way (a fault
injected into the one transaction): the run exits non-zero and the registry of night 2 stays whole; the next run
applies the death.
"""

from __future__ import annotations

import pandas as pd
import pytest
from support.agency_drops import Citizen, Family, Member, Zone, background, event
from support.identities import kk, nik

pytestmark = pytest.mark.slow

DEAD = nik("1950-05-05", "L", 1)
REGISTRY = ("registry.person", "registry.household", "registry.source_link", "ops.drop_ledger")

FAULTY_PUBLISH = """
import sys
from sejahtera import warehouse
from pipelines.cli import main

publish = warehouse.publish

def publish_with_a_fault(con, publications, *guards):
    # The fault: half of this run's tables are written, then the next one cannot be.
    half = len(publications) // 2
    broken = [*publications[:half], warehouse.Publication("registry.zz_fault", "work.no_such_table", "replace"),
              *publications[half:]]
    return publish(con, broken, *guards)

warehouse.publish = publish_with_a_fault
sys.exit(main(["run"]))
"""


def _tables(zone: Zone) -> dict[str, pd.DataFrame]:
    return {t: zone.frame(f"SELECT * FROM {t} ORDER BY ALL") for t in REGISTRY}


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Zone:
    return Zone(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def night_one(zone: Zone):
    # Every household in a village code no decree knows: all rows break a row rule, the drop is rejected whole.
    zone.dtks(
        "20261101",
        [
            Family(f"D{i}", kk(i), "9999999999", [Member(f"D{i}-1", None, "BUDI", "L", "1980-01-01")])
            for i in range(5)
        ],
    )
    return zone.sejahtera("run")


def test_a_first_night_with_only_a_rejected_drop_succeeds_and_says_why(zone: Zone, night_one) -> None:
    assert night_one.returncode == 0, night_one.stderr[-3000:]
    assert "Traceback" not in night_one.stdout + night_one.stderr
    ledger = zone.frame("SELECT * FROM ops.drop_ledger")
    assert ledger[["source", "drop_id", "status"]].values.tolist() == [["dtks", "20261101", "rejected"]]
    assert "row rules" in ledger.loc[0, "reason"]
    for table in ("registry.person", "registry.household", "registry.source_link"):
        assert zone.query(f"SELECT count(*) FROM {table}") == [(0,)]
    columns = zone.frame("SELECT * FROM registry.household").columns
    assert list(columns[:3]) == ["household_id", "no_kk", "kode_wilayah"]


@pytest.fixture(scope="module")
def night_two(zone: Zone, night_one):
    town = background(households=120, seed=8)
    town.citizens.append(Citizen(DEAD, "SUPARDI", "L", "1950-05-05", kk(1)))
    town.dtks.append(Family("DX", kk(1), "3201011001", [Member("DX-1", DEAD, "SUPARDI", "L", "1950-05-05")]))
    zone.dukcapil_full("20261102", town.citizens)
    zone.dtks("20261102", town.dtks)
    zone.regsosek("20261102", town.regsosek)
    zone.p3ke("20261102", town.p3ke)
    zone.run()
    return _tables(zone)


def test_the_next_night_s_good_drops_publish_the_registry(zone: Zone, night_two) -> None:
    assert len(night_two["registry.person"]) > 300
    assert zone.person(zone.person_of("dtks", "DX-1"))["status_hidup"] == "HIDUP"


def test_a_failure_mid_publish_leaves_the_previous_registry_whole_and_fails_the_run(
    zone: Zone, night_two
) -> None:
    zone.dukcapil_delta("20261103", [event("E1", "MATI", "2026-11-03", DEAD)])
    failed = zone.script(FAULTY_PUBLISH)
    assert failed.returncode != 0
    assert "previously published registry is unchanged" in failed.stderr
    after = _tables(zone)
    for table in REGISTRY:
        pd.testing.assert_frame_equal(after[table], night_two[table], obj=table)

    zone.run()  # the same drop, looked at again by the next run, now applies
    assert zone.person(zone.person_of("dukcapil", DEAD))["status_hidup"] == "MATI"
    ledger = zone.frame("SELECT drop_id, status FROM ops.drop_ledger WHERE drop_id = '20261103'")
    assert ledger.values.tolist() == [["20261103", "applied"]]


def test_no_run_printed_a_raw_nik_or_name(zone: Zone, night_two) -> None:
    printed = "\n".join(zone.outputs)
    assert DEAD not in printed and "SUPARDI" not in printed
