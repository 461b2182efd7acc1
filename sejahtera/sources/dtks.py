"""Kemensos, DTKS export (SIKS-NG): monthly ``full``; ``;``-separated UTF-8 CSV, maybe with a BOM, DD-MM-YYYY."""

from sejahtera.sources.spec import Coded, Column, CsvFormat, agency_source, household_entity, member_entity

CSV = CsvFormat(delimiter=";")
YES_NO = ("Y", "T")
RELATIONSHIP = ("1", "2", "3", "4", "5", "6", "7", "8")

KELUARGA, HOUSEHOLDS = household_entity(
    "keluarga",
    CSV,
    ("ID_KELUARGA", "NO_KK", "KODE_WILAYAH", "ALAMAT"),
    Column("RT", "text"),
    Column("RW", "text"),
    Column("PENERIMA_PKH", "flag", values=YES_NO),
    Column("PENERIMA_BPNT", "flag", values=YES_NO),
    Column("PENERIMA_PBI", "flag", values=YES_NO),
    observed_at=Column("TGL_UPDATE", "date", date_format="%d-%m-%Y"),
)

ANGGOTA, PERSONS = member_entity(
    "anggota",
    CSV,
    ("ID_ART", "ID_KELUARGA", "NIK", "NAMA"),
    Column("DISABILITAS", "flag", values=YES_NO),
    parent="keluarga",
    sex=Coded(
        Column("JNS_KEL", "code", values=("LAKI-LAKI", "PEREMPUAN")), (("LAKI-LAKI", "L"), ("PEREMPUAN", "P"))
    ),
    birth_place="TMP_LAHIR",
    birth_date=Column("TGL_LAHIR", "birth_date", date_format="%d-%m-%Y"),
    relationship=Coded(
        Column("HUB_KEL", "code", values=RELATIONSHIP, typed_as="INTEGER"),
        tuple((code, code) for code in range(1, 9)),
    ),
)

DTKS = agency_source(
    "dtks", "Kemensos DTKS export (SIKS-NG), monthly full", (KELUARGA, HOUSEHOLDS), (ANGGOTA, PERSONS)
)
