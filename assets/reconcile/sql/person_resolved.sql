-- One row per registry person with its best NIK and the NIK status of contract section 3:
--   padan        Dukcapil holds the person's NIK with a consistent identity: the person is linked to a Dukcapil
--                record (deterministically, or by a probabilistic link that passed the identity guard);
--   tidak_padan  not linked to Dukcapil, best NIK well-formed (not found, or held by someone else);
--   invalid      only malformed NIKs;
--   missing      no NIK at all.
-- Best NIK: Dukcapil's; else the well-formed one delivered most often (then the one seen first), else the
-- malformed one delivered most often. A well-formed placeholder (1111111111111111) counts as well-formed, as
-- the contract's rule says, though it was never used for linkage.
CREATE OR REPLACE TABLE work.person_resolved AS
WITH persons AS (
    SELECT
        person_id,
        count(*) AS records,
        string_agg(DISTINCT source, ',' ORDER BY source) AS sources
    FROM work.person_record
    GROUP BY person_id
),
spine AS (
    SELECT person_id, min(nik_raw) AS nik
    FROM work.person_record
    WHERE source = /*@spine*/
    GROUP BY person_id
),
candidates AS (
    SELECT
        person_id,
        nik_raw,
        nik_problem IS NULL OR nik_problem = 'placeholder' AS well_formed,
        count(*) AS times,
        min(rid) AS first_rid
    FROM work.person_record
    WHERE source <> /*@spine*/ AND nik_raw IS NOT NULL
    GROUP BY ALL
),
best AS (
    SELECT *
    FROM candidates
    QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY well_formed DESC, times DESC, first_rid) = 1
)
SELECT
    p.person_id,
    NULL::VARCHAR AS household_id,
    coalesce(s.nik, b.nik_raw) AS nik,
    CASE
        WHEN s.person_id IS NOT NULL THEN 'padan'
        WHEN b.well_formed THEN 'tidak_padan'
        WHEN b.person_id IS NOT NULL THEN 'invalid'
        ELSE 'missing'
    END AS nik_status,
    p.records,
    p.sources
FROM persons AS p
LEFT JOIN spine AS s USING (person_id)
LEFT JOIN best AS b USING (person_id)
ORDER BY p.person_id;
