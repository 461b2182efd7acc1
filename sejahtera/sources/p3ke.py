"""Kemenko PMK, extreme-poverty data (P3KE): quarterly ``full``; gzip CSV, ``,``-separated, dotted village codes, DD/MM/YYYY."""

from sejahtera.sources.spec import Coded, Column, CsvFormat, agency_source, household_entity, member_entity

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

KELUARGA, HOUSEHOLDS = household_entity(
    "keluarga",
    CSV,
    ("id_keluarga_p3ke", "no_kk", "kode_kemendagri", "alamat"),
    Column("desil_kesejahteraan", "code", values=("1", "2", "3", "4"), typed_as="INTEGER"),
    Column("status_miskin_ekstrem", "flag", values=("Ya", "Tidak")),
    Column("penerima_program", "text"),
)

INDIVIDU, PERSONS = member_entity(
    "individu",
    CSV,
    ("id_individu_p3ke", "id_keluarga_p3ke", "nik", "nama"),
    Column("pekerjaan", "text"),
    parent="keluarga",
    sex=Coded(Column("jenis_kelamin", "code", values=("L", "P")), (("L", "L"), ("P", "P"))),
    birth_date=Column("tanggal_lahir", "birth_date", date_format="%d/%m/%Y"),
    relationship=Coded(Column("hubungan_keluarga", "code", values=RELATIONSHIP), RELATIONSHIP_CODES),
)

P3KE = agency_source(
    "p3ke",
    "Kemenko PMK P3KE extreme-poverty data, quarterly full",
    (KELUARGA, HOUSEHOLDS),
    (INDIVIDU, PERSONS),
)
