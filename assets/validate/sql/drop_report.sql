-- work.drop_report (created empty by create_work_tables.sql): per drop, entity, rule or warning and region, the number of distinct rows.
-- Reads the temporary tables row_region (row -> village code) and region_name (code -> newest name).
-- Bound: $run_id.
DELETE FROM work.drop_report;

INSERT INTO work.drop_report
WITH flagged AS (
    SELECT source, drop_id, file, row_number, 'rule' AS check_kind, rule AS name FROM work.quarantine
    UNION
    SELECT source, drop_id, file, row_number, 'warning' AS check_kind, warning AS name FROM work.row_warning
),
placed AS (
    SELECT f.*, lf.entity,
           CASE WHEN p.kode_digits IS NOT NULL THEN left(rr.kode, 2) END AS kode_provinsi,
           p.nama AS provinsi,
           CASE WHEN k.kode_digits IS NOT NULL THEN left(rr.kode, 4) END AS kode_kabupaten,
           k.nama AS kabupaten
    FROM flagged AS f
    LEFT JOIN work.ledger_file AS lf USING (source, drop_id, file)
    LEFT JOIN row_region AS rr USING (source, drop_id, file, row_number)
    LEFT JOIN region_name AS p ON p.kode_digits = left(rr.kode, 2)
    LEFT JOIN region_name AS k ON k.kode_digits = left(rr.kode, 4)
)
SELECT source, drop_id, entity, check_kind, name, kode_provinsi, provinsi, kode_kabupaten, kabupaten,
       count(*) AS row_count, $run_id AS run_id
FROM placed
GROUP BY ALL
ORDER BY source, drop_id, entity, check_kind, name, kode_provinsi NULLS LAST, kode_kabupaten NULLS LAST;
