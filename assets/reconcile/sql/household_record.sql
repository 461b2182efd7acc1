-- Every source's household records in one canonical shape (docs/architecture.md, work.household_record).
-- One branch per agency that declares households (assets/reconcile/declared_sql.py). Dukcapil has no household
-- records: its families are KK groupings of work.dukcapil_person.
CREATE OR REPLACE TABLE work.household_record AS
WITH delivered AS (
/*@delivered_households*/
)
SELECT
    source,
    drop_id,
    file,
    row_number,
    source_record_id,
    linkage_number(kk_raw) AS no_kk,
    nullif(regexp_replace(region_raw, '[^0-9]', '', 'g'), '') AS kode_wilayah,
    alamat,
    observed_at,
    NULL::VARCHAR AS household_id,
    NULL::VARCHAR AS match_method,
    NULL::DOUBLE AS match_probability
FROM delivered
ORDER BY source, source_record_id;
