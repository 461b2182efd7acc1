-- The changelog of a run: one row per change a person would want explained, with the reason.
-- Compares this run's registry (work.registry_*) with the published one (work.previous_*). Names and NIKs are
-- masked in old_value / new_value, birth dates hidden whole; the full values stay in the history tables.
-- The vocabulary of `change` is documented in assets/registry/history.py (CHANGES).

-- name: create_changelog
CREATE OR REPLACE TABLE work.changelog (
    run_id VARCHAR NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    change VARCHAR NOT NULL,
    field VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR,
    reason VARCHAR NOT NULL
);

-- name: provenance_text
-- "dukcapil drop 20261124 (peristiwa.csv row 7)" for every traced value of an entity that changed in this run:
-- the reason a value is what it is.
CREATE OR REPLACE TEMP TABLE provenance_text AS
SELECT f.entity, f.registry_id, f.field,
       CASE WHEN f.source IS NULL THEN 'default (no source states it)'
            ELSE f.source || ' drop ' || f.drop_id || ' (' || f.file || ' row ' || f.row_number || ')'
       END AS origin
FROM work.field_provenance AS f
WHERE (f.entity = 'person' AND f.registry_id IN (SELECT person_id FROM temp.main.person_change))
   OR (f.entity = 'household' AND f.registry_id IN (SELECT household_id FROM temp.main.household_change));

-- name: changelog_person
-- entered / died / status_corrected / moved / household_changed / identity_corrected / nik_changed /
-- nik_status_changed / kk_changed for persons present in this run.
INSERT INTO work.changelog
WITH run AS (SELECT run_id, started_at FROM work.run),
pairs AS (
    SELECT n.*, p.person_id IS NOT NULL AS was_there,
           p.nik AS old_nik, p.nik_status AS old_nik_status, p.nama AS old_nama, p.jenis_kelamin AS old_jenis_kelamin,
           p.tanggal_lahir AS old_tanggal_lahir, p.household_id AS old_household_id,
           p.kode_wilayah AS old_kode_wilayah, p.status_hidup AS old_status_hidup, p.no_kk AS old_no_kk
    FROM work.registry_person AS n
    JOIN temp.main.person_change AS c ON c.person_id = n.person_id
    LEFT JOIN temp.main.previous_person AS p ON p.person_id = n.person_id
),
changes AS (
    SELECT person_id, 'entered' AS change, NULL AS field, NULL AS old_value, household_id AS new_value,
           'new in the registry; identity from ' || coalesce(o.origin, 'agency records') AS reason
    FROM pairs LEFT JOIN temp.main.provenance_text AS o
      ON o.entity = 'person' AND o.registry_id = pairs.person_id AND o.field = 'nama'
    WHERE NOT was_there
    UNION ALL
    SELECT person_id, 'died', 'status_hidup', old_status_hidup, status_hidup, 'status_hidup from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'person' AND o.registry_id = pairs.person_id AND o.field = 'status_hidup'
    WHERE was_there AND status_hidup = 'MATI' AND old_status_hidup IS DISTINCT FROM 'MATI'
    UNION ALL
    SELECT person_id, 'status_corrected', 'status_hidup', old_status_hidup, status_hidup,
           'status_hidup from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'person' AND o.registry_id = pairs.person_id AND o.field = 'status_hidup'
    WHERE was_there AND old_status_hidup = 'MATI' AND status_hidup IS DISTINCT FROM 'MATI'
    UNION ALL
    SELECT person_id, 'moved', 'kode_wilayah', old_kode_wilayah, kode_wilayah, 'kode_wilayah from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'person' AND o.registry_id = pairs.person_id AND o.field = 'kode_wilayah'
    WHERE was_there AND kode_wilayah IS DISTINCT FROM old_kode_wilayah
    UNION ALL
    SELECT person_id, 'household_changed', 'household_id', old_household_id, household_id,
           'now a member of ' || coalesce(household_id, 'no household') || ' (was '
               || coalesce(old_household_id, 'none') || '), as reconciled from the current family records'
    FROM pairs
    WHERE was_there AND household_id IS DISTINCT FROM old_household_id
    UNION ALL
    SELECT person_id, 'kk_changed', 'no_kk', mask_number(old_no_kk), mask_number(no_kk), 'no_kk from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'person' AND o.registry_id = pairs.person_id AND o.field = 'no_kk'
    WHERE was_there AND no_kk IS DISTINCT FROM old_no_kk
    UNION ALL
    SELECT person_id, 'identity_corrected', 'nama', mask_name(old_nama), mask_name(nama), 'nama from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'person' AND o.registry_id = pairs.person_id AND o.field = 'nama'
    WHERE was_there AND nama IS DISTINCT FROM old_nama
    UNION ALL
    SELECT person_id, 'identity_corrected', 'jenis_kelamin', old_jenis_kelamin, jenis_kelamin,
           'jenis_kelamin from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'person' AND o.registry_id = pairs.person_id AND o.field = 'jenis_kelamin'
    WHERE was_there AND jenis_kelamin IS DISTINCT FROM old_jenis_kelamin
    UNION ALL
    -- a birth date identifies a person (with the region): the changelog says it was corrected, never what to
    SELECT person_id, 'identity_corrected', 'tanggal_lahir',
           CASE WHEN old_tanggal_lahir IS NULL THEN NULL ELSE '****-**-**' END,
           CASE WHEN tanggal_lahir IS NULL THEN NULL ELSE '****-**-**' END, 'tanggal_lahir from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'person' AND o.registry_id = pairs.person_id AND o.field = 'tanggal_lahir'
    WHERE was_there AND tanggal_lahir IS DISTINCT FROM old_tanggal_lahir
    UNION ALL
    SELECT person_id, 'nik_changed', 'nik', mask_number(old_nik), mask_number(nik),
           'best NIK of the person''s records changed (nik_status ' || coalesce(nik_status, 'unknown') || ')'
    FROM pairs
    WHERE was_there AND nik IS DISTINCT FROM old_nik
    UNION ALL
    SELECT person_id, 'nik_status_changed', 'nik_status', old_nik_status, nik_status,
           'identity checked again against Dukcapil'
    FROM pairs
    WHERE was_there AND nik_status IS DISTINCT FROM old_nik_status
)
SELECT run.run_id, run.started_at, 'person', person_id, change, field, old_value, new_value, reason
FROM changes CROSS JOIN run;

-- name: changelog_person_gone
-- A person of the published registry who is no longer one: merged into another person (their records now
-- belong to that person) or removed (none of their records is delivered any more).
INSERT INTO work.changelog
WITH run AS (SELECT run_id, started_at FROM work.run),
gone AS (
    SELECT c.person_id FROM temp.main.person_change AS c WHERE c.kind = 'removed'
),
successor AS (
    SELECT g.person_id, n.registry_id AS new_person_id, count(*) AS records
    FROM gone AS g
    JOIN temp.main.previous_source_link AS o ON o.entity = 'person' AND o.registry_id = g.person_id
    JOIN work.registry_source_link AS n
      ON n.entity = 'person' AND n.source = o.source AND n.source_record_id = o.source_record_id
    GROUP BY g.person_id, n.registry_id
    QUALIFY row_number() OVER (PARTITION BY g.person_id ORDER BY records DESC, new_person_id) = 1
)
SELECT run.run_id, run.started_at, 'person', g.person_id,
       CASE WHEN s.new_person_id IS NULL THEN 'removed' ELSE 'merged' END,
       CASE WHEN s.new_person_id IS NULL THEN NULL ELSE 'person_id' END,
       g.person_id,
       s.new_person_id,
       CASE WHEN s.new_person_id IS NULL THEN 'none of the person''s source records is delivered any more'
            ELSE s.records || ' of the person''s source records now belong to ' || s.new_person_id
       END
FROM gone AS g
CROSS JOIN run
LEFT JOIN successor AS s USING (person_id);

-- name: changelog_household
-- Households: entered / split / merged / removed / moved / kk_changed / members_changed / decile_changed /
-- eligibility_changed / miskin_ekstrem_changed.
INSERT INTO work.changelog
WITH run AS (SELECT run_id, started_at FROM work.run),
-- where each current member was in the published registry
member_origin AS (
    SELECT n.household_id, p.household_id AS previous_household_id, count(*) AS members
    FROM work.registry_person AS n
    JOIN temp.main.previous_person AS p USING (person_id)
    WHERE n.household_id IS NOT NULL AND p.household_id IS NOT NULL
    GROUP BY ALL
),
-- where each previous member is now
member_destination AS (
    SELECT p.household_id AS previous_household_id, n.household_id, count(*) AS members
    FROM temp.main.previous_person AS p
    JOIN work.registry_person AS n USING (person_id)
    WHERE n.household_id IS NOT NULL AND p.household_id IS NOT NULL
    GROUP BY ALL
),
entered AS (
    SELECT c.household_id,
           (SELECT o.previous_household_id FROM member_origin AS o
            JOIN work.registry_household AS still ON still.household_id = o.previous_household_id
            WHERE o.household_id = c.household_id
            ORDER BY o.members DESC, o.previous_household_id LIMIT 1) AS split_from
    FROM temp.main.household_change AS c
    WHERE c.kind = 'entered'
),
gone AS (
    SELECT c.household_id,
           (SELECT d.household_id FROM member_destination AS d
            WHERE d.previous_household_id = c.household_id
            ORDER BY d.members DESC, d.household_id LIMIT 1) AS merged_into
    FROM temp.main.household_change AS c
    WHERE c.kind = 'removed'
),
pairs AS (
    SELECT n.*, p.no_kk AS old_no_kk, p.kode_wilayah AS old_kode_wilayah, p.jumlah_anggota AS old_jumlah_anggota,
           p.welfare_score AS old_welfare_score, p.desil_nasional AS old_desil_nasional,
           p.miskin_ekstrem AS old_miskin_ekstrem, p.eligible_pkh AS old_eligible_pkh,
           p.eligible_bpnt AS old_eligible_bpnt, p.eligible_pbi AS old_eligible_pbi
    FROM work.registry_household AS n
    JOIN temp.main.household_change AS c ON c.household_id = n.household_id AND c.kind = 'changed'
    JOIN temp.main.previous_household AS p ON p.household_id = n.household_id
),
person_moves AS (
    -- per household: members who died, entered, joined and left in this run (for members_changed reasons)
    SELECT household_id,
           count(*) FILTER (WHERE change = 'died') AS died,
           count(*) FILTER (WHERE change = 'entered') AS entered,
           count(*) FILTER (WHERE change = 'joined') AS joined,
           count(*) FILTER (WHERE change = 'left') AS left_household
    FROM (
        SELECT c.new_value AS household_id, 'entered' AS change FROM work.changelog AS c
        WHERE c.entity = 'person' AND c.change = 'entered'
        UNION ALL
        SELECT n.household_id, 'died' FROM work.changelog AS c
        JOIN work.registry_person AS n ON n.person_id = c.entity_id
        WHERE c.entity = 'person' AND c.change = 'died'
        UNION ALL
        SELECT c.new_value, 'joined' FROM work.changelog AS c
        WHERE c.entity = 'person' AND c.change = 'household_changed'
        UNION ALL
        SELECT c.old_value, 'left' FROM work.changelog AS c
        WHERE c.entity = 'person' AND c.change = 'household_changed'
        UNION ALL
        SELECT p.household_id, 'left' FROM work.changelog AS c
        JOIN temp.main.previous_person AS p ON p.person_id = c.entity_id
        WHERE c.entity = 'person' AND c.change IN ('merged', 'removed')
    )
    WHERE household_id IS NOT NULL
    GROUP BY household_id
),
eligibility_now AS (
    SELECT household_id, programme, reason FROM work.eligibility
),
changes AS (
    SELECT household_id,
           CASE WHEN split_from IS NULL THEN 'entered' ELSE 'split' END AS change,
           CASE WHEN split_from IS NULL THEN NULL ELSE 'household_id' END AS field,
           split_from AS old_value,
           household_id AS new_value,
           CASE WHEN split_from IS NULL THEN 'new family in the registry'
                ELSE 'members split off from ' || split_from || ' (a new family card in Dukcapil)'
           END AS reason
    FROM entered
    UNION ALL
    SELECT household_id,
           CASE WHEN merged_into IS NULL THEN 'removed' ELSE 'merged' END,
           CASE WHEN merged_into IS NULL THEN NULL ELSE 'household_id' END,
           household_id,
           merged_into,
           CASE WHEN merged_into IS NULL THEN 'no member of the family remains in the registry'
                ELSE 'its members now belong to ' || merged_into
           END
    FROM gone
    UNION ALL
    SELECT household_id, 'moved', 'kode_wilayah', old_kode_wilayah, kode_wilayah, 'kode_wilayah from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'household' AND o.registry_id = pairs.household_id AND o.field = 'kode_wilayah'
    WHERE kode_wilayah IS DISTINCT FROM old_kode_wilayah
    UNION ALL
    SELECT household_id, 'kk_changed', 'no_kk', mask_number(old_no_kk), mask_number(no_kk), 'no_kk from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'household' AND o.registry_id = pairs.household_id AND o.field = 'no_kk'
    WHERE no_kk IS DISTINCT FROM old_no_kk
    UNION ALL
    SELECT pairs.household_id, 'members_changed', 'jumlah_anggota', CAST(old_jumlah_anggota AS VARCHAR),
           CAST(jumlah_anggota AS VARCHAR),
           'living members: ' || coalesce(m.died, 0) || ' died, ' || coalesce(m.entered, 0) || ' new, '
               || coalesce(m.joined, 0) || ' joined, ' || coalesce(m.left_household, 0) || ' left'
    FROM pairs LEFT JOIN person_moves AS m USING (household_id)
    WHERE jumlah_anggota IS DISTINCT FROM old_jumlah_anggota
    UNION ALL
    SELECT household_id, 'decile_changed', 'desil_nasional', CAST(old_desil_nasional AS VARCHAR),
           CAST(desil_nasional AS VARCHAR),
           CASE
               WHEN desil_nasional IS NULL THEN 'no living member: out of the ranking'
               WHEN welfare_score IS DISTINCT FROM old_welfare_score
                   THEN 'welfare_score ' || coalesce(CAST(old_welfare_score AS VARCHAR), 'none') || ' -> '
                        || welfare_score || ' (' || welfare_source || ')'
               ELSE 'welfare_score unchanged (' || welfare_score || '); other households'' scores moved the ranking'
           END
    FROM pairs
    WHERE desil_nasional IS DISTINCT FROM old_desil_nasional
    UNION ALL
    SELECT household_id, 'eligibility_changed', 'eligible_' || programme, CAST(old_flag AS VARCHAR),
           CAST(new_flag AS VARCHAR), e.reason
    FROM (
        SELECT household_id, 'pkh' AS programme, old_eligible_pkh AS old_flag, eligible_pkh AS new_flag FROM pairs
        UNION ALL
        SELECT household_id, 'bpnt', old_eligible_bpnt, eligible_bpnt FROM pairs
        UNION ALL
        SELECT household_id, 'pbi', old_eligible_pbi, eligible_pbi FROM pairs
    ) AS flags
    JOIN eligibility_now AS e USING (household_id, programme)
    WHERE new_flag IS DISTINCT FROM old_flag
    UNION ALL
    SELECT household_id, 'miskin_ekstrem_changed', 'miskin_ekstrem', CAST(old_miskin_ekstrem AS VARCHAR),
           CAST(miskin_ekstrem AS VARCHAR), 'miskin_ekstrem from ' || o.origin
    FROM pairs JOIN temp.main.provenance_text AS o
      ON o.entity = 'household' AND o.registry_id = pairs.household_id AND o.field = 'miskin_ekstrem'
    WHERE miskin_ekstrem IS DISTINCT FROM old_miskin_ekstrem
)
SELECT run.run_id, run.started_at, 'household', household_id, change, field, old_value, new_value, reason
FROM changes CROSS JOIN run;
