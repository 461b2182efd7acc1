-- Invariants of the ranking, checked on this run's work tables before publish (blocking) and on the published
-- registry after it. Both read the temporary views checked_household / checked_person (never persisted).

-- name: checked_from_work
CREATE OR REPLACE TEMP VIEW checked_household AS
SELECT w.household_id, w.kode_provinsi, w.kode_kabupaten, w.jumlah_anggota, w.welfare_score, w.desil_nasional,
       w.desil_provinsi, w.desil_kabupaten, e.eligible_pkh, e.eligible_bpnt, e.eligible_pbi
FROM work.household_welfare AS w
LEFT JOIN work.household_eligibility AS e USING (household_id);

-- name: checked_person_from_work
CREATE OR REPLACE TEMP VIEW checked_person AS
SELECT person_id, household_id, status_hidup FROM work.person_survivor;

-- name: checked_from_registry
CREATE OR REPLACE TEMP VIEW checked_household AS
SELECT household_id, kode_provinsi, kode_kabupaten, jumlah_anggota, welfare_score, desil_nasional, desil_provinsi,
       desil_kabupaten, eligible_pkh, eligible_bpnt, eligible_pbi
FROM registry.household;

-- name: checked_person_from_registry
CREATE OR REPLACE TEMP VIEW checked_person AS
SELECT person_id, household_id, status_hidup FROM registry.person;

-- name: check_decile_sizes
-- Groups (the nation, each province, each regency) whose ten deciles differ in size by more than one household.
WITH ranked AS (
    SELECT * FROM checked_household WHERE jumlah_anggota > 0
),
assigned AS (
    SELECT 'nasional' AS level, 'all' AS grouping, desil_nasional AS desil FROM ranked
    UNION ALL
    SELECT 'provinsi', kode_provinsi, desil_provinsi FROM ranked WHERE kode_provinsi IS NOT NULL
    UNION ALL
    SELECT 'kabupaten', kode_kabupaten, desil_kabupaten FROM ranked WHERE kode_kabupaten IS NOT NULL
),
sizes AS (
    SELECT g.level, g.grouping, d.desil, count(a.desil) AS households
    FROM (SELECT DISTINCT level, grouping FROM assigned) AS g
    CROSS JOIN range(1, 11) AS d(desil)
    LEFT JOIN assigned AS a ON a.level = g.level AND a.grouping = g.grouping AND a.desil = d.desil
    GROUP BY ALL
)
SELECT level, grouping, min(households) AS smallest, max(households) AS largest
FROM sizes
GROUP BY ALL
HAVING max(households) - min(households) > 1
ORDER BY level, grouping;

-- name: check_decile_assignment
-- Ranked households without a valid decile, and unranked (no living member) households with one.
SELECT count(*) FILTER (WHERE jumlah_anggota > 0 AND (desil_nasional NOT BETWEEN 1 AND 10 OR desil_nasional IS NULL))
           AS ranked_without_decile,
       count(*) FILTER (WHERE jumlah_anggota > 0 AND kode_provinsi IS NOT NULL AND desil_provinsi IS NULL)
           AS ranked_without_provincial_decile,
       count(*) FILTER (WHERE jumlah_anggota = 0 AND (desil_nasional IS NOT NULL OR desil_provinsi IS NOT NULL))
           AS unranked_with_decile,
       count(*) FILTER (WHERE jumlah_anggota > 0) AS ranked
FROM checked_household;

-- name: check_eligibility
-- Flags that differ from the configured rule: eligible iff a living member and desil_nasional <= the cutoff.
SELECT count(*) FILTER (WHERE eligible_pkh IS DISTINCT FROM coalesce(jumlah_anggota > 0 AND desil_nasional <= $pkh, false))
           AS pkh_mismatch,
       count(*) FILTER (WHERE eligible_bpnt IS DISTINCT FROM coalesce(jumlah_anggota > 0 AND desil_nasional <= $bpnt, false))
           AS bpnt_mismatch,
       count(*) FILTER (WHERE eligible_pbi IS DISTINCT FROM coalesce(jumlah_anggota > 0 AND desil_nasional <= $pbi, false))
           AS pbi_mismatch,
       count(*) FILTER (WHERE eligible_pkh) AS pkh_eligible,
       count(*) FILTER (WHERE eligible_bpnt) AS bpnt_eligible,
       count(*) FILTER (WHERE eligible_pbi) AS pbi_eligible
FROM checked_household;

-- name: check_dead_not_counted
-- jumlah_anggota must be the living members exactly; a household with none must be out of ranking and programmes.
WITH living AS (
    SELECT household_id, count(*) FILTER (WHERE status_hidup = 'HIDUP') AS living
    FROM checked_person
    WHERE household_id IS NOT NULL
    GROUP BY household_id
)
SELECT count(*) FILTER (WHERE h.jumlah_anggota IS DISTINCT FROM coalesce(l.living, 0)) AS wrong_member_count,
       count(*) FILTER (WHERE coalesce(l.living, 0) = 0
                          AND (h.desil_nasional IS NOT NULL OR h.welfare_score IS NOT NULL
                               OR h.eligible_pkh OR h.eligible_bpnt OR h.eligible_pbi)) AS dead_household_ranked,
       count(*) FILTER (WHERE coalesce(l.living, 0) = 0) AS households_without_living_member
FROM checked_household AS h
LEFT JOIN living AS l USING (household_id);
