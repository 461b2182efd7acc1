"""A fifth agency declared outside the package, as an operator would: BPJS Kesehatan's list of subsidised
(PBI) members, a monthly ``full`` of ``|``-separated CSV with ISO dates and its own codes for sex and relationship.

``SEJAHTERA_EXTRA_SOURCES=fifth_agency.spec`` makes the pipeline read it; its expectation suites
``bpjs.keluarga.json`` and ``bpjs.peserta.json`` lie beside this file (drafted with
``assets.validate.suites.write_drafts``). Synthetic: no such export format is promised by BPJS.
"""

from sejahtera.sources.spec import Coded, Column, CsvFormat, agency_source, household_entity, member_entity

CSV = CsvFormat(delimiter="|")
RELATIONSHIP_CODES = (("KEPALA", 1), ("PASANGAN", 2), ("ANAK", 3), ("LAIN", 8))

KELUARGA, HOUSEHOLDS = household_entity(
    "keluarga",
    CSV,
    ("id_keluarga_bpjs", "no_kk", "kode_wilayah", "alamat"),
    observed_at=Column("tgl_verifikasi", "date", date_format="%Y-%m-%d"),
)

PESERTA, PERSONS = member_entity(
    "peserta",
    CSV,
    ("id_peserta", "id_keluarga_bpjs", "nik", "nama_peserta"),
    parent="keluarga",
    sex=Coded(Column("jk", "code", values=("LK", "PR")), (("LK", "L"), ("PR", "P"))),
    birth_date=Column("tgl_lahir", "birth_date", date_format="%Y-%m-%d"),
    relationship=Coded(
        Column("hubungan", "code", values=tuple(text for text, _ in RELATIONSHIP_CODES)), RELATIONSHIP_CODES
    ),
)

BPJS = agency_source(
    "bpjs",
    "BPJS Kesehatan PBI members (a fifth agency declared in the tests)",
    (KELUARGA, HOUSEHOLDS),
    (PESERTA, PERSONS),
)

SOURCE_SPECS = [BPJS]
