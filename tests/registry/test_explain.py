"""``sejahtera explain`` (and the ``explain`` job) on a family the real pipeline saw move, split and lose a member.

Three nights through ``sejahtera run`` over a contract landing zone (:mod:`contract_zone`): night 1 every agency
lists the family (DTKS says it receives PKH; Regsosek surveyed it). Night 2 Dukcapil's delta records the
grandfather's death and the son moving out to a new KK in another village (a split). Night 3 the rest of the family
moves to Central Java under a new KK. The page for the family must say all of that, section by section, masked.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import pytest
from support.agency_drops import (
    POOR_SURVEY,
    VILLAGE,
    VILLAGE_2,
    VILLAGE_JATENG,
    Citizen,
    Family,
    Member,
    Zone,
    background,
    event,
)
from support.identities import kk, nik

from assets.registry.explain.command import run_explain
from sejahtera.privacy import mask_name, mask_number

pytestmark = pytest.mark.slow

FAMILY_KK, SON_KK, MOVED_KK = kk(1), kk(60), kk(61)
PEOPLE = {  # key: (nik, name, sex, birth date, relation)
    "head": (nik("1975-01-10", "L", 1), "BUDI SANTOSO", "L", "1975-01-10", 1),
    "wife": (nik("1977-02-11", "P", 2), "SITI AMINAH", "P", "1977-02-11", 2),
    "grandpa": (nik("1945-03-12", "L", 3), "SLAMET RIYADI", "L", "1945-03-12", 6),
    "son": (nik("1999-04-13", "L", 4), "RIZKY PRATAMA", "L", "1999-04-13", 3),
    "daughter": (nik("2008-05-14", "P", 5), "DEWI SARTIKA", "P", "2008-05-14", 3),
}
N = {key: person[0] for key, person in PEOPLE.items()}
DROPS = {"death_and_split": "20261105", "move": "20261108"}
STAYERS = ("head", "wife", "daughter")


def _night_one(zone: Zone) -> None:
    town = background()
    town.citizens += [Citizen(n, nama, s, d, FAMILY_KK) for n, nama, s, d, _ in PEOPLE.values()]

    def family(record_id: str, **extra) -> Family:
        members = [
            Member(f"{record_id}-{i}", n, nama, s, d, hub)
            for i, (n, nama, s, d, hub) in enumerate(PEOPLE.values(), start=1)
        ]
        return Family(record_id, FAMILY_KK, VILLAGE, members, **extra)

    town.dtks.append(family("DA", flags={"pkh": "Y"}))
    town.regsosek.append(family("RA", survey=POOR_SURVEY))
    zone.dukcapil_full("20261101", town.citizens)
    zone.dtks("20261102", town.dtks)
    zone.regsosek("20260901", town.regsosek)
    zone.p3ke("20261001", town.p3ke)


def _night_two(zone: Zone) -> None:
    zone.dukcapil_delta(
        DROPS["death_and_split"],
        [
            event("E1", "MATI", "2026-11-03", N["grandpa"]),
            event(
                "E2",
                "PINDAH",
                "2026-11-04",
                N["son"],
                no_kk=SON_KK,
                kode_wilayah=VILLAGE_2,
                alamat="JL BARU 2",
            ),
        ],
    )


def _night_three(zone: Zone) -> None:
    zone.dukcapil_delta(
        DROPS["move"],
        [
            event(f"M{i}", "PINDAH", "2026-11-07", N[key], no_kk=MOVED_KK, kode_wilayah=VILLAGE_JATENG)
            for i, key in enumerate(STAYERS, start=1)
        ],
    )


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Zone:
    zone = Zone(tmp_path_factory.mktemp("explain"))
    for night in (_night_one, _night_two, _night_three):
        night(zone)
        zone.run()
    return zone


def _explain(zone: Zone, kind: str, identifier: str, **options) -> tuple[int, str, str]:
    """The command's behaviour in this process (fast); the command line itself is run in a few tests below."""
    out, err = io.StringIO(), io.StringIO()
    code = run_explain(kind, identifier, warehouse_path=zone.warehouse, out=out, err=err, **options)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def ids(zone: Zone) -> dict[str, str]:
    persons = {key: zone.person_of("dukcapil", n) for key, n in N.items()}
    return {**persons, "family": zone.person(persons["head"])["household_id"]}


@pytest.fixture(scope="module")
def page(zone: Zone, ids) -> dict:
    code, out, err = _explain(zone, "nik", N["head"], output_format="json")
    assert (code, err) == (0, "")
    explanation = json.loads(out)
    assert [h["household_id"] for h in explanation["households"]] == [ids["family"]]
    return explanation["households"][0]["sections"]


def _rows(section: dict, index: int = 0) -> list[dict]:
    return section["tables"][index]["rows"]


def _assert_masked(text: str) -> None:
    for n, nama, *_ in PEOPLE.values():
        assert n not in text and nama not in text
    for number in (FAMILY_KK, SON_KK, MOVED_KK):
        assert number not in text


def test_the_page_has_every_section_in_order(page) -> None:
    assert list(page) == [
        "household",
        "links",
        "provenance",
        "members",
        "welfare",
        "deciles",
        "eligibility",
        "targeting",
        "changes",
    ]


def test_household_and_persons_say_who_lives_where_masked(page, ids) -> None:
    household = page["household"]["facts"]
    assert household["household_id"] == ids["family"]
    assert (household["no_kk"], household["kode_wilayah"], household["kode_provinsi"]) == (
        mask_number(MOVED_KK),
        VILLAGE_JATENG,
        "33",
    )
    assert (household["jumlah_anggota"], household["anggota_tercatat"]) == (3, 4)
    assert household["provinsi"] == "Jawa Tengah"
    persons = {row["person_id"]: row for row in _rows(page["household"])}
    head = persons[ids["head"]]
    assert (head["nik"], head["nama"], head["nik_status"], head["member_now"]) == (
        mask_number(N["head"]),
        mask_name("BUDI SANTOSO"),
        "padan",
        True,
    )
    grandpa = persons[ids["grandpa"]]
    assert (grandpa["status_hidup"], grandpa["tanggal_meninggal"]) == ("MATI", "2026-11-03")
    son = persons[ids["son"]]
    assert son["member_now"] is False and son["household_id"] not in (None, ids["family"])
    assert son["no_kk"] == mask_number(SON_KK)


def test_links_name_every_source_record_and_the_evidence(page, ids) -> None:
    links = _rows(page["links"])
    households = {(r["source"], r["source_record_id"]) for r in links if r["entity"] == "household"}
    assert households == {("dtks", "DA"), ("regsosek", "RA")}
    head = {
        (r["source"], r["source_record_id"], r["match_method"])
        for r in links
        if r["registry_id"] == ids["head"]
    }
    assert head == {
        ("dukcapil", mask_number(N["head"]), "dukcapil"),
        ("dtks", "DA-1", "nik_padan"),
        ("regsosek", "RA-1", "nik_padan"),
    }
    evidence = [r for r in _rows(page["links"], 1) if r["person_id"] == ids["head"]]
    assert len(evidence) == 2 and all("nik: same NIK" in r["evidence"] for r in evidence)
    household_methods = {r["match_method"] for r in links if r["entity"] == "household"}
    assert household_methods and household_methods <= {"head", "kk", "members", "no_kk", "single_record"}
    assert {note.split(":")[0] for note in page["links"]["notes"]} >= household_methods
    reasons = [r for r in _rows(page["links"], 1) if r["record"] in ("dtks DA", "regsosek RA")]
    assert len(reasons) == 2 and all(r["evidence"] for r in reasons)


def test_provenance_names_the_drop_file_and_row_of_the_new_address(page, ids) -> None:
    rows = {(r["entity"], r["registry_id"], r["field"]): r for r in _rows(page["provenance"])}
    address = rows[("household", ids["family"], "kode_wilayah")]
    assert (address["source"], address["drop_id"], address["file"]) == (
        "dukcapil",
        DROPS["move"],
        "peristiwa.csv",
    )
    assert address["row_number"] >= 1 and address["source_record_id"].count("*") == 8
    survey = rows[("household", ids["family"], "survey_record")]
    assert (survey["source"], survey["source_record_id"]) == ("regsosek", "RA")


def test_members_over_time_show_the_death_the_split_and_the_move(page, ids) -> None:
    moments = _rows(page["members"], 0)
    assert [(m["living"], m["recorded"]) for m in moments] == [(5, 5), (3, 4), (3, 4)]
    assert f"{ids['grandpa']} (MATI)" in moments[1]["members"] and ids["son"] not in moments[1]["members"]
    versions = _rows(page["members"], 1)
    assert [v["kode_wilayah"] for v in versions] == [VILLAGE, VILLAGE, VILLAGE_JATENG]
    assert versions[-1]["no_kk"] == mask_number(MOVED_KK) and versions[-1]["valid_to"] is None
    son = [v for v in _rows(page["members"], 2) if v["person_id"] == ids["son"]]
    assert [v["household_id"] == ids["family"] for v in son] == [True, False]


def test_welfare_contributions_add_up_to_the_published_score(page, zone, ids) -> None:
    welfare = page["welfare"]
    published = zone.household(ids["family"])["welfare_score"]
    assert welfare["facts"]["welfare_score"] == published
    assert welfare["facts"]["welfare_source"] == "regsosek"
    rows = {r["feature"]: r for r in _rows(welfare)}
    assert sum(r["contribution"] for r in rows.values()) == pytest.approx(published, abs=1e-3)
    assert rows["household_size"]["input"] == 3  # living members only: the dead grandfather does not count
    assert (
        rows["electricity"]["input"] == POOR_SURVEY["daya_listrik_va"]
        and rows["electricity"]["goodness"] == 0
    )
    weights = sum(r["weight"] for r in rows.values())
    size = rows["household_size"]
    assert size["contribution"] == pytest.approx(100 * size["weight"] * size["goodness"] / weights)


def test_deciles_and_eligibility_match_the_published_household(page, zone, ids) -> None:
    household = zone.household(ids["family"])
    deciles = page["deciles"]["facts"]
    for level in ("nasional", "provinsi", "kabupaten"):
        assert deciles[f"desil_{level}"] == household[f"desil_{level}"]
    assert deciles["provinsi"] == "33 Jawa Tengah" and deciles["ranked_provinsi"] >= 1
    eligibility = {r["programme"]: r for r in _rows(page["eligibility"])}
    assert set(eligibility) == {"pkh", "bpnt", "pbi"}
    for programme, row in eligibility.items():
        assert row["eligible"] == household[f"eligible_{programme}"]
        assert f"desil_nasional {household['desil_nasional']}" in row["reason"]
    assert "dtks DA" in eligibility["pkh"]["received_per"]


def test_the_dead_grandfather_on_a_receiving_dtks_record_is_a_targeting_error(page, ids) -> None:
    errors = _rows(page["targeting"])
    dead = [e for e in errors if e["reason"] == "dead_listed"]
    assert [(e["person_id"], e["source"], e["source_record_id"]) for e in dead] == [
        (ids["grandpa"], "dtks", "DA-3")
    ]
    assert dead[0]["nik_masked"] == mask_number(N["grandpa"])


def test_changes_name_the_run_and_the_drop_behind_each(page, ids) -> None:
    changes = _rows(page["changes"])
    by_what = {(c["entity_id"], c["change"]): c for c in changes}
    died = by_what[(ids["grandpa"], "died")]
    assert f"dukcapil.{DROPS['death_and_split']}" in died["drops_applied"]
    assert DROPS["death_and_split"] in died["reason"]
    left = by_what[(ids["son"], "household_changed")]
    assert (
        left["old_value"] == ids["family"] and f"dukcapil.{DROPS['death_and_split']}" in left["drops_applied"]
    )
    moved = by_what[(ids["family"], "moved")]
    assert (moved["old_value"], moved["new_value"]) == (VILLAGE, VILLAGE_JATENG)
    assert f"dukcapil.{DROPS['move']}" in moved["drops_applied"]
    assert len({c["run_id"] for c in changes}) == 3


def test_the_command_line_prints_the_text_page_with_the_same_sections_masked(zone, ids) -> None:
    result = zone.sejahtera("explain", "--kk", MOVED_KK)
    code, out, err = result.returncode, result.stdout, result.stderr
    assert (code, err) == (0, "")
    assert out.startswith(
        f"sejahtera explain: KK {mask_number(MOVED_KK)} -> household {ids['family']} (masked)"
    )
    for title in (
        "Household and persons",
        "Linked source records and why",
        "Where each published value came from",
        "Members over time",
        "Welfare score",
        "Deciles",
        "Programme eligibility",
        "Targeting errors",
        "History of changes",
    ):
        assert f"== {title} ==" in out
    assert mask_number(N["head"]) in out and mask_name("SITI AMINAH") in out
    _assert_masked(out)


def test_json_is_masked_too(zone) -> None:
    code, out, _ = _explain(zone, "nik", N["son"], output_format="json")
    assert code == 0 and json.loads(out)["masked"] is True
    _assert_masked(out)


UNKNOWN_NIK = nik("1990-01-01", "L", 999)


def test_an_unknown_nik_on_the_command_line_gets_one_line_and_exit_2(zone) -> None:
    result = zone.sejahtera("explain", "--nik", UNKNOWN_NIK)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"sejahtera explain: no household in the published registry for NIK {mask_number(UNKNOWN_NIK)}\n"
    )


@pytest.mark.parametrize(
    ("kind", "identifier", "says"),
    [("kk", kk(999), f"KK {mask_number(kk(999))}"), ("household", "H999999999", "household id H999999999")],
)
def test_an_unknown_kk_or_household_gets_one_line_and_exit_2(zone, kind, identifier, says) -> None:
    code, out, err = _explain(zone, kind, identifier)
    assert (code, out) == (2, "")
    assert err == f"sejahtera explain: no household in the published registry for {says}\n"


def test_unmask_without_an_authorisation_is_refused(zone) -> None:
    result = zone.sejahtera("explain", "--nik", N["head"], "--unmask")
    assert (result.returncode, result.stdout) == (2, "")
    assert "--authorised-by" in result.stderr and result.stderr.count("\n") == 1
    assert mask_number(N["head"]) not in _audited(zone)


def _audited(zone: Zone) -> list[str]:
    """The masked identifiers in ops.unmask_audit (the table exists only once something was unmasked)."""
    exists = zone.query(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ops' AND table_name = 'unmask_audit'"
    )
    return (
        [row[0] for row in zone.query("SELECT identifier_masked FROM ops.unmask_audit")]
        if exists[0][0]
        else []
    )


def test_unmask_with_an_authorisation_is_audited_then_shown(zone, ids) -> None:
    result = zone.sejahtera(
        "explain", "--nik", N["wife"], "--unmask", "--authorised-by", "Kepala Dinsos Bogor"
    )
    assert (result.returncode, result.stderr) == (0, "")
    out = result.stdout
    assert N["wife"] in out and "SITI AMINAH" in out and MOVED_KK in out and "UNMASKED" in out
    audit = zone.query(
        "SELECT authorised_by, identifier_kind, identifier_masked, household_ids FROM ops.unmask_audit"
    )
    assert audit == [("Kepala Dinsos Bogor", "nik", mask_number(N["wife"]), ids["family"])]


HOLD_THE_WAREHOUSE = """
import sys, time
from sejahtera import warehouse
with warehouse.connect(sys.argv[1]) as con:
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_locked_warehouse_fails_with_one_line_after_a_bounded_wait(zone) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WAREHOUSE, str(zone.warehouse), "20"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        code, out, err = _explain(zone, "household", "H000000001", wait_seconds=1.0)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert (code, out) == (1, "")
    assert "held by a running pipeline" in err and err.count("\n") == 1
    assert waited < 15


def _warehouse_resource(defs, zone: Zone):
    """The code location's own warehouse resource, pointed at the zone's file."""
    return type(defs.resources["warehouse"])(path=str(zone.warehouse))


def test_the_explain_job_writes_the_masked_page_to_log_and_metadata(zone, ids) -> None:
    import dagster as dg

    from pipelines.definitions import defs

    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("explain").execute_in_process(
        run_config={"ops": {"explain_household": {"config": {"household_id": ids["family"]}}}},
        resources={"warehouse": _warehouse_resource(defs, zone)},
        instance=instance,
    )
    assert result.success
    [output] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    metadata = output.event_specific_data.metadata
    markdown = metadata["page"].value
    assert markdown.startswith(f"# sejahtera explain: household {ids['family']} (masked)")
    assert "## Welfare score" in markdown and "## History of changes" in markdown
    assert metadata["households"].value == ids["family"]
    _assert_masked(markdown)
    [logged] = [
        e.user_message
        for e in instance.all_logs(result.run_id)
        if "== Members over time ==" in e.user_message
    ]
    assert ids["family"] in logged
    _assert_masked(logged)


def test_the_explain_job_refuses_an_unknown_identifier_with_one_masked_line(zone) -> None:
    from pipelines.definitions import defs

    unknown = nik("1990-01-01", "L", 999)
    result = defs.resolve_job_def("explain").execute_in_process(
        run_config={"ops": {"explain_household": {"config": {"nik": unknown}}}},
        resources={"warehouse": _warehouse_resource(defs, zone)},
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.event_specific_data.error.message
    assert mask_number(unknown) in message and unknown not in message
