"""The leading columns of every published table, in the contract's order (contract section 3).

The published tables may carry more columns after these; tests check that these come first, in this order.
"""

from __future__ import annotations

CONTRACT_COLUMNS = {
    "registry.person": [
        "person_id",
        "nik",
        "nik_status",
        "nama",
        "jenis_kelamin",
        "tanggal_lahir",
        "household_id",
        "kode_wilayah",
        "status_hidup",
        "tanggal_meninggal",
    ],
    "registry.household": [
        "household_id",
        "no_kk",
        "kode_wilayah",
        "kode_provinsi",
        "jumlah_anggota",
        "welfare_score",
        "desil_nasional",
        "desil_provinsi",
        "miskin_ekstrem",
        "eligible_pkh",
        "eligible_bpnt",
        "eligible_pbi",
    ],
    "registry.source_link": [
        "source",
        "drop_id",
        "entity",
        "source_record_id",
        "registry_id",
        "match_method",
        "match_probability",
    ],
    "quality.quarantine": ["source", "drop_id", "file", "row_number", "source_record_id", "rule", "detail"],
    "ops.drop_ledger": [
        "source",
        "drop_id",
        "kind",
        "status",
        "reason",
        "rows_in",
        "rows_loaded",
        "rows_quarantined",
        "processed_at",
    ],
}
