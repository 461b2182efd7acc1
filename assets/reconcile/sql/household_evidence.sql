-- Why every household link was made, next to the person links in work.link_evidence (published as
-- registry.link_evidence): one row per source household record (entity 'household': the record on the left, its
-- listed head's person record on the right when the head decided) and one per person whose family was found
-- from agency records rather than Dukcapil's KK (entity 'household_member': a dead person alone on an old KK
-- placed with their spouse's family, a person Dukcapil lacks placed with their household-mates). Person links
-- get entity 'person' and their registry household. A re-run of the household step replaces its own rows.
ALTER TABLE work.link_evidence ADD COLUMN IF NOT EXISTS entity VARCHAR DEFAULT 'person';
ALTER TABLE work.link_evidence ADD COLUMN IF NOT EXISTS household_id VARCHAR;
ALTER TABLE work.link_evidence ADD COLUMN IF NOT EXISTS reason VARCHAR;
DELETE FROM work.link_evidence WHERE entity <> 'person';
UPDATE work.link_evidence AS e SET household_id = p.household_id
FROM work.person_resolved AS p
WHERE e.entity = 'person' AND p.person_id = e.person_id;

INSERT INTO work.link_evidence BY NAME
WITH listed AS (
    SELECT r.source, r.source_household_id AS source_record_id, p.household_id,
           count(*) AS members,
           count(*) FILTER (WHERE r.hubungan = 1) AS heads,
           arg_max(r.source_record_id, r.hubungan = 1) AS head_record
    FROM work.person_record AS r
    JOIN work.person_resolved AS p USING (person_id)
    WHERE r.source <> /*@spine*/ AND r.source_household_id IS NOT NULL
    GROUP BY ALL
),
totals AS (
    SELECT source, source_record_id, sum(members) AS listed FROM listed GROUP BY ALL
)
SELECT
    'household' AS entity,
    h.household_id,
    h.source AS source_l,
    h.source_record_id AS source_record_id_l,
    CASE WHEN h.match_method = 'head' THEN h.source END AS source_r,
    CASE WHEN h.match_method = 'head' THEN l.head_record END AS source_record_id_r,
    h.match_method,
    h.match_probability,
    CASE h.match_method
        WHEN 'head' THEN 'its listed head is a member of this household'
        WHEN 'kk' THEN 'its KK is this household''s current KK and some of its members are here'
        WHEN 'members' THEN 'most of its listed members are here (no listed head found)'
        WHEN 'no_kk' THEN 'no member linked; its KK is this household''s'
        ELSE 'no member linked and no known KK: a household of its own'
    END
    || CASE WHEN t.listed IS NOT NULL
            THEN '; ' || coalesce(l.members, 0) || ' of ' || t.listed || ' listed members here' ELSE '' END
    || CASE WHEN h.no_kk IS NOT NULL AND h.match_method <> 'no_kk'
            THEN CASE WHEN h.no_kk = r.no_kk THEN '; same KK' ELSE '; another KK' END ELSE '' END
        AS reason
FROM work.household_record AS h
LEFT JOIN listed AS l USING (source, source_record_id, household_id)
LEFT JOIN totals AS t USING (source, source_record_id)
LEFT JOIN work.household_resolved AS r USING (household_id)
ORDER BY h.source, h.source_record_id;

INSERT INTO work.link_evidence BY NAME
SELECT
    'household_member' AS entity,
    p.household_id,
    f.person_id,
    f.family_basis AS match_method,
    1.0 AS match_probability,
    CASE f.family_basis
        WHEN 'spouse' THEN 'dead and alone on a KK with no living member: with the family of the spouse listed '
            || 'with them as head and spouse'
        WHEN 'household_mates' THEN 'not on a living Dukcapil KK: with the family their agency household-mates are in'
        WHEN 'agency_households' THEN 'no household-mate in Dukcapil: the agency households they share'
        ELSE 'in no household record: a household of their own'
    END AS reason
FROM work.person_family AS f
JOIN work.person_resolved AS p USING (person_id)
WHERE f.family_basis <> 'dukcapil_kk'
ORDER BY f.person_id;
