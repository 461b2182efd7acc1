"""Source declarations: what reconcile reads from them is checked when declared, and agencies declared outside
the package (``SEJAHTERA_EXTRA_SOURCES``) are found, with their suites beside them, or refused in one line."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sejahtera.sources import SOURCES, SPINE, HouseholdFields, PersonFields
from sejahtera.sources.extra import SourceDeclarationError, extra_sources
from sejahtera.sources.p3ke import P3KE
from sejahtera.sources.spec import (
    Coded,
    Column,
    CsvFormat,
    agency_source,
    household_entity,
    member_entity,
)

AGENCY_MODULE = """
import dataclasses
from sejahtera.sources.p3ke import P3KE
SOURCE_SPECS = [dataclasses.replace(P3KE, name="{name}", description="a copy of P3KE under another name")]
"""


@pytest.fixture
def module_dir(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("agency_")]:
        del sys.modules[name]


def _module(folder: Path, name: str, text: str) -> str:
    (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return name


def test_the_four_agencies_and_one_spine() -> None:
    assert list(SOURCES) == ["dtks", "regsosek", "p3ke", "dukcapil"]
    assert SPINE.name == "dukcapil"
    assert all(s.persons and s.households for s in SOURCES.values() if not s.spine)


def test_an_extra_module_adds_its_agencies_with_suites_beside_it(module_dir: Path) -> None:
    first = _module(module_dir, "agency_one", AGENCY_MODULE.format(name="kemenkes"))
    second = _module(module_dir, "agency_two", AGENCY_MODULE.format(name="bpjs"))
    found = extra_sources(set(SOURCES), setting=f"{first}, {second}")
    assert [s.name for s in found] == ["kemenkes", "bpjs"]
    assert {s.suites_dir for s in found} == {module_dir}
    assert extra_sources(set(SOURCES), setting="") == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "cannot be imported (ModuleNotFoundError"),
        ("X = 1\n", "must define SOURCE_SPECS"),
        (AGENCY_MODULE.format(name="dtks"), "source 'dtks' is already declared"),
        (
            AGENCY_MODULE.replace('description="', 'spine=True, description="').format(name="x"),
            "second spine",
        ),
        ("raise RuntimeError('typo in the declaration')\n", "RuntimeError: typo in the declaration"),
    ],
)
def test_a_broken_extra_module_is_refused_in_one_line(
    module_dir: Path, text: str | None, problem: str
) -> None:
    name = _module(module_dir, "agency_bad", text) if text is not None else "agency_missing"
    with pytest.raises(SourceDeclarationError) as raised:
        extra_sources(set(SOURCES), setting=name)
    message = str(raised.value)
    assert message.startswith(f"SEJAHTERA_EXTRA_SOURCES: {name}") and problem in message
    assert "\n" not in message


def test_declared_fields_must_be_columns_of_the_entity() -> None:
    assert P3KE.persons is not None and P3KE.households is not None
    with pytest.raises(ValueError, match=r"p3ke: entity individu has no column\(s\) \['nama_lengkap'\]"):
        dataclasses.replace(P3KE, persons=dataclasses.replace(P3KE.persons, name="nama_lengkap"))
    with pytest.raises(ValueError, match="p3ke: no entity 'rumah_tangga'"):
        dataclasses.replace(P3KE, households=HouseholdFields("rumah_tangga", "no_kk", "kode_desa", "alamat"))
    with pytest.raises(ValueError, match="persons of individu need the household fields of keluarga"):
        dataclasses.replace(P3KE, households=None)
    assert isinstance(P3KE.persons, PersonFields)


def test_the_builders_name_each_column_once_in_the_order_files_deliver_them() -> None:
    households, household_fields = household_entity(
        "rumah",
        CsvFormat(delimiter=";"),
        ("ID_RUMAH", "NO_KK", "DESA", "ALAMAT"),
        Column("RT", "text"),
        observed_at=Column("TGL_DATA", "date", date_format="%Y-%m-%d"),
    )
    assert [(c.key, c.kind) for c in households.columns] == [
        ("id_rumah", "record_id"), ("no_kk", "kk"), ("desa", "region"), ("alamat", "text"), ("rt", "text"),
        ("tgl_data", "date"),
    ]  # fmt: skip
    assert (households.role, households.file_format, households.csv) == ("household", "csv", CsvFormat(";"))
    assert household_fields == HouseholdFields(
        "rumah", kk="no_kk", region="desa", address="alamat", observed_at="tgl_data"
    )

    sex = Coded(Column("JK", "code", values=(1, 2), typed_as="INTEGER"), ((1, "L"), (2, "P")))
    relationship = Coded(Column("HUB", "code", values=("KEPALA", "ANAK")), (("KEPALA", 1), ("ANAK", 3)))
    members, person_fields = member_entity(
        "warga",
        "parquet",
        ("ID_WARGA", "ID_RUMAH", "NIK", "NAMA"),
        Column("KERJA", "text"),
        parent="rumah",
        sex=sex,
        birth_place="TMP_LAHIR",
        birth_date=Column("TGL_LAHIR", "birth_date"),
        relationship=relationship,
    )
    assert [(c.key, c.kind) for c in members.columns] == [
        ("id_warga", "record_id"), ("id_rumah", "household_ref"), ("nik", "nik"), ("nama", "text"),
        ("jk", "code"), ("tmp_lahir", "text"), ("tgl_lahir", "birth_date"), ("hub", "code"), ("kerja", "text"),
    ]  # fmt: skip
    assert (members.role, members.file_format, members.csv, members.parent) == (
        "person",
        "parquet",
        None,
        "rumah",
    )
    assert person_fields == PersonFields(
        "warga", nik="nik", name="nama", sex="jk", sex_codes=sex.codes, birth_date="tgl_lahir",
        birth_place="tmp_lahir", relationship="hub", relationship_codes=relationship.codes,
    )  # fmt: skip

    source = agency_source(
        "rumah_warga", "a test agency", (households, household_fields), (members, person_fields)
    )
    assert source.entities_by_kind == {"full": (households, members)}
    assert (source.households, source.persons, source.spine) == (household_fields, person_fields, False)
