-- Nothing is lost: every accepted row of every source's current state is in work.source_link exactly once
-- (Dukcapil: one per NIK of the replayed population), persons with a registry person. One row per problem.
WITH expected AS (
    /*@expected_records*/
    UNION ALL SELECT /*@spine*/, 'person', nik FROM work.dukcapil_person
),
expected_counts AS (
    SELECT source, entity, source_record_id, count(*) AS expected FROM expected GROUP BY ALL
),
linked AS (
    SELECT source, entity, source_record_id, count(*) AS linked,
           count(*) FILTER (WHERE entity = 'person' AND registry_id IS NULL) AS without_person
    FROM work.source_link GROUP BY ALL
)
SELECT
    coalesce(e.source, l.source) AS source,
    coalesce(e.entity, l.entity) AS entity,
    CASE
        WHEN l.linked IS NULL THEN 'not in source_link'
        WHEN e.expected IS NULL THEN 'in source_link but in no snapshot'
        WHEN l.linked <> 1 THEN 'in source_link more than once'
        WHEN l.without_person > 0 THEN 'person record without a registry person'
    END AS problem,
    count(*) AS records
FROM expected_counts AS e
FULL JOIN linked AS l USING (source, entity, source_record_id)
WHERE l.linked IS NULL OR e.expected IS NULL OR l.linked <> 1 OR l.without_person > 0
GROUP BY ALL
ORDER BY ALL;
