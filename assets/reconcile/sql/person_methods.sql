-- Stamp every person record with its registry person and how it got there, and explain every link.
-- A record's method is the strongest link it took part in: its own Dukcapil record, a deterministic NIK
-- link (probability 1), else the best probabilistic link touching it; a record no link touched is a person
-- of its own (single_record, probability 1).
CREATE OR REPLACE TABLE work.person_record AS
WITH link_ends AS (
    SELECT rid_l AS rid, match_method, match_probability FROM work.person_link
    UNION ALL
    SELECT rid_r, match_method, match_probability FROM work.person_link
),
best AS (
    SELECT
        rid,
        bool_or(match_method = 'nik_padan') AS nik_padan,
        max(match_probability) AS best_probability
    FROM link_ends
    GROUP BY rid
)
SELECT
    r.* REPLACE (
        m.person_id AS person_id,
        CASE
            WHEN r.source = /*@spine*/ THEN 'dukcapil'
            WHEN b.nik_padan THEN 'nik_padan'
            WHEN b.rid IS NOT NULL THEN 'splink'
            ELSE 'single_record'
        END AS match_method,
        CASE
            WHEN r.source = /*@spine*/ OR b.nik_padan OR b.rid IS NULL THEN 1.0
            ELSE b.best_probability
        END AS match_probability
    )
FROM work.person_record AS r
JOIN work.person_cluster AS c USING (rid)
JOIN work.person_id_map AS m USING (cluster_rid)
LEFT JOIN best AS b USING (rid)
ORDER BY r.rid;

-- Why two records are one person: one row per link taken, with the level and weight of every comparison.
CREATE OR REPLACE TABLE work.link_evidence AS
SELECT
    l.person_id,
    l.source AS source_l,
    l.source_record_id AS source_record_id_l,
    r.source AS source_r,
    r.source_record_id AS source_record_id_r,
    k.* EXCLUDE (rid_l, rid_r)
FROM work.person_link AS k
JOIN work.person_record AS l ON l.rid = k.rid_l
JOIN work.person_record AS r ON r.rid = k.rid_r
ORDER BY l.person_id, source_l, source_record_id_l, source_r, source_record_id_r;
