"""BPS Registrasi Sosial Ekonomi: rare ``full``; typed Parquet; housing codebook of contract section 4."""

from sejahtera.sources.spec import Coded, Column, agency_source, household_entity, member_entity


def _codes(upper: int, lower: int = 1) -> tuple[int, ...]:
    return tuple(range(lower, upper + 1))


def _coded(name: str, upper: int, lower: int = 1) -> Column:
    """A codebook column: the integers ``lower`` to ``upper``, typed as integers in the snapshot."""
    return Column(name, "code", values=_codes(upper, lower), typed_as="INTEGER")


RUMAH_TANGGA, HOUSEHOLDS = household_entity(
    "rumah_tangga",
    "parquet",
    ("id_rt", "no_kk", "kode_desa", "alamat"),
    Column("jumlah_art", "integer"),
    Column("luas_lantai_m2", "double"),
    _coded("jenis_lantai", 9),
    _coded("jenis_dinding", 7),
    _coded("jenis_atap", 8),
    _coded("sumber_air_minum", 11),
    _coded("fasilitas_bab", 4),
    _coded("sumber_penerangan", 4),
    _coded("bahan_bakar_memasak", 8),
    _coded("status_kepemilikan_rumah", 5),
    Column("daya_listrik_va", "integer"),
    *(Column(f"aset_{item}", "boolean") for item in ("motor", "mobil", "kulkas", "ac", "tv", "emas")),
    Column("aset_lahan_m2", "double"),
    observed_at=Column("tanggal_pencacahan", "date"),
)

INDIVIDU, PERSONS = member_entity(
    "individu",
    "parquet",
    ("id_art", "id_rt", "nik", "nama"),
    _coded("status_kawin", 4),
    _coded("pendidikan_tertinggi", 6, lower=0),
    Column("bekerja", "boolean"),
    Column("disabilitas", "boolean"),
    parent="rumah_tangga",
    sex=Coded(_coded("jenis_kelamin", 2), ((1, "L"), (2, "P"))),
    birth_date=Column("tanggal_lahir", "birth_date"),
    relationship=Coded(_coded("hubungan_krt", 8), tuple((code, code) for code in _codes(8))),
)

REGSOSEK = agency_source(
    "regsosek", "BPS Registrasi Sosial Ekonomi, full, rare", (RUMAH_TANGGA, HOUSEHOLDS), (INDIVIDU, PERSONS)
)
