-- Deterministic links: an agency record whose well-formed NIK Dukcapil holds with a consistent identity
-- (name alike, birth date equal / day-month swapped / a year off: assets/reconcile/identity.py) is that
-- Dukcapil person; so is one with the very same name and sex whose birth date Dukcapil has since corrected
-- (one digit off, or the same month: nik_holder_record). A NIK shared by two people in one agency file links only the consistent one; when two
-- records of one source are both consistent (a duplicate), the closest one links here and the other is left
-- to the probabilistic linkage, which joins it only on overwhelming evidence.
-- A NIK is not trusted for a record that another member of the NIK holder's Dukcapil family fits better: twins
-- (HASAN / HUSEIN, ANI / ANA) share a birth date and often their consonants, so each twin's NIK looks consistent
-- with the other twin's record too. When a family member's name is closer to the record's and their birth date
-- is consistent with it as well, the record is that member's, not the NIK holder's: Splink decides.
CREATE OR REPLACE TABLE work.nik_padan_link AS
SELECT
    a.rid,
    d.rid AS spine_rid,
    a.tanggal_lahir = d.tanggal_lahir AS same_birth_date,
    a.nama_key = d.nama_key AS same_name
FROM work.person_record AS a
JOIN work.person_record AS d
    ON d.source = /*@spine*/ AND d.nik = a.nik
WHERE a.source <> /*@spine*/
  AND a.nik_problem IS NULL
  AND nik_holder_record(
      a.nama, d.nama, a.nama_key, d.nama_key, a.nama_skeleton, d.nama_skeleton, a.tanggal_lahir, d.tanggal_lahir,
      a.jenis_kelamin, d.jenis_kelamin
  )
  AND NOT EXISTS (
      SELECT 1
      FROM work.person_record AS o
      WHERE o.source = /*@spine*/ AND o.no_kk = d.no_kk AND o.rid <> d.rid
        AND birth_date_consistent(a.tanggal_lahir, o.tanggal_lahir)
        AND levenshtein(a.nama_key, o.nama_key) < levenshtein(a.nama_key, d.nama_key)
  )
QUALIFY row_number() OVER (
    PARTITION BY a.source, d.rid
    ORDER BY a.tanggal_lahir = d.tanggal_lahir DESC,
             birth_date_consistent(a.tanggal_lahir, d.tanggal_lahir) DESC,
             a.nama_key = d.nama_key DESC,
             a.rid
) = 1
ORDER BY d.rid, a.rid;
