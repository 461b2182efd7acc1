-- Survivorship: each registry field takes its value from one source record, by the rules of
-- config/survivorship.yaml (loaded into temp.main.survivorship_rule), and keeps where it came from.
-- Reads reconcile's work.person_resolved, work.person_record, work.household_record and the snapshots.

-- name: create_survivorship_rule
CREATE OR REPLACE TEMP TABLE survivorship_rule (
    entity VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    tier INTEGER NOT NULL,
    source_order INTEGER NOT NULL
);

-- name: insert_survivorship_rule
INSERT INTO temp.main.survivorship_rule VALUES ($entity, $field, $source, $tier, $source_order);

-- name: registry_entities
-- Every registry person and household of this run: reconcile's resolved persons, their households, and any
-- household an agency household record is linked to (kept, so that nothing linked is lost).
CREATE OR REPLACE TEMP TABLE registry_entity AS
SELECT 'person' AS entity, person_id AS entity_id FROM work.person_resolved WHERE person_id IS NOT NULL
UNION
SELECT 'household', household_id FROM work.person_resolved WHERE household_id IS NOT NULL
UNION
SELECT 'household', household_id FROM work.household_record WHERE household_id IS NOT NULL;

-- name: create_field_value
CREATE OR REPLACE TEMP TABLE field_value (
    entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    value VARCHAR,
    source VARCHAR,
    drop_id VARCHAR,
    file VARCHAR,
    row_number BIGINT,
    source_record_id VARCHAR,
    tier INTEGER,
    rule VARCHAR NOT NULL
);

-- name: person_candidates
-- Every non-empty value each person record offers. Dukcapil's name is its name as registered; agencies'
-- names are reconcile's standardised form (titles split off, spacing and case normalised).
CREATE OR REPLACE TEMP TABLE survivor_candidate AS
WITH records AS (
    SELECT person_id, source, drop_id, file, row_number, source_record_id, observed_at,
           CASE WHEN source = $spine THEN coalesce(nullif(trim(nama_raw), ''), nama) ELSE nama END AS nama,
           jenis_kelamin,
           CAST(tanggal_lahir AS VARCHAR) AS tanggal_lahir,
           kode_wilayah,
           no_kk,
           status_hidup
    FROM work.person_record
    WHERE person_id IS NOT NULL
)
SELECT 'person' AS entity, person_id AS entity_id, field, value, source, drop_id, file, row_number,
       source_record_id, observed_at,
       0 AS support_primary, 0 AS support_secondary
FROM records
UNPIVOT (value FOR field IN (nama, jenis_kelamin, tanggal_lahir, kode_wilayah, no_kk, status_hidup))
WHERE trim(value) <> '';

-- name: pick_values
-- The survivor of every (entity, field): first tier, then strongest support, then most recently observed,
-- then the order of the sources in the rule, then the latest drop, then file and row (deterministic).
-- One aggregate per (entity, field) keeps the candidate with the smallest key, the order above written as a
-- struct compared field by field (descending parts negated or ranked; NULL sorts last, as in an ORDER BY):
-- a hash aggregate, where ranking every candidate with a window sorted millions of rows on nine keys.
INSERT INTO temp.main.field_value
WITH drop_rank AS (  -- the latest drop first: a drop id's place in descending order, NULL last
    SELECT drop_id, dense_rank() OVER (ORDER BY drop_id DESC NULLS LAST) AS latest_first
    FROM (SELECT DISTINCT drop_id FROM temp.main.survivor_candidate WHERE entity = $entity)
),
picked AS (
    SELECT c.entity_id, c.field,
           arg_min(
               {'value': c.value, 'source': c.source, 'drop_id': c.drop_id, 'file': c.file,
                'row_number': c.row_number, 'source_record_id': c.source_record_id, 'tier': r.tier},
               {'tier': r.tier, 'support_primary': -c.support_primary, 'support_secondary': -c.support_secondary,
                'observed': -epoch(c.observed_at), 'source_order': r.source_order, 'drop': d.latest_first,
                'file': c.file, 'row_number': c.row_number, 'source_record_id': c.source_record_id}
           ) AS pick
    FROM temp.main.survivor_candidate AS c
    JOIN temp.main.survivorship_rule AS r ON r.entity = c.entity AND r.field = c.field AND r.source = c.source
    JOIN drop_rank AS d ON d.drop_id IS NOT DISTINCT FROM c.drop_id
    WHERE c.entity = $entity
    GROUP BY c.entity_id, c.field
)
SELECT $entity, entity_id, field, pick.value, pick.source, pick.drop_id, pick.file, pick.row_number,
       pick.source_record_id, pick.tier,
       CASE WHEN pick.tier = 1 THEN 'preferred source' ELSE 'fallback tier ' || pick.tier END
FROM picked;

-- name: default_values
-- A field no source offers takes the configured default, traced as such.
INSERT INTO temp.main.field_value
SELECT e.entity, e.entity_id, $field, $value, NULL, NULL, NULL, NULL, NULL, NULL, 'default'
FROM temp.main.registry_entity AS e
WHERE e.entity = $entity
  AND NOT EXISTS (
      SELECT 1 FROM temp.main.field_value AS v
      WHERE v.entity = e.entity AND v.entity_id = e.entity_id AND v.field = $field
  );

-- name: create_chosen_values_macro
-- The surviving values of one entity kind ('person' or 'household'), one row per entity_id and one text column
-- per field (NULL where that entity has none; a field of the other kind is simply all NULL). One pivot of
-- temp.main.field_value for both survivor tables, so a field read differs in one place only: the list below.
CREATE OR REPLACE TEMPORARY MACRO chosen_values(entity_kind) AS TABLE
PIVOT (SELECT entity_id, field, value FROM temp.main.field_value WHERE entity = entity_kind)
ON field IN (
    'nama', 'jenis_kelamin', 'tanggal_lahir', 'kode_wilayah', 'no_kk', 'status_hidup',
    'survey_record', 'miskin_ekstrem', 'p3ke_desil', 'dtks_record'
)
USING max(value)
GROUP BY entity_id;

-- name: person_survivor
-- One row per registry person with its surviving values (create_chosen_values_macro). tanggal_meninggal comes
-- from the very record that gave status_hidup (a death date from another source would contradict it).
CREATE OR REPLACE TABLE work.person_survivor AS
WITH death AS (
    SELECT v.entity_id AS person_id, any_value(r.tanggal_meninggal) AS tanggal_meninggal
    FROM temp.main.field_value AS v
    JOIN work.person_record AS r
      ON r.source = v.source AND r.drop_id = v.drop_id AND r.file = v.file AND r.row_number = v.row_number
     AND r.source_record_id = v.source_record_id AND r.person_id = v.entity_id
    WHERE v.entity = 'person' AND v.field = 'status_hidup'
    GROUP BY v.entity_id
)
SELECT p.person_id,
       p.household_id,
       p.nik,
       p.nik_status,
       c.nama,
       c.jenis_kelamin,
       CAST(c.tanggal_lahir AS DATE) AS tanggal_lahir,
       c.kode_wilayah,
       c.no_kk,
       c.status_hidup,
       CASE WHEN c.status_hidup = 'MATI' THEN CAST(d.tanggal_meninggal AS DATE) END AS tanggal_meninggal
FROM work.person_resolved AS p
LEFT JOIN chosen_values('person') AS c ON c.entity_id = p.person_id
LEFT JOIN death AS d USING (person_id)
WHERE p.person_id IS NOT NULL
ORDER BY p.person_id;

-- name: household_source_records
-- Which agency household records describe each registry household, and how strongly: the record reconcile
-- linked to it, and every record holding some of its members (a family that split keeps its members' survey).
CREATE OR REPLACE TABLE work.household_source_record AS
WITH via_members AS (
    SELECT r.source, r.source_household_id AS source_record_id, s.household_id,
           count(*) FILTER (WHERE s.status_hidup = 'HIDUP') AS living_members,
           count(*) AS members
    FROM work.person_record AS r
    JOIN work.person_survivor AS s ON s.person_id = r.person_id
    WHERE r.source <> $spine AND r.source_household_id IS NOT NULL AND s.household_id IS NOT NULL
    GROUP BY ALL
),
household_living AS (
    SELECT household_id, count(*) AS household_living_members
    FROM work.person_survivor
    WHERE status_hidup = 'HIDUP' AND household_id IS NOT NULL
    GROUP BY household_id
),
linked AS (
    SELECT DISTINCT source, source_record_id, household_id
    FROM work.household_record
    WHERE household_id IS NOT NULL
),
pairs AS (
    SELECT coalesce(l.source, m.source) AS source,
           coalesce(l.source_record_id, m.source_record_id) AS source_record_id,
           coalesce(l.household_id, m.household_id) AS household_id,
           l.household_id IS NOT NULL AS linked,
           coalesce(m.living_members, 0) AS living_members,
           coalesce(m.members, 0) AS members
    FROM linked AS l
    FULL JOIN via_members AS m
      ON m.source = l.source AND m.source_record_id = l.source_record_id AND m.household_id = l.household_id
)
SELECT p.*, coalesce(l.household_living_members, 0) AS household_living_members,
       h.drop_id, h.file, h.row_number, h.observed_at
FROM pairs AS p
JOIN work.household_record AS h ON h.source = p.source AND h.source_record_id = p.source_record_id
LEFT JOIN household_living AS l ON l.household_id = p.household_id;

-- name: household_candidates
-- Values offered for household fields.
-- (1) each member's Dukcapil record: the family card and address as Dukcapil now groups the family; support =
--     living members holding that value, then all members holding it;
-- (2) agency household records linked to the household;
-- (3) the household's Regsosek, P3KE and DTKS records: support = linked to it, then its living members in them.
INSERT INTO temp.main.survivor_candidate
WITH member_records AS (
    SELECT s.household_id, s.status_hidup = 'HIDUP' AS living, r.source, r.drop_id, r.file, r.row_number,
           r.source_record_id, r.observed_at, r.no_kk, r.kode_wilayah
    FROM work.person_record AS r
    JOIN work.person_survivor AS s ON s.person_id = r.person_id
    WHERE r.source = $spine AND s.household_id IS NOT NULL
),
member_values AS (
    SELECT * FROM member_records UNPIVOT (value FOR field IN (no_kk, kode_wilayah))
),
linked_values AS (
    SELECT * FROM (
        SELECT household_id, source, drop_id, file, row_number, source_record_id, observed_at, no_kk, kode_wilayah
        FROM work.household_record
        WHERE household_id IS NOT NULL
    ) UNPIVOT (value FOR field IN (no_kk, kode_wilayah))
),
record_values AS (
    SELECT * FROM (
        SELECT h.household_id, h.source, h.drop_id, h.file, h.row_number, h.source_record_id, h.observed_at,
               h.linked, h.living_members,
               CASE WHEN h.source = 'regsosek' THEN h.source_record_id END AS survey_record,
               CASE WHEN h.source = 'p3ke' THEN CAST(k.status_miskin_ekstrem AS VARCHAR) END AS miskin_ekstrem,
               CASE WHEN h.source = 'p3ke' THEN CAST(k.desil_kesejahteraan AS VARCHAR) END AS p3ke_desil,
               CASE WHEN h.source = 'dtks' THEN h.source_record_id END AS dtks_record
        FROM work.household_source_record AS h
        LEFT JOIN work.snapshot_p3ke_keluarga AS k
          ON h.source = 'p3ke' AND k.id_keluarga_p3ke = h.source_record_id
        -- A record holding only a minority of the family (a member who married in) does not describe it.
        WHERE h.linked OR (h.living_members > 0 AND 2 * h.living_members >= h.household_living_members)
    ) UNPIVOT (value FOR field IN (survey_record, miskin_ekstrem, p3ke_desil, dtks_record))
)
SELECT 'household', household_id, field, value, source, drop_id, file, row_number, source_record_id, observed_at,
       count(*) FILTER (WHERE living) OVER (PARTITION BY household_id, field, value),
       count(*) OVER (PARTITION BY household_id, field, value)
FROM member_values
WHERE trim(value) <> ''
UNION ALL
SELECT 'household', household_id, field, value, source, drop_id, file, row_number, source_record_id, observed_at,
       0, 0
FROM linked_values
WHERE trim(value) <> ''
UNION ALL
SELECT 'household', household_id, field, value, source, drop_id, file, row_number, source_record_id, observed_at,
       CASE WHEN linked THEN 1 ELSE 0 END, living_members
FROM record_values;

-- name: household_survivor
-- One row per registry household with its surviving values (create_chosen_values_macro) and its living / all
-- member counts.
CREATE OR REPLACE TABLE work.household_survivor AS
WITH members AS (
    SELECT household_id,
           count(*) FILTER (WHERE status_hidup = 'HIDUP') AS jumlah_anggota,
           count(*) AS anggota_tercatat
    FROM work.person_survivor
    WHERE household_id IS NOT NULL
    GROUP BY household_id
)
SELECT e.entity_id AS household_id,
       c.no_kk,
       c.kode_wilayah,
       left(c.kode_wilayah, 2) AS kode_provinsi,
       left(c.kode_wilayah, 4) AS kode_kabupaten,
       CAST(coalesce(m.jumlah_anggota, 0) AS INTEGER) AS jumlah_anggota,
       CAST(coalesce(m.anggota_tercatat, 0) AS INTEGER) AS anggota_tercatat,
       c.survey_record AS survey_record_id,
       coalesce(s.linked, false) AS survey_linked,
       CAST(c.miskin_ekstrem AS BOOLEAN) AS miskin_ekstrem,
       CAST(c.p3ke_desil AS INTEGER) AS p3ke_desil,
       c.dtks_record AS dtks_record_id
FROM temp.main.registry_entity AS e
LEFT JOIN chosen_values('household') AS c ON c.entity_id = e.entity_id
LEFT JOIN members AS m ON m.household_id = e.entity_id
LEFT JOIN work.household_source_record AS s
  ON s.household_id = e.entity_id AND s.source = 'regsosek' AND s.source_record_id = c.survey_record
WHERE e.entity = 'household'
ORDER BY e.entity_id;

-- name: field_provenance
-- Where every surviving value came from (the values themselves stay in the registry tables).
CREATE OR REPLACE TABLE work.field_provenance AS
SELECT entity, entity_id AS registry_id, field, source, drop_id, file, row_number, source_record_id, tier, rule,
       $rule_version AS rule_version
FROM temp.main.field_value;
