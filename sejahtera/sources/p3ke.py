"""Kemenko PMK, extreme-poverty data (P3KE): quarterly ``full``; gzip CSV, ``,``-separated, dotted village codes, DD/MM/YYYY."""

from sejahtera.sources.spec import (
    Column,
    CsvFormat,
    EntitySpec,
    HouseholdFields,
    PersonFields,
    SourceSpec,
)

CSV = CsvFormat(delimiter=",", compression="gzip")
RELATIONSHIP_CODES = (
    ("Kepala Keluarga", 1),
    ("Istri", 2),
    ("Suami", 2),
    ("Anak", 3),
    ("Menantu", 4),
    ("Cucu", 5),
    ("Orang Tua", 6),
    ("Mertua", 6),
    ("Famili Lain", 7),
    ("Lainnya", 8),
)
"""P3KE's relationship texts and the contract's codes 1-8 (spouses are one code, so are parents and in-laws)."""
RELATIONSHIP = tuple(text for text, _ in RELATIONSHIP_CODES)

KELUARGA = EntitySpec(
    entity="keluarga",
    role="household",
    file_format="csv",
    csv=CSV,
    columns=(
        Column("id_keluarga_p3ke", "record_id"),
        Column("no_kk", "kk"),
        Column("kode_kemendagri", "region"),
        Column("alamat", "text"),
        Column("desil_kesejahteraan", "code", values=("1", "2", "3", "4"), typed_as="INTEGER"),
        Column("status_miskin_ekstrem", "flag", values=("Ya", "Tidak")),
        Column("penerima_program", "text"),
    ),
)

INDIVIDU = EntitySpec(
    entity="individu",
    role="person",
    file_format="csv",
    csv=CSV,
    parent="keluarga",
    columns=(
        Column("id_individu_p3ke", "record_id"),
        Column("id_keluarga_p3ke", "household_ref"),
        Column("nik", "nik"),
        Column("nama", "text"),
        Column("jenis_kelamin", "code", values=("L", "P")),
        Column("tanggal_lahir", "birth_date", date_format="%d/%m/%Y"),
        Column("hubungan_keluarga", "code", values=RELATIONSHIP),
        Column("pekerjaan", "text"),
    ),
)

P3KE = SourceSpec(
    name="p3ke",
    description="Kemenko PMK P3KE extreme-poverty data, quarterly full",
    entities_by_kind={"full": (KELUARGA, INDIVIDU)},
    households=HouseholdFields(entity="keluarga", kk="no_kk", region="kode_kemendagri", address="alamat"),
    persons=PersonFields(
        entity="individu",
        nik="nik",
        name="nama",
        sex="jenis_kelamin",
        sex_codes=(("L", "L"), ("P", "P")),
        birth_date="tanggal_lahir",
        relationship="hubungan_keluarga",
        relationship_codes=RELATIONSHIP_CODES,
    ),
)
