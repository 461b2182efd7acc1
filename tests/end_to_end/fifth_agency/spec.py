"""A fifth agency declared outside the package, as an operator would: BPJS Kesehatan's list of subsidised
(PBI) members, a monthly ``full`` of ``|``-separated CSV with ISO dates and its own codes for sex and relationship.

``SEJAHTERA_EXTRA_SOURCES=fifth_agency.spec`` makes the pipeline read it; its expectation suites
``bpjs.keluarga.json`` and ``bpjs.peserta.json`` lie beside this file (drafted with
``assets.validate.suites.write_drafts``). Synthetic: no such export format is promised by BPJS.
"""

from sejahtera.sources import (
    Column,
    EntitySpec,
    HouseholdFields,
    PersonFields,
    SourceSpec,
)
from sejahtera.sources.spec import CsvFormat

CSV = CsvFormat(delimiter="|")
RELATIONSHIP_CODES = (("KEPALA", 1), ("PASANGAN", 2), ("ANAK", 3), ("LAIN", 8))

KELUARGA = EntitySpec(
    entity="keluarga",
    role="household",
    file_format="csv",
    csv=CSV,
    columns=(
        Column("id_keluarga_bpjs", "record_id"),
        Column("no_kk", "kk"),
        Column("kode_wilayah", "region"),
        Column("alamat", "text"),
        Column("tgl_verifikasi", "date", date_format="%Y-%m-%d"),
    ),
)

PESERTA = EntitySpec(
    entity="peserta",
    role="person",
    file_format="csv",
    csv=CSV,
    parent="keluarga",
    columns=(
        Column("id_peserta", "record_id"),
        Column("id_keluarga_bpjs", "household_ref"),
        Column("nik", "nik"),
        Column("nama_peserta", "text"),
        Column("jk", "code", values=("LK", "PR")),
        Column("tgl_lahir", "birth_date", date_format="%Y-%m-%d"),
        Column("hubungan", "code", values=tuple(text for text, _ in RELATIONSHIP_CODES)),
    ),
)

BPJS = SourceSpec(
    name="bpjs",
    description="BPJS Kesehatan PBI members (a fifth agency declared in the tests)",
    entities_by_kind={"full": (KELUARGA, PESERTA)},
    households=HouseholdFields(
        entity="keluarga", kk="no_kk", region="kode_wilayah", address="alamat", observed_at="tgl_verifikasi"
    ),
    persons=PersonFields(
        entity="peserta",
        nik="nik",
        name="nama_peserta",
        sex="jk",
        sex_codes=(("LK", "L"), ("PR", "P")),
        birth_date="tgl_lahir",
        relationship="hubungan",
        relationship_codes=RELATIONSHIP_CODES,
    ),
)

SOURCE_SPECS = [BPJS]
