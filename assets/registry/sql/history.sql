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

-- name: create_new_versions_macro
-- One entity's history after this run: its previous versions, those of the entities that changed closed at this
-- run's start (valid_to, closed_by_run_id), plus a new open version of every changed entity still in the
-- registry. The same for persons and households, so the two histories can never be versioned differently.
-- Arguments are table names (previous history, this run's registry table, the changes) and the id column;
-- temporary, so it lives only as long as the connection.
CREATE OR REPLACE TEMPORARY MACRO new_versions(previous_history, registry_table, changes, id_column) AS TABLE
WITH run AS (SELECT run_id, started_at FROM work.run),
changed AS (SELECT COLUMNS(id_column) AS changed_id FROM query_table(changes))
SELECT h.* EXCLUDE (version_of) REPLACE (
           CASE WHEN h.valid_to IS NULL AND c.changed_id IS NOT NULL THEN run.started_at ELSE h.valid_to END
               AS valid_to,
           CASE WHEN h.valid_to IS NULL AND c.changed_id IS NOT NULL THEN run.run_id ELSE h.closed_by_run_id END
               AS closed_by_run_id
       )
FROM (SELECT *, COLUMNS(id_column) AS version_of FROM query_table(previous_history)) AS h
CROSS JOIN run
LEFT JOIN changed AS c ON c.changed_id = h.version_of
UNION ALL BY NAME
SELECT n.* EXCLUDE (version_of),
       run.started_at AS valid_from,
       CAST(NULL AS TIMESTAMPTZ) AS valid_to,
       run.run_id AS run_id,
       CAST(NULL AS VARCHAR) AS closed_by_run_id
FROM (SELECT *, COLUMNS(id_column) AS version_of FROM query_table(registry_table)) AS n
CROSS JOIN run
JOIN changed AS c ON c.changed_id = n.version_of;

-- name: person_history
CREATE OR REPLACE TABLE work.person_history AS
SELECT *
FROM new_versions('temp.main.previous_person_history', 'work.registry_person', 'temp.main.person_change', 'person_id')
ORDER BY person_id, valid_from;

-- name: household_history
CREATE OR REPLACE TABLE work.household_history AS
SELECT *
FROM new_versions(
    'temp.main.previous_household_history', 'work.registry_household', 'temp.main.household_change', 'household_id'
)
ORDER BY household_id, valid_from;
