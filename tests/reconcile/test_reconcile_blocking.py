"""Blocking recall on hand-made hard cases: a record whose NIK is unusable and whose family moved is still
compared with its Dukcapil record (a pair never compared can never be linked, whatever the model says)."""

from dataclasses import replace

import pytest
from support.identities import kk, nik
from support.snapshots import VILLAGE, Snapshots, town

from assets.reconcile import standardise
from assets.reconcile.linkage import load_records, score_pairs, scratch_database
from sejahtera import warehouse

MOTHER = nik("1972-09-03", "P", 12)
FATHER = nik("1968-04-12", "L", 11)
ANOTHER_DISTRICT = "3201022001"
"""A village in another district of the spine family's regency."""


def _compared(path, model, config, record_id: str, spine_nik: str) -> bool:
    """Whether the blocking rules put the record and the Dukcapil record of ``spine_nik`` in one block."""
    every_pair = replace(config, match_probability_threshold=1e-9)
    with warehouse.connect(path) as con:
        standardise.build_records(con)
        (rid,), (spine,) = (
            con.execute("SELECT rid FROM work.person_record WHERE source_record_id = ?", [key]).fetchone()
            for key in (record_id, spine_nik)
        )
        scratch = scratch_database()
        try:
            load_records(con, scratch)
            pairs = score_pairs(scratch, model, every_pair).to_pylist()
        finally:
            scratch.close()
    return any({p["rid_l"], p["rid_r"]} == {rid, spine} for p in pairs)


def _spine() -> Snapshots:
    snaps = town()
    snaps.penduduk(FATHER, "AHMAD SURYADI", "L", "1968-04-12", kk(1))
    snaps.penduduk(MOTHER, "SITI AMINAH", "P", "1972-09-03", kk(1))
    return snaps


@pytest.mark.parametrize("nik_value", [None, "0000000000000000"], ids=["blank", "placeholder"])
def test_moved_within_the_regency_with_the_birth_year_off(
    warehouse_path, trained_model, linkage_config, nik_value
):
    snaps = _spine()
    snaps.regsosek_rt("R9", kk(9), village=ANOTHER_DISTRICT)
    snaps.regsosek_art("R9-2", "R9", nik_value, "SITTI AMINA", "P", "1973-09-03", 2)
    snaps.write(warehouse_path)
    assert _compared(warehouse_path, trained_model, linkage_config, "R9-2", MOTHER)


def test_a_family_card_mistyped_the_name_spelled_otherwise_and_the_birth_date_off(
    warehouse_path, trained_model, linkage_config
):
    # The household's KK is mistyped, so only the father's NIK ties the household to Dukcapil's family.
    snaps = _spine()
    snaps.dtks_keluarga("D1", kk(1)[:-1] + "9", village=VILLAGE)
    snaps.dtks_anggota("D1-1", "D1", FATHER, "AHMAD SURYADI", "L", "1968-04-12", 1)
    snaps.dtks_anggota("D1-2", "D1", None, "SITI AMINA", "P", "1971-03-09", 2)  # swapped and a year off
    snaps.write(warehouse_path)
    assert _compared(warehouse_path, trained_model, linkage_config, "D1-2", MOTHER)
