-- Every source's person records in one canonical shape (docs/architecture.md, work.person_record).
-- Needs work.name_standard (names standardised in Python: DuckDB has no phonetic functions) and the macros
-- nik_problem (sejahtera.rules.nik) and linkage_number (assets/reconcile/standardise.py).
CREATE OR REPLACE TABLE work.person_record AS
WITH dtks_keluarga AS (
    SELECT * FROM work.snapshot_dtks_keluarga
    QUALIFY row_number() OVER (PARTITION BY id_keluarga ORDER BY row_number) = 1
),
regsosek_rumah_tangga AS (
    SELECT * FROM work.snapshot_regsosek_rumah_tangga
    QUALIFY row_number() OVER (PARTITION BY id_rt ORDER BY row_number) = 1
),
p3ke_keluarga AS (
    SELECT * FROM work.snapshot_p3ke_keluarga
    QUALIFY row_number() OVER (PARTITION BY id_keluarga_p3ke ORDER BY row_number) = 1
),
delivered AS (
    SELECT
        a.source, a.drop_id, a.file, a.row_number,
        a.id_art AS source_record_id,
        a.id_keluarga AS source_household_id,
        a.nik AS nik_raw,
        a.nama AS nama_raw,
        CASE a.jns_kel WHEN 'LAKI-LAKI' THEN 'L' WHEN 'PEREMPUAN' THEN 'P' END AS jenis_kelamin,
        a.tgl_lahir AS tanggal_lahir,
        a.tmp_lahir AS tempat_lahir,
        CASE WHEN a.hub_kel BETWEEN 1 AND 8 THEN a.hub_kel END AS hubungan,
        k.no_kk AS kk_raw,
        k.kode_wilayah AS region_raw,
        k.alamat,
        NULL::VARCHAR AS status_hidup,
        NULL::DATE AS tanggal_meninggal,
        k.tgl_update AS observed_at
    FROM work.snapshot_dtks_anggota AS a
    LEFT JOIN dtks_keluarga AS k USING (id_keluarga)

    UNION ALL

    SELECT
        i.source, i.drop_id, i.file, i.row_number,
        i.id_art,
        i.id_rt,
        i.nik,
        i.nama,
        CASE i.jenis_kelamin WHEN 1 THEN 'L' WHEN 2 THEN 'P' END,
        i.tanggal_lahir,
        NULL::VARCHAR,
        CASE WHEN i.hubungan_krt BETWEEN 1 AND 8 THEN i.hubungan_krt END,
        r.no_kk,
        r.kode_desa,
        r.alamat,
        NULL::VARCHAR,
        NULL::DATE,
        r.tanggal_pencacahan
    FROM work.snapshot_regsosek_individu AS i
    LEFT JOIN regsosek_rumah_tangga AS r USING (id_rt)

    UNION ALL

    SELECT
        i.source, i.drop_id, i.file, i.row_number,
        i.id_individu_p3ke,
        i.id_keluarga_p3ke,
        i.nik,
        i.nama,
        CASE upper(i.jenis_kelamin) WHEN 'L' THEN 'L' WHEN 'P' THEN 'P' END,
        i.tanggal_lahir,
        NULL::VARCHAR,
        CASE upper(trim(i.hubungan_keluarga))
            WHEN 'KEPALA KELUARGA' THEN 1
            WHEN 'ISTRI' THEN 2 WHEN 'SUAMI' THEN 2
            WHEN 'ANAK' THEN 3
            WHEN 'MENANTU' THEN 4
            WHEN 'CUCU' THEN 5
            WHEN 'ORANG TUA' THEN 6 WHEN 'MERTUA' THEN 6
            WHEN 'FAMILI LAIN' THEN 7
            WHEN 'LAINNYA' THEN 8
        END,
        k.no_kk,
        k.kode_kemendagri,
        k.alamat,
        NULL::VARCHAR,
        NULL::DATE,
        try_strptime(left(i.drop_id, 8), '%Y%m%d')::DATE
    FROM work.snapshot_p3ke_individu AS i
    LEFT JOIN p3ke_keluarga AS k USING (id_keluarga_p3ke)

    UNION ALL

    SELECT
        'dukcapil', d.drop_id, d.file, d.row_number,
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
