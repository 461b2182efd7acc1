-- Step 3 of households: every source household record links to the registry household most of its members
-- now belong to (a stale DTKS keluarga that split links to the part holding most of its members); its
-- probability is that share. A household record with no member records links by its KK to the Dukcapil family
-- of that KK, if there is one; else it stays unlinked (a registry household is formed from members).
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
families AS (
    SELECT DISTINCT family_key FROM work.person_family
)
SELECT
    h.source,
    h.source_record_id,
    coalesce(b.family_key, k.family_key) AS family_key,
    CASE WHEN b.family_key IS NOT NULL THEN b.match_method WHEN k.family_key IS NOT NULL THEN 'no_kk' END
        AS match_method,
    CASE WHEN b.family_key IS NOT NULL THEN b.match_probability END AS match_probability
FROM work.household_record AS h
LEFT JOIN by_members AS b USING (source, source_record_id)
LEFT JOIN families AS k ON k.family_key = 'K' || h.no_kk
ORDER BY h.source, h.source_record_id;
