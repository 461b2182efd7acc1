-- Step 1 of households: the family each registry person belongs to, where Dukcapil or a household-mate says.
--
-- A registry household is a current family: Dukcapil's KK grouping (after replaying events) of its living
-- and dead members. A person Dukcapil does not know joins the family that their agency household-mates
-- belong to: each agency household votes for the Dukcapil family most of its linked members are in (ties: the
-- family of its head, then the smaller key), and the person takes the family most of their households voted
-- for (ties: the most recent household record). So does a dead person left alone on a KK with no living member
-- (the family got a new KK after the head died, or moved on): they stay with the family they died in, as their
-- agency household-mates show it; with no such household-mate they keep their own KK.
-- Persons left over (no household-mate in Dukcapil) are grouped in Python (assets/reconcile/households.py).
CREATE OR REPLACE TABLE work.dukcapil_family AS
SELECT
    person_id,
    'K' || coalesce(no_kk, 'N' || source_record_id) AS family_key,
    bool_or(status_hidup = 'HIDUP') OVER (PARTITION BY coalesce(no_kk, 'N' || source_record_id)) AS has_living
FROM work.person_record
WHERE source = /*@spine*/;

CREATE OR REPLACE TABLE work.person_family AS
SELECT person_id, family_key, 'dukcapil_kk' AS family_basis
FROM work.dukcapil_family
WHERE has_living;

CREATE OR REPLACE TABLE work.agency_membership AS
SELECT source, source_household_id, person_id, hubungan, observed_at, rid
FROM work.person_record
WHERE source <> /*@spine*/ AND source_household_id IS NOT NULL;

CREATE OR REPLACE TABLE work.agency_household_vote AS
SELECT
    m.source,
    m.source_household_id,
    f.family_key,
    count(*) AS votes,
    bool_or(m.hubungan = 1) AS holds_head
FROM work.agency_membership AS m
JOIN work.person_family AS f USING (person_id)
GROUP BY m.source, m.source_household_id, f.family_key
QUALIFY row_number() OVER (
    PARTITION BY m.source, m.source_household_id ORDER BY votes DESC, holds_head DESC, family_key
) = 1;

-- A person's family by vote: given one candidate row per household naming the person and a family
-- (person_id, family_key, observed_at), the family most rows name (ties: the most recent record, then the smaller
-- key). One rule for the spouses and for the household-mates below. Temporary: it lives with the connection.
CREATE OR REPLACE TEMPORARY MACRO most_voted_family(candidates) AS TABLE
SELECT person_id, family_key
FROM query_table(candidates)
GROUP BY person_id, family_key
QUALIFY row_number() OVER (
    PARTITION BY person_id ORDER BY count(*) DESC, max(observed_at) DESC NULLS LAST, family_key
) = 1;

INSERT INTO work.person_family
WITH spouse_households AS (
    SELECT d.person_id, f.family_key, a.observed_at
    FROM work.dukcapil_family AS d
    JOIN work.agency_membership AS a ON a.person_id = d.person_id AND a.hubungan IN (1, 2)
    JOIN work.agency_membership AS b
      ON b.source = a.source AND b.source_household_id = a.source_household_id
     AND b.hubungan IN (1, 2) AND b.hubungan <> a.hubungan AND b.person_id <> a.person_id
    JOIN work.person_family AS f ON f.person_id = b.person_id
    WHERE NOT d.has_living
)
SELECT person_id, family_key, 'spouse'
FROM most_voted_family('spouse_households');

INSERT INTO work.person_family
WITH mate_households AS (
    SELECT m.person_id, v.family_key, m.observed_at
    FROM work.agency_membership AS m
    JOIN work.agency_household_vote AS v USING (source, source_household_id)
    WHERE m.person_id NOT IN (SELECT person_id FROM work.person_family)
)
SELECT person_id, family_key, 'household_mates'
FROM most_voted_family('mate_households');

INSERT INTO work.person_family
SELECT person_id, family_key, 'dukcapil_kk'
FROM work.dukcapil_family
WHERE person_id NOT IN (SELECT person_id FROM work.person_family);
