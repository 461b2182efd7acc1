-- Targeting errors: who receives aid and should not (inclusion), who should and receives nothing (exclusion).
-- Identifiers in this table are masked: it is the follow-up list handed to field officers.
-- Needs the temporary macros mask_number / mask_name (sejahtera.privacy.install_masking_macros).

-- name: targeting_error
CREATE OR REPLACE TABLE work.targeting_error AS
WITH household AS (
    SELECT w.household_id, w.kode_provinsi, w.kode_kabupaten, w.jumlah_anggota, w.desil_nasional, h.no_kk
    FROM work.household_welfare AS w
    JOIN work.household_survivor AS h USING (household_id)
),
dead_listed AS (
    -- A member of a recipient family, listed by the very agency record that receives, whom Dukcapil records as dead.
    SELECT 'inclusion' AS error_type,
           'dead_listed' AS reason,
           string_agg(DISTINCT rc.programme, ',' ORDER BY rc.programme) AS programme,
           rc.household_id,
           s.person_id,
           rc.source,
           pr.source_record_id,
           pr.drop_id,
           pr.file,
           pr.row_number,
           mask_number(s.nik) AS nik_masked,
           mask_name(s.nama) AS nama_masked,
           NULL AS kk_masked,
           'listed by ' || rc.source || ' record ' || rc.source_record_id || ' that receives aid; died '
               || coalesce(strftime(s.tanggal_meninggal, '%Y-%m'), 'on an unknown date') || ' per Dukcapil' AS detail
    FROM work.programme_receipt AS rc
    JOIN work.person_record AS pr ON pr.source = rc.source AND pr.source_household_id = rc.source_record_id
    JOIN work.person_survivor AS s ON s.person_id = pr.person_id
    WHERE s.status_hidup = 'MATI'
    GROUP BY ALL
),
receipt AS (
    SELECT household_id, programme,
           string_agg(DISTINCT source, ',' ORDER BY source) AS source,
           min(source || ' ' || source_record_id) AS first_record
    FROM work.programme_receipt
    GROUP BY household_id, programme
),
no_living_member AS (
    SELECT 'inclusion', 'no_living_member', r.programme, r.household_id, NULL, r.source, NULL, NULL, NULL, NULL,
           NULL, NULL, mask_number(h.no_kk),
           'receives ' || upper(r.programme) || ' (' || r.first_record || ') but every member is dead per Dukcapil'
    FROM receipt AS r JOIN household AS h USING (household_id)
    WHERE h.jumlah_anggota = 0
),
above_cutoff AS (
    SELECT 'inclusion', 'above_cutoff', r.programme, r.household_id, NULL, r.source, NULL, NULL, NULL, NULL,
           NULL, NULL, mask_number(h.no_kk),
           'receives ' || upper(r.programme) || ' (' || r.first_record || ') but desil_nasional ' || h.desil_nasional
               || ' is above the cutoff ' || p.max_desil
    FROM receipt AS r
    JOIN household AS h USING (household_id)
    JOIN work.programme_rule AS p USING (programme)
    WHERE h.jumlah_anggota > 0 AND h.desil_nasional > p.max_desil
),
receiving_nothing AS (
    SELECT 'exclusion', 'eligible_receiving_nothing',
           concat_ws(',', CASE WHEN e.eligible_bpnt THEN 'bpnt' END, CASE WHEN e.eligible_pbi THEN 'pbi' END,
                     CASE WHEN e.eligible_pkh THEN 'pkh' END),
           e.household_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, mask_number(h.no_kk),
           'desil_nasional ' || h.desil_nasional || ': eligible but receives no programme in DTKS or P3KE'
    FROM work.household_eligibility AS e
    JOIN household AS h USING (household_id)
    WHERE (e.eligible_pkh OR e.eligible_bpnt OR e.eligible_pbi)
      AND NOT EXISTS (SELECT 1 FROM work.programme_receipt AS r WHERE r.household_id = e.household_id)
),
errors AS (
    SELECT * FROM dead_listed
    UNION ALL SELECT * FROM no_living_member
    UNION ALL SELECT * FROM above_cutoff
    UNION ALL SELECT * FROM receiving_nothing
)
SELECT x.error_type,
       x.reason,
       x.programme,
       x.household_id,
       x.person_id,
       h.kode_provinsi,
       h.kode_kabupaten,
       h.desil_nasional,
       x.source,
       x.source_record_id,
       x.drop_id,
       x.file,
       x.row_number,
       x.nik_masked,
       x.nama_masked,
       x.kk_masked,
       x.detail
FROM errors AS x
LEFT JOIN household AS h USING (household_id)
ORDER BY x.error_type, x.reason, h.kode_provinsi, h.kode_kabupaten, x.household_id, x.person_id, x.programme;
