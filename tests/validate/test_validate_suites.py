"""The suites in ``expectations/`` are reviewed files that load in GX, cover every rule the declarations call
for, define shared rules once (parameters), and are the ones that run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.work_area import TODAY, dtks_anggota, dtks_keluarga, run_gate

from assets.validate import identity_warnings
from assets.validate.derived import EntityFrame
from assets.validate.gx_runner import GxRunner, ValidationError
from assets.validate.suites import EXPECTATIONS_DIR, SuiteError, draft_suite, read_suite, suite_columns
from sejahtera.rules import row_rules
from sejahtera.rules.nik import KK_PATTERN, NIK_PATTERN
from sejahtera.sources import SOURCES

FRAMES = [EntityFrame(s, e) for s in SOURCES.values() for e in s.all_entities]


def test_one_suite_per_source_and_entity_and_nothing_else():
    names = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))
    assert names == sorted(f.suite_name for f in FRAMES)
    assert len(names) == 8


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.suite_name)
def test_suites_load_in_gx_and_every_expectation_names_its_rule_or_warning(frame):
    import great_expectations as gx

    from assets.validate import reference_expectation  # noqa: F401  (registers the custom expectation)

    data = json.loads((EXPECTATIONS_DIR / f"{frame.suite_name}.json").read_text())
    suite = gx.ExpectationSuite(**data)
    assert suite.name == frame.suite_name and len(suite.expectations) == len(data["expectations"]) > 0
    for expectation in data["expectations"]:
        meta = expectation["meta"]
        assert (meta.get("rule") in row_rules.ALL) != (meta.get("warning") in identity_warnings.ALL), (
            expectation
        )
    # the suite only reads columns the validation frame has
    assert all(frame.has_column(c) for c in suite_columns(data))


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.suite_name)
def test_suites_cover_every_rule_and_warning_the_declarations_call_for(frame):
    """A reviewer may add expectations or reword notes; dropping one the adapter calls for fails here."""

    def signature(expectation):
        kwargs = {k: v for k, v in expectation["kwargs"].items() if k not in ("value_set",)}
        meta = expectation["meta"]
        return (
            expectation["type"],
            json.dumps(kwargs, sort_keys=True),
            meta.get("rule"),
            meta.get("warning"),
        )

    on_file = {signature(e) for e in read_suite(EXPECTATIONS_DIR, frame.suite_name)["expectations"]}
    wanted = {signature(e) for e in draft_suite(frame)["expectations"]}
    assert wanted - on_file == set()


def test_shared_rules_are_parameters_not_copies():
    text = "".join(p.read_text() for p in EXPECTATIONS_DIR.glob("*.json"))
    assert NIK_PATTERN not in text and KK_PATTERN not in text
    assert '"$PARAMETER": "nik_pattern"' in text and '"$PARAMETER": "oldest_birth_date"' in text
    # the Kemendagri lists are named references, never inlined
    assert "3201011001" not in text and '"reference": "kemendagri_villages"' in text


def test_code_sets_in_the_suites_are_the_declared_ones():
    for frame in FRAMES:
        data = read_suite(EXPECTATIONS_DIR, frame.suite_name)
        for e in data["expectations"]:
            if (
                e["type"] == "expect_column_values_to_be_in_set"
                and e["meta"].get("rule") == "code_not_in_set"
            ):
                assert e["kwargs"]["value_set"] == list(frame.entity.column(e["kwargs"]["column"]).values)


def _copy_suites(tmp_path: Path) -> Path:
    copy = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, copy)
    return copy


def test_a_suite_edited_in_a_copy_changes_what_is_quarantined(work_area, tmp_path):
    """Relationship code 9 is quarantined by the suites on file; a reviewed edit that allows it loads it."""
    copy = _copy_suites(tmp_path)
    path = copy / "dtks.anggota.json"
    data = json.loads(path.read_text())
    for e in data["expectations"]:
        if e["kwargs"].get("column") == "hub_kel":
            e["kwargs"]["value_set"].append("9")
    path.write_text(json.dumps(data))

    work_area.add_drop(
        "dtks",
        "20261115",
        {"keluarga": [dtks_keluarga("K1")], "anggota": [dtks_anggota("A1", "K1", HUB_KEL="9")]},
    )
    run_gate(work_area, expectations_dir=copy)
    assert work_area.quarantine() == set()
    assert work_area.query("SELECT hub_kel FROM work.accepted_dtks_anggota") == [(9,)]


def test_the_suites_on_file_quarantine_it(work_area):
    work_area.add_drop(
        "dtks",
        "20261115",
        {"keluarga": [dtks_keluarga("K1")], "anggota": [dtks_anggota("A1", "K1", HUB_KEL="9")]},
    )
    run_gate(work_area)
    assert work_area.quarantine() == {("anggota.csv", 1, "code_not_in_set")}


def test_an_expectation_removed_from_a_copy_no_longer_runs(work_area, tmp_path):
    copy = _copy_suites(tmp_path)
    path = copy / "dtks.keluarga.json"
    data = json.loads(path.read_text())
    data["expectations"] = [e for e in data["expectations"] if e["meta"].get("rule") != "control_character"]
    path.write_text(json.dumps(data))
    work_area.add_drop("dtks", "20261115", {"keluarga": [dtks_keluarga("K1", ALAMAT="A\x07")], "anggota": []})
    run_gate(work_area, expectations_dir=copy)
    assert work_area.quarantine() == set()


def test_a_broken_suite_stops_the_gate_with_a_clear_message(work_area, tmp_path):
    copy = _copy_suites(tmp_path)
    path = copy / "dtks.keluarga.json"
    data = json.loads(path.read_text())
    data["expectations"][0]["meta"] = {}
    path.write_text(json.dumps(data))
    work_area.add_drop("dtks", "20261115", {"keluarga": [dtks_keluarga("K1")], "anggota": []})
    with pytest.raises(SuiteError, match=r"expectation 0 .* needs exactly one of meta.rule"):
        run_gate(work_area, expectations_dir=copy)

    data["expectations"][0]["meta"] = {"rule": "missing_record_id"}
    data["expectations"][0]["kwargs"]["column"] = "no_such_column"
    path.write_text(json.dumps(data))
    with pytest.raises(SuiteError, match="reads no_such_column, which the validation frame does not have"):
        run_gate(work_area, expectations_dir=copy)

    (copy / "dtks.keluarga.json").unlink()
    with pytest.raises(SuiteError, match=r"no expectation suite dtks\.keluarga"):
        run_gate(work_area, expectations_dir=copy)


def test_an_expectation_that_cannot_run_is_an_error_not_a_pass(tmp_path):
    """GX reports a crashing expectation as merely unsuccessful; the runner must not load those rows."""
    import pyarrow as pa

    copy = _copy_suites(tmp_path)
    path = copy / "dtks.keluarga.json"
    data = json.loads(path.read_text())
    data["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_reference_list",
            "kwargs": {"column": "kode_wilayah__village", "reference": "no_such_list"},
            "meta": {"rule": "unknown_region_code"},
        }
    )
    path.write_text(json.dumps(data))
    runner = GxRunner(copy, None, TODAY)
    _, columns, _ = runner.suite("dtks.keluarga")
    rows = pa.table({"row_number": [1], **{c: ["x"] for c in columns if c != "row_number"}})
    with pytest.raises(ValidationError, match="could not run"):
        runner.validate(rows, "dtks.keluarga", label="dtks.test/keluarga.csv")
