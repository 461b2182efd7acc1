-- Step 3 of households: every source household record links to the registry family it describes, by the evidence
-- that survives what families go through (agencies keep listing a family long after it changed):
--   head     the record's one listed head (hubungan 1) is a member of the family. A family that splits (pecah
--            KK) keeps its head and its KK, so a record listing the pre-split family goes to the parents even
--            where most of its listed members now sit in the child's KK; a dead head left alone on an old KK
--            is already with the surviving spouse's family (household_family_dukcapil.sql), and a widowed parent
--            who joined a child's family takes their old record along. Probability 1.
--   kk       no head linked, but the record's KK is the current KK of a Dukcapil family holding some of its
--            members. Probability 1.
--   members  else the family most of its members belong to; probability = that share.
-- A record with no member records (all quarantined, or never listed) links by its KK (no_kk): to the Dukcapil
-- family of that KK, else to the family another agency's record of that KK links to. A record none of that
-- finds is a household of its own (single_record, probability 1): nothing accepted is left without a registry
-- household. It has no member, so it is never ranked nor eligible; its id is kept by its own record.
-- Why each record went where it went is written to work.link_evidence by household_evidence.sql.
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
    SELECT source, source_record_id, family_key, votes, members
    FROM member_votes
    QUALIFY row_number() OVER (
        PARTITION BY source, source_record_id ORDER BY votes DESC, holds_head DESC, family_key
    ) = 1
),
by_head AS (
    SELECT m.source, m.source_household_id AS source_record_id, f.family_key
    FROM work.agency_membership AS m
    JOIN work.person_family AS f USING (person_id)
    WHERE m.hubungan = 1
    QUALIFY count(*) OVER (PARTITION BY m.source, m.source_household_id) = 1
),
by_kk AS (
    SELECT v.source, v.source_record_id, v.family_key
    FROM member_votes AS v
    JOIN work.household_record AS h USING (source, source_record_id)
    WHERE v.family_key = 'K' || h.no_kk
),
linked AS (
    SELECT
        coalesce(hd.source, k.source, b.source) AS source,
        coalesce(hd.source_record_id, k.source_record_id, b.source_record_id) AS source_record_id,
        coalesce(hd.family_key, k.family_key, b.family_key) AS family_key,
        CASE WHEN hd.family_key IS NOT NULL THEN 'head' WHEN k.family_key IS NOT NULL THEN 'kk' ELSE 'members' END
            AS match_method
    FROM by_members AS b
    LEFT JOIN by_head AS hd USING (source, source_record_id)
    LEFT JOIN by_kk AS k USING (source, source_record_id)
),
dukcapil_kk AS (
    SELECT DISTINCT family_key, substr(family_key, 2) AS no_kk
    FROM work.person_family
    WHERE family_key LIKE 'K%'
),
agency_kk AS (
    -- The family the member-linked household records of a KK point to (most of them; ties: the smaller key).
    SELECT h.no_kk, l.family_key
    FROM work.household_record AS h
    JOIN linked AS l USING (source, source_record_id)
    WHERE h.no_kk IS NOT NULL
    GROUP BY h.no_kk, l.family_key
    QUALIFY row_number() OVER (PARTITION BY h.no_kk ORDER BY count(*) DESC, l.family_key) = 1
)
SELECT
    h.source,
    h.source_record_id,
    coalesce(l.family_key, d.family_key, a.family_key, 'R' || h.source || ':' || h.source_record_id)
        AS family_key,
    CASE
        WHEN l.family_key IS NOT NULL THEN l.match_method
        WHEN coalesce(d.family_key, a.family_key) IS NOT NULL THEN 'no_kk'
        ELSE 'single_record'
    END AS match_method,
    CASE WHEN l.match_method = 'members' THEN v.votes / v.members ELSE 1.0 END AS match_probability
FROM work.household_record AS h
LEFT JOIN linked AS l USING (source, source_record_id)
LEFT JOIN member_votes AS v
  ON v.source = h.source AND v.source_record_id = h.source_record_id AND v.family_key = l.family_key
LEFT JOIN dukcapil_kk AS d ON d.no_kk = h.no_kk
LEFT JOIN agency_kk AS a ON a.no_kk = h.no_kk
ORDER BY h.source, h.source_record_id;
