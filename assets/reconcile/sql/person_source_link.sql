-- The contract's registry.source_link, person rows: every accepted person record of each source's current
-- state (Dukcapil: one per NIK, its drop_id the drop that last changed the person).
CREATE OR REPLACE TABLE work.source_link AS
SELECT
    source,
    drop_id,
    'person' AS entity,
    source_record_id,
    person_id AS registry_id,
    match_method,
    match_probability
FROM work.person_record
ORDER BY source, source_record_id;
