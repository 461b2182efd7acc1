-- Step 4 of households: stamp persons and household records with their registry household, and describe
-- each registry household (its KK and village, members, living members) for the registry stage.
CREATE OR REPLACE TABLE work.person_resolved AS
SELECT p.* REPLACE (i.household_id AS household_id)
FROM work.person_resolved AS p
JOIN work.person_family AS f USING (person_id)
JOIN work.household_id_map AS i USING (family_key)
ORDER BY p.person_id;

CREATE OR REPLACE TABLE work.household_record AS
SELECT
    h.* REPLACE (
        i.household_id AS household_id,
        f.match_method AS match_method,
        f.match_probability AS match_probability
    )
FROM work.household_record AS h
LEFT JOIN work.household_family AS f USING (source, source_record_id)
LEFT JOIN work.household_id_map AS i USING (family_key)
ORDER BY h.source, h.source_record_id;

-- Where a registry household lives and which KK it holds: Dukcapil's for a Dukcapil family (the village most
-- of its living members are registered in, ties to the smaller code), else the latest agency household record.
CREATE OR REPLACE TABLE work.household_resolved AS
WITH members AS (
    SELECT
        f.family_key,
        f.family_basis,
        f.person_id,
        d.no_kk,
        d.kode_wilayah,
        coalesce(d.status_hidup, 'HIDUP') AS status_hidup
    FROM work.person_family AS f
    LEFT JOIN work.person_record AS d ON d.person_id = f.person_id AND d.source = /*@spine*/
),
dukcapil_village AS (
    SELECT family_key, kode_wilayah
    FROM members
    WHERE kode_wilayah IS NOT NULL
    GROUP BY family_key, kode_wilayah
    QUALIFY row_number() OVER (
        PARTITION BY family_key
        ORDER BY count(*) FILTER (WHERE status_hidup = 'HIDUP') DESC, count(*) DESC, kode_wilayah
    ) = 1
),
latest_agency AS (
    SELECT
        f.family_key,
        arg_max(h.no_kk, (h.observed_at, h.source, h.source_record_id)) AS no_kk,
        arg_max(h.kode_wilayah, (h.observed_at, h.source, h.source_record_id)) AS kode_wilayah
    FROM work.household_family AS f
    JOIN work.household_record AS h USING (source, source_record_id)
    WHERE f.match_method IN ('head', 'kk', 'members')
    GROUP BY f.family_key
)
SELECT
    i.household_id,
    min(m.family_basis) AS basis,
    coalesce(min(m.no_kk), any_value(a.no_kk)) AS no_kk,
    coalesce(any_value(v.kode_wilayah), any_value(a.kode_wilayah)) AS kode_wilayah,
    count(*) AS members,
    count(*) FILTER (WHERE m.status_hidup = 'HIDUP') AS living_members
FROM members AS m
JOIN work.household_id_map AS i USING (family_key)
LEFT JOIN dukcapil_village AS v USING (family_key)
LEFT JOIN latest_agency AS a USING (family_key)
GROUP BY i.household_id
ORDER BY i.household_id;

-- The contract's registry.source_link: persons (written by resolved_persons) and households.
DELETE FROM work.source_link WHERE entity = 'household';
INSERT INTO work.source_link
SELECT source, drop_id, 'household', source_record_id, household_id, match_method, match_probability
FROM work.household_record
ORDER BY source, source_record_id;
