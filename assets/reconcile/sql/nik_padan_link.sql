-- Deterministic links: an agency record whose well-formed NIK Dukcapil holds with a consistent identity
-- (name alike, birth date equal / day-month swapped / a year off: assets/reconcile/identity.py) is that
-- Dukcapil person. A NIK shared by two people in one agency file links only the consistent one; when two
-- records of one source are both consistent (a duplicate), the closest one links here and the other is left
-- to the probabilistic linkage, which joins it only on overwhelming evidence.
CREATE OR REPLACE TABLE work.nik_padan_link AS
SELECT
    a.rid,
    d.rid AS spine_rid,
    a.tanggal_lahir = d.tanggal_lahir AS same_birth_date,
    a.nama_key = d.nama_key AS same_name
FROM work.person_record AS a
JOIN work.person_record AS d
    ON d.source = 'dukcapil' AND d.nik = a.nik
WHERE a.source <> 'dukcapil'
  AND a.nik_problem IS NULL
  AND identity_consistent(a.nama_key, d.nama_key, a.nama_skeleton, d.nama_skeleton, a.tanggal_lahir, d.tanggal_lahir)
QUALIFY row_number() OVER (
    PARTITION BY a.source, d.rid
    ORDER BY a.tanggal_lahir = d.tanggal_lahir DESC, a.nama_key = d.nama_key DESC, a.rid
) = 1
ORDER BY d.rid, a.rid;
