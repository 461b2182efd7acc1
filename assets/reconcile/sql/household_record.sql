-- Every source's household records in one canonical shape (docs/architecture.md, work.household_record).
-- Dukcapil has no household records: its families are KK groupings of work.dukcapil_person.
CREATE OR REPLACE TABLE work.household_record AS
WITH delivered AS (
    SELECT source, drop_id, file, row_number, id_keluarga AS source_record_id, no_kk AS kk_raw,
           kode_wilayah AS region_raw, alamat, tgl_update AS observed_at
    FROM work.snapshot_dtks_keluarga
    UNION ALL
    SELECT source, drop_id, file, row_number, id_rt, no_kk, kode_desa, alamat, tanggal_pencacahan
    FROM work.snapshot_regsosek_rumah_tangga
    UNION ALL
    SELECT source, drop_id, file, row_number, id_keluarga_p3ke, no_kk, kode_kemendagri, alamat,
           try_strptime(left(drop_id, 8), '%Y%m%d')::DATE
    FROM work.snapshot_p3ke_keluarga
)
SELECT
    source,
    drop_id,
    file,
    row_number,
    source_record_id,
    linkage_number(kk_raw) AS no_kk,
    nullif(regexp_replace(region_raw, '[^0-9]', '', 'g'), '') AS kode_wilayah,
    alamat,
    observed_at,
    NULL::VARCHAR AS household_id,
    NULL::VARCHAR AS match_method,
    NULL::DOUBLE AS match_probability
FROM delivered
ORDER BY source, source_record_id;
