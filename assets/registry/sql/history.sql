-- History: every version of every registry person and household, valid from the run that wrote it until the run
-- that replaced it (valid_to NULL = current). Computed by comparing this run's registry (work.registry_*) with the
-- published one (the temporary views temp.main.previous_*, assets/registry/history.py), so a run that changes
-- nothing adds no version.

-- name: person_change
-- Persons that entered, changed or left the registry in this run.
CREATE OR REPLACE TEMP TABLE person_change AS
SELECT coalesce(n.person_id, p.person_id) AS person_id,
       CASE WHEN p.person_id IS NULL THEN 'entered' WHEN n.person_id IS NULL THEN 'removed' ELSE 'changed' END AS kind
FROM work.registry_person AS n
FULL JOIN temp.main.previous_person AS p ON p.person_id = n.person_id
WHERE p.person_id IS NULL
   OR n.person_id IS NULL
   OR (n.nik, n.nik_status, n.nama, n.jenis_kelamin, n.tanggal_lahir, n.household_id, n.kode_wilayah,
       n.status_hidup, n.tanggal_meninggal, n.no_kk)
      IS DISTINCT FROM
      (p.nik, p.nik_status, p.nama, p.jenis_kelamin, p.tanggal_lahir, p.household_id, p.kode_wilayah,
       p.status_hidup, p.tanggal_meninggal, p.no_kk);

-- name: household_change
CREATE OR REPLACE TEMP TABLE household_change AS
SELECT coalesce(n.household_id, p.household_id) AS household_id,
       CASE WHEN p.household_id IS NULL THEN 'entered' WHEN n.household_id IS NULL THEN 'removed' ELSE 'changed' END
           AS kind
FROM work.registry_household AS n
FULL JOIN temp.main.previous_household AS p ON p.household_id = n.household_id
WHERE p.household_id IS NULL
   OR n.household_id IS NULL
   OR (n.no_kk, n.kode_wilayah, n.kode_provinsi, n.jumlah_anggota, n.welfare_score, n.desil_nasional,
       n.desil_provinsi, n.miskin_ekstrem, n.eligible_pkh, n.eligible_bpnt, n.eligible_pbi, n.kode_kabupaten,
       n.desil_kabupaten, n.welfare_source, n.anggota_tercatat)
      IS DISTINCT FROM
      (p.no_kk, p.kode_wilayah, p.kode_provinsi, p.jumlah_anggota, p.welfare_score, p.desil_nasional,
       p.desil_provinsi, p.miskin_ekstrem, p.eligible_pkh, p.eligible_bpnt, p.eligible_pbi, p.kode_kabupaten,
       p.desil_kabupaten, p.welfare_source, p.anggota_tercatat);

-- name: person_history
CREATE OR REPLACE TABLE work.person_history AS
WITH run AS (SELECT run_id, started_at FROM work.run)
SELECT h.* REPLACE (
           CASE WHEN h.valid_to IS NULL AND c.person_id IS NOT NULL THEN run.started_at ELSE h.valid_to END AS valid_to,
           CASE WHEN h.valid_to IS NULL AND c.person_id IS NOT NULL THEN run.run_id ELSE h.closed_by_run_id END
               AS closed_by_run_id
       )
FROM temp.main.previous_person_history AS h
CROSS JOIN run
LEFT JOIN temp.main.person_change AS c ON c.person_id = h.person_id
UNION ALL BY NAME
SELECT n.*,
       run.started_at AS valid_from,
       CAST(NULL AS TIMESTAMPTZ) AS valid_to,
       run.run_id AS run_id,
       CAST(NULL AS VARCHAR) AS closed_by_run_id
FROM work.registry_person AS n
CROSS JOIN run
JOIN temp.main.person_change AS c ON c.person_id = n.person_id
ORDER BY person_id, valid_from;

-- name: household_history
CREATE OR REPLACE TABLE work.household_history AS
WITH run AS (SELECT run_id, started_at FROM work.run)
SELECT h.* REPLACE (
           CASE WHEN h.valid_to IS NULL AND c.household_id IS NOT NULL THEN run.started_at ELSE h.valid_to END
               AS valid_to,
           CASE WHEN h.valid_to IS NULL AND c.household_id IS NOT NULL THEN run.run_id ELSE h.closed_by_run_id END
               AS closed_by_run_id
       )
FROM temp.main.previous_household_history AS h
CROSS JOIN run
LEFT JOIN temp.main.household_change AS c ON c.household_id = h.household_id
UNION ALL BY NAME
SELECT n.*,
       run.started_at AS valid_from,
       CAST(NULL AS TIMESTAMPTZ) AS valid_to,
       run.run_id AS run_id,
       CAST(NULL AS VARCHAR) AS closed_by_run_id
FROM work.registry_household AS n
CROSS JOIN run
JOIN temp.main.household_change AS c ON c.household_id = n.household_id
ORDER BY household_id, valid_from;
