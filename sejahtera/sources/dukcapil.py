"""Kemendagri civil registry (Dukcapil): ``full`` Parquet now and then, daily ``delta`` CSV of vital events.

Dukcapil is the authority on identity and on life and death; its full snapshot has one row per NIK.
"""

from sejahtera.sources.spec import Column, CsvFormat, EntitySpec, SourceSpec

SEX = ("LAKI-LAKI", "PEREMPUAN")
EVENTS = ("LAHIR", "MATI", "PINDAH", "UBAH_DATA")


def _identity(date_format: str | None = None) -> tuple[Column, ...]:
    """A person as the registry records them, in both entities: an event carries the identity it sets."""
    return (
        Column("nama_lengkap", "text"),
        Column("jenis_kelamin", "code", values=SEX),
        Column("tempat_lahir", "text"),
        Column("tanggal_lahir", "birth_date", date_format=date_format),
        Column("kode_wilayah", "region"),
        Column("alamat", "text"),
    )


PENDUDUK = EntitySpec(
    entity="penduduk",
    role="person",
    file_format="parquet",
    columns=(
        Column("nik", "record_id"),
        Column("no_kk", "kk"),
        *_identity(),
        Column("status_hidup", "code", values=("HIDUP", "MATI")),
        Column("tanggal_meninggal", "date"),
    ),
)

PERISTIWA = EntitySpec(
    entity="peristiwa",
    role="event",
    file_format="csv",
    csv=CsvFormat(delimiter=","),
    columns=(
        Column("id_peristiwa", "record_id"),
        Column("jenis_peristiwa", "code", values=EVENTS),
        Column("tanggal_peristiwa", "date", date_format="%Y-%m-%d"),
        Column("nik", "nik"),
        Column("no_kk", "kk"),
        *_identity(date_format="%Y-%m-%d"),
    ),
)

DUKCAPIL = SourceSpec(
    name="dukcapil",
    description="Kemendagri Dukcapil civil registry: full snapshots and daily delta events",
    entities_by_kind={"full": (PENDUDUK,), "delta": (PERISTIWA,)},
    spine=True,
)
