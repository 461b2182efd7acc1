-- The Dukcapil population after replaying the delta events on the latest full (contract section 2).
--
-- Events apply per NIK in (tanggal_peristiwa, drop_id, row_number) order. Replaying in that order is the
-- same as taking, for every field, the value of the LAST event in that order that delivered the field
-- (empty = unchanged), falling back to the full: so a late delta under an older drop_id still applies, and
-- never overrides a change dated later. MATI sets the status and the date of death; LAHIR adds a person
-- (any other event for an NIK nobody knows is quarantined upstream and ignored here).
-- The full is Dukcapil's state on its drop date: the events of every delta extracted before it (an older
-- drop_id) are in it, and so are the corrections that followed them. Such a delta may still arrive after the full
-- (the contract applies it), but replaying its events would roll the full back to older values, so only events
-- of deltas after the full are replayed on it.
-- The lineage (drop_id, file, row_number) is that of the last event that changed the person, else the full's.
CREATE OR REPLACE TABLE work.dukcapil_person AS
WITH base AS (
    SELECT *
    FROM work.snapshot_dukcapil_penduduk
    QUALIFY row_number() OVER (PARTITION BY nik ORDER BY drop_id DESC, row_number) = 1
),
events AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY nik ORDER BY tanggal_peristiwa, drop_id, row_number, file) AS seq
    FROM work.snapshot_dukcapil_peristiwa
    WHERE nik IS NOT NULL
      AND drop_id > coalesce((SELECT max(drop_id) FROM work.snapshot_dukcapil_penduduk), '')
),
replayed AS (
    SELECT
        nik,
        arg_max(no_kk, seq) FILTER (WHERE no_kk IS NOT NULL) AS no_kk,
        arg_max(nama_lengkap, seq) FILTER (WHERE nama_lengkap IS NOT NULL) AS nama_lengkap,
        arg_max(jenis_kelamin, seq) FILTER (WHERE jenis_kelamin IS NOT NULL) AS jenis_kelamin,
        arg_max(tempat_lahir, seq) FILTER (WHERE tempat_lahir IS NOT NULL) AS tempat_lahir,
        arg_max(tanggal_lahir, seq) FILTER (WHERE tanggal_lahir IS NOT NULL) AS tanggal_lahir,
        arg_max(kode_wilayah, seq) FILTER (WHERE kode_wilayah IS NOT NULL) AS kode_wilayah,
        arg_max(alamat, seq) FILTER (WHERE alamat IS NOT NULL) AS alamat,
        bool_or(jenis_peristiwa = 'MATI') AS died,
        arg_max(tanggal_peristiwa, seq) FILTER (WHERE jenis_peristiwa = 'MATI') AS tanggal_meninggal,
        bool_or(jenis_peristiwa = 'LAHIR') AS born,
        arg_max(drop_id, seq) AS drop_id,
        arg_max(file, seq) AS file,
        arg_max(row_number, seq) AS row_number
    FROM events
    GROUP BY nik
),
population AS (
    SELECT nik FROM base
    UNION
    SELECT nik FROM replayed WHERE born
)
SELECT
    p.nik,
    coalesce(e.no_kk, b.no_kk) AS no_kk,
    coalesce(e.nama_lengkap, b.nama_lengkap) AS nama_lengkap,
    CASE coalesce(e.jenis_kelamin, b.jenis_kelamin)
        WHEN 'LAKI-LAKI' THEN 'L' WHEN 'PEREMPUAN' THEN 'P'
        WHEN 'L' THEN 'L' WHEN 'P' THEN 'P'
    END AS jenis_kelamin,
    coalesce(e.tempat_lahir, b.tempat_lahir) AS tempat_lahir,
    coalesce(e.tanggal_lahir, b.tanggal_lahir) AS tanggal_lahir,
    nullif(regexp_replace(coalesce(e.kode_wilayah, b.kode_wilayah), '[^0-9]', '', 'g'), '') AS kode_wilayah,
    coalesce(e.alamat, b.alamat) AS alamat,
    CASE WHEN coalesce(e.died, false) OR b.status_hidup = 'MATI' THEN 'MATI' ELSE 'HIDUP' END AS status_hidup,
    coalesce(e.tanggal_meninggal, b.tanggal_meninggal) AS tanggal_meninggal,
    coalesce(e.drop_id, b.drop_id) AS drop_id,
    coalesce(e.file, b.file) AS file,
    coalesce(e.row_number, b.row_number) AS row_number
FROM population AS p
LEFT JOIN base AS b USING (nik)
LEFT JOIN replayed AS e USING (nik)
ORDER BY p.nik;
