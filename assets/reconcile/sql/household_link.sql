-- Step 3 of households: every source household record links to the registry household most of its members
-- now belong to (a stale DTKS keluarga that split links to the part holding most of its members); its
-- probability is that share. A household record with no member records (its members were all quarantined, or
-- never listed) links by its KK: to the Dukcapil family of that KK, else to the family another agency's record
-- of that KK links to by its members (probability 1: the same family card). A record none of that finds is a
-- household of its own (single_record, probability 1): nothing accepted is left without a registry household.
-- It has no member, so it is never ranked nor eligible; its id is kept by its own record from run to run.
CREATE OR REPLACE TABLE work.household_family AS
WITH member_votes AS (
    SELECT
        m.source,
        m.source_household_id AS source_record_id,
        f.family_key,
        count(*) AS votes,
        bool_or(m.hubungan = 1) AS holds_head,
        sum(count(*)) OVER (PARTITION BY m.source, m.source_household_id) AS members
    FROM work.agency_membership AS m
    JOIN work.person_family AS f USING (person_id)
    GROUP BY m.source, m.source_household_id, f.family_key
),
by_members AS (
    SELECT source, source_record_id, family_key, 'members' AS match_method, votes / members AS match_probability
    FROM member_votes
    QUALIFY row_number() OVER (
        PARTITION BY source, source_record_id ORDER BY votes DESC, holds_head DESC, family_key
    ) = 1
),
dukcapil_kk AS (
    SELECT DISTINCT family_key, substr(family_key, 2) AS no_kk
    FROM work.person_family
    WHERE family_key LIKE 'K%'
),
agency_kk AS (
    -- The family the member-linked household records of a KK point to (most of them; ties: the smaller key).
    SELECT h.no_kk, b.family_key
    FROM work.household_record AS h
    JOIN by_members AS b USING (source, source_record_id)
    WHERE h.no_kk IS NOT NULL
    GROUP BY h.no_kk, b.family_key
    QUALIFY row_number() OVER (PARTITION BY h.no_kk ORDER BY count(*) DESC, b.family_key) = 1
)
SELECT
    h.source,
    h.source_record_id,
    coalesce(b.family_key, d.family_key, a.family_key, 'R' || h.source || ':' || h.source_record_id)
        AS family_key,
    CASE
        WHEN b.family_key IS NOT NULL THEN b.match_method
        WHEN coalesce(d.family_key, a.family_key) IS NOT NULL THEN 'no_kk'
        ELSE 'single_record'
    END AS match_method,
    coalesce(b.match_probability, 1.0) AS match_probability
FROM work.household_record AS h
LEFT JOIN by_members AS b USING (source, source_record_id)
LEFT JOIN dukcapil_kk AS d ON d.no_kk = h.no_kk
LEFT JOIN agency_kk AS a ON a.no_kk = h.no_kk
ORDER BY h.source, h.source_record_id;
