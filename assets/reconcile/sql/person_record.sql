-- Every source's person records in one canonical shape (docs/architecture.md, work.person_record).
-- Needs work.name_standard (names standardised in Python: DuckDB has no phonetic functions) and the macros
-- nik_problem (sejahtera.rules.nik) and linkage_number (assets/reconcile/standardise.py).
CREATE OR REPLACE TABLE work.person_record AS
WITH
-- Each agency's household rows, its first row per record id (assets/reconcile/declared_sql.py writes them).
/*@household_rows*/
delivered AS (
    -- Each agency's person records with their household's card, region, address and date, as declared.
/*@delivered_persons*/

    UNION ALL

    -- The civil registry's population after its events (the spine: one record per NIK).
    SELECT
        /*@spine*/, d.drop_id, d.file, d.row_number,
        d.nik,
        d.no_kk,
        d.nik,
        d.nama_lengkap,
        d.jenis_kelamin,
        d.tanggal_lahir,
        d.tempat_lahir,
        NULL::INTEGER,
        d.no_kk,
        d.kode_wilayah,
        d.alamat,
        d.status_hidup,
        d.tanggal_meninggal,
        try_strptime(left(d.drop_id, 8), '%Y%m%d')::DATE
    FROM work.dukcapil_person AS d
)
SELECT
    d.source,
    d.drop_id,
    d.file,
    d.row_number,
    d.source_record_id,
    d.source_household_id,
    linkage_number(d.nik_raw) AS nik,
    coalesce(
        nik_problem(nullif(trim(d.nik_raw), '')),
        CASE WHEN nullif(trim(d.nik_raw), '') IS NOT NULL AND linkage_number(d.nik_raw) IS NULL
             THEN 'placeholder' END
    ) AS nik_problem,
    coalesce(n.nama, d.nama_raw) AS nama,
    d.nama_raw,
    n.gelar,
    d.jenis_kelamin,
    d.tanggal_lahir,
    d.hubungan,
    linkage_number(d.kk_raw) AS no_kk,
    nullif(regexp_replace(d.region_raw, '[^0-9]', '', 'g'), '') AS kode_wilayah,
    d.alamat,
    d.status_hidup,
    d.tanggal_meninggal,
    d.observed_at,
    NULL::VARCHAR AS person_id,
    NULL::VARCHAR AS match_method,
    NULL::DOUBLE AS match_probability,
    nullif(trim(d.nik_raw), '') AS nik_raw,
    n.nama_key,
    n.nama_phonetic,
    n.nama_skeleton,
    d.tempat_lahir,
    row_number() OVER (ORDER BY d.source, d.source_record_id) AS rid
FROM delivered AS d
LEFT JOIN work.name_standard AS n ON n.nama_raw = d.nama_raw
ORDER BY d.source, d.source_record_id;
