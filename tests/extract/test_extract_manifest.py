"""Manifest parsing and the name rules, property-tested: what is accepted is exactly what the contract allows."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets.extract.manifest import is_safe_file_name, is_valid_drop_id, parse_manifest
from assets.extract.outcome import DropRejected

GOOD = {
    "source": "dtks",
    "drop_id": "20261127",
    "kind": "full",
    "extracted_at": "2026-11-27T18:00:00+07:00",
    "files": [{"name": "keluarga.csv", "entity": "keluarga", "rows": 1200, "sha256": "AB" * 32}],
}


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)), st.booleans())
def test_every_real_day_and_minute_is_a_valid_drop_id(moment: datetime, with_time: bool) -> None:
    drop_id = moment.strftime("%Y%m%dT%H%M" if with_time else "%Y%m%d")
    assert is_valid_drop_id(drop_id)


@given(st.text(max_size=16))
def test_a_valid_drop_id_has_exactly_the_contract_form(text: str) -> None:
    if is_valid_drop_id(text):
        assert len(text) in (8, 13)
        assert text[:8].isdigit() and text[:8].isascii()
        assert len(text) == 8 or (text[8] == "T" and text[9:].isdigit())


@pytest.mark.parametrize(
    "bad", ["20261131", "2026112", "20261127T2460", "20261127t0900", "2026-11-27", "٢٠٢٦١١٢٧"]
)
def test_impossible_or_misspelt_drop_ids_are_invalid(bad: str) -> None:
    assert not is_valid_drop_id(bad)


@given(st.text(min_size=1, max_size=30))
def test_a_safe_file_name_cannot_leave_its_folder(name: str) -> None:
    if is_safe_file_name(name):
        assert "/" not in name and "\\" not in name and ".." not in name


@pytest.mark.parametrize(
    "name", ["anggota.csv", "keluarga.csv.gz", "rumah_tangga.parquet", "anggota-part2.csv"]
)
def test_plain_names_are_safe(name: str) -> None:
    assert is_safe_file_name(name)


@pytest.mark.parametrize("name", ["", ".", "..", "a/b.csv", "..hidden", "a\\b", "C:anggota.csv", "x\x00.csv"])
def test_names_reaching_elsewhere_are_unsafe(name: str) -> None:
    assert not is_safe_file_name(name)


def test_a_good_manifest_parses_with_lower_case_sha256() -> None:
    manifest = parse_manifest(json.dumps(GOOD).encode())
    assert manifest.files[0].sha256 == "ab" * 32
    assert manifest.rows_in == 1200
    assert manifest.extracted_at.utcoffset().total_seconds() == 7 * 3600


def test_a_manifest_with_a_byte_order_mark_parses() -> None:
    assert parse_manifest(b"\xef\xbb\xbf" + json.dumps(GOOD).encode()).drop_id == "20261127"


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda m: m.update(files=[]), "field files must be a non-empty list"),
        (lambda m: m.update(source=7), "field source must be a non-empty string"),
        (lambda m: m.update(kind=None), "missing field(s): kind"),
        (lambda m: m["files"][0].update(rows=True), "rows must be a non-negative integer"),
        (lambda m: m["files"][0].update(rows=-1), "rows must be a non-negative integer"),
        (lambda m: m["files"].append("anggota.csv"), "file #2 is not a JSON object"),
        (lambda m: m["files"][0].update(name=3), "name and entity must be strings"),
    ],
)
def test_mistyped_fields_are_rejected(edit, reason: str) -> None:
    manifest = json.loads(json.dumps(GOOD))
    edit(manifest)
    with pytest.raises(DropRejected, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_manifest(json.dumps(manifest).encode())


@given(st.binary(max_size=200))
def test_any_bytes_either_parse_or_are_rejected_with_a_one_line_reason(raw: bytes) -> None:
    try:
        parse_manifest(raw)
    except DropRejected as rejection:
        assert "\n" not in rejection.reason
