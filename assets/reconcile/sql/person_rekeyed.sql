-- Persons whose agency records came back under new record ids (an agency re-keyed its export: a new SIKS-NG
-- extract, a new census wave): which previous registry person each new record was, by its content.
-- A record is matched only when its id is new, the previous record's id is gone from the current state, both come
-- from the same source, and they carry the same name (as written), sex and birth date, with exactly one candidate
-- on each side (two SITIs born the same day in one source are left alone). The NIK is not compared: a re-keyed
-- export may also have corrected it. Read from the published snapshots (the previous state) and source links; the agencies' branches are
-- written from their declarations (assets/reconcile/declared_sql.py).
-- Returns (cluster_rid, previous person id, matched records): fallback claims for assets/reconcile/stable_ids.py.
WITH previous AS (
/*@previous_persons*/
),
gone AS (
    SELECT p.*, s.registry_id
    FROM previous AS p
    JOIN registry.source_link AS s
      ON s.entity = 'person' AND s.source = p.source AND s.source_record_id = p.source_record_id
    WHERE s.registry_id IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM work.person_record AS r
          WHERE r.source = p.source AND r.source_record_id = p.source_record_id
      )
),
arrived AS (
    SELECT r.rid, r.source, upper(trim(r.nama_raw)) AS nama, r.jenis_kelamin, r.tanggal_lahir
    FROM work.person_record AS r
    WHERE r.source <> /*@spine*/
      AND NOT EXISTS (
          SELECT 1 FROM registry.source_link AS s
          WHERE s.entity = 'person' AND s.source = r.source AND s.source_record_id = r.source_record_id
      )
),
pairs AS (
    SELECT
        a.rid,
        g.registry_id,
        count(*) OVER (PARTITION BY a.rid) AS candidates_of_new,
        count(*) OVER (PARTITION BY g.source, g.source_record_id) AS candidates_of_old
    FROM arrived AS a
    JOIN gone AS g
      ON g.source = a.source AND g.nama = a.nama AND g.jenis_kelamin = a.jenis_kelamin
     AND g.tanggal_lahir = a.tanggal_lahir
)
SELECT c.cluster_rid, p.registry_id, count(*) AS records
FROM pairs AS p
JOIN work.person_cluster AS c USING (rid)
WHERE p.candidates_of_new = 1 AND p.candidates_of_old = 1
GROUP BY ALL
ORDER BY ALL;
