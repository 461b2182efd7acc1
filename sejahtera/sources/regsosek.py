"""BPS Registrasi Sosial Ekonomi: rare ``full``; typed Parquet; housing codebook of contract section 4."""

from sejahtera.sources.spec import Column, EntitySpec, HouseholdFields, PersonFields, SourceSpec


def _codes(upper: int, lower: int = 1) -> tuple[int, ...]:
    return tuple(range(lower, upper + 1))


RUMAH_TANGGA = EntitySpec(
    entity="rumah_tangga",
    role="household",
    file_format="parquet",
    columns=(
        Column("id_rt", "record_id"),
        Column("no_kk", "kk"),
        Column("kode_desa", "region"),
        Column("alamat", "text"),
        Column("jumlah_art", "integer"),
        Column("luas_lantai_m2", "double"),
        Column("jenis_lantai", "code", values=_codes(9), typed_as="INTEGER"),
        Column("jenis_dinding", "code", values=_codes(7), typed_as="INTEGER"),
        Column("jenis_atap", "code", values=_codes(8), typed_as="INTEGER"),
        Column("sumber_air_minum", "code", values=_codes(11), typed_as="INTEGER"),
        Column("fasilitas_bab", "code", values=_codes(4), typed_as="INTEGER"),
        Column("sumber_penerangan", "code", values=_codes(4), typed_as="INTEGER"),
        Column("bahan_bakar_memasak", "code", values=_codes(8), typed_as="INTEGER"),
        Column("status_kepemilikan_rumah", "code", values=_codes(5), typed_as="INTEGER"),
        Column("daya_listrik_va", "integer"),
        Column("aset_motor", "boolean"),
        Column("aset_mobil", "boolean"),
        Column("aset_kulkas", "boolean"),
        Column("aset_ac", "boolean"),
        Column("aset_tv", "boolean"),
        Column("aset_emas", "boolean"),
        Column("aset_lahan_m2", "double"),
        Column("tanggal_pencacahan", "date"),
    ),
)

INDIVIDU = EntitySpec(
    entity="individu",
    role="person",
    file_format="parquet",
    parent="rumah_tangga",
    columns=(
        Column("id_art", "record_id"),
        Column("id_rt", "household_ref"),
        Column("nik", "nik"),
        Column("nama", "text"),
        Column("jenis_kelamin", "code", values=(1, 2), typed_as="INTEGER"),
        Column("tanggal_lahir", "birth_date"),
        Column("hubungan_krt", "code", values=_codes(8), typed_as="INTEGER"),
        Column("status_kawin", "code", values=_codes(4), typed_as="INTEGER"),
        Column("pendidikan_tertinggi", "code", values=_codes(6, lower=0), typed_as="INTEGER"),
        Column("bekerja", "boolean"),
        Column("disabilitas", "boolean"),
    ),
)

REGSOSEK = SourceSpec(
    name="regsosek",
    description="BPS Registrasi Sosial Ekonomi, full, rare",
    entities_by_kind={"full": (RUMAH_TANGGA, INDIVIDU)},
    households=HouseholdFields(
        entity="rumah_tangga",
        kk="no_kk",
        region="kode_desa",
        address="alamat",
        observed_at="tanggal_pencacahan",
    ),
    persons=PersonFields(
        entity="individu",
        nik="nik",
        name="nama",
        sex="jenis_kelamin",
        sex_codes=((1, "L"), (2, "P")),
        birth_date="tanggal_lahir",
        relationship="hubungan_krt",
        relationship_codes=tuple((code, code) for code in _codes(8)),
    ),
)
