"""Kemensos, DTKS export (SIKS-NG): monthly ``full``; ``;``-separated UTF-8 CSV, maybe with a BOM, DD-MM-YYYY."""

from sejahtera.sources.spec import (
    Column,
    CsvFormat,
    EntitySpec,
    HouseholdFields,
    PersonFields,
    SourceSpec,
)

CSV = CsvFormat(delimiter=";")
YES_NO = ("Y", "T")
RELATIONSHIP = ("1", "2", "3", "4", "5", "6", "7", "8")

KELUARGA = EntitySpec(
    entity="keluarga",
    role="household",
    file_format="csv",
    csv=CSV,
    columns=(
        Column("ID_KELUARGA", "record_id"),
        Column("NO_KK", "kk"),
        Column("KODE_WILAYAH", "region"),
        Column("ALAMAT", "text"),
        Column("RT", "text"),
        Column("RW", "text"),
        Column("PENERIMA_PKH", "flag", values=YES_NO),
        Column("PENERIMA_BPNT", "flag", values=YES_NO),
        Column("PENERIMA_PBI", "flag", values=YES_NO),
        Column("TGL_UPDATE", "date", date_format="%d-%m-%Y"),
    ),
)

ANGGOTA = EntitySpec(
    entity="anggota",
    role="person",
    file_format="csv",
    csv=CSV,
    parent="keluarga",
    columns=(
        Column("ID_ART", "record_id"),
        Column("ID_KELUARGA", "household_ref"),
        Column("NIK", "nik"),
        Column("NAMA", "text"),
        Column("JNS_KEL", "code", values=("LAKI-LAKI", "PEREMPUAN")),
        Column("TMP_LAHIR", "text"),
        Column("TGL_LAHIR", "birth_date", date_format="%d-%m-%Y"),
        Column("HUB_KEL", "code", values=RELATIONSHIP, typed_as="INTEGER"),
        Column("DISABILITAS", "flag", values=YES_NO),
    ),
)

DTKS = SourceSpec(
    name="dtks",
    description="Kemensos DTKS export (SIKS-NG), monthly full",
    entities_by_kind={"full": (KELUARGA, ANGGOTA)},
    households=HouseholdFields(
        entity="keluarga", kk="no_kk", region="kode_wilayah", address="alamat", observed_at="tgl_update"
    ),
    persons=PersonFields(
        entity="anggota",
        nik="nik",
        name="nama",
        sex="jns_kel",
        sex_codes=(("LAKI-LAKI", "L"), ("PEREMPUAN", "P")),
        birth_date="tgl_lahir",
        birth_place="tmp_lahir",
        relationship="hub_kel",
        relationship_codes=tuple((code, code) for code in range(1, 9)),
    ),
)
