-- Eligibility per programme (config/eligibility.yaml) and who receives what (DTKS flags, P3KE programme list).

-- name: create_programme_rule
CREATE OR REPLACE TABLE work.programme_rule (
    programme VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    max_desil INTEGER NOT NULL,
    rule_version VARCHAR NOT NULL
);

-- name: insert_programme_rule
INSERT INTO work.programme_rule VALUES ($programme, $name, $max_desil, $rule_version);

-- name: create_programme_alias
CREATE OR REPLACE TABLE work.programme_alias (alias VARCHAR PRIMARY KEY, programme VARCHAR NOT NULL);

-- name: insert_programme_alias
INSERT INTO work.programme_alias VALUES ($alias, $programme);

-- name: eligibility
-- One row per household and programme: the flag and the reason a person can read.
CREATE OR REPLACE TABLE work.eligibility AS
SELECT w.household_id,
       r.programme,
       coalesce(w.jumlah_anggota > 0 AND w.desil_nasional <= r.max_desil, false) AS eligible,
       CASE
           WHEN w.jumlah_anggota = 0 THEN 'no living member: eligible for nothing'
           WHEN w.desil_nasional IS NULL THEN 'not ranked: no national decile'
           WHEN w.desil_nasional <= r.max_desil
               THEN 'desil_nasional ' || w.desil_nasional || ' within ' || upper(r.programme) || ' desil 1-' || r.max_desil
           ELSE 'desil_nasional ' || w.desil_nasional || ' above ' || upper(r.programme) || ' desil 1-' || r.max_desil
       END AS reason,
       r.rule_version
FROM work.household_welfare AS w
CROSS JOIN work.programme_rule AS r
ORDER BY w.household_id, r.programme;

-- name: household_eligibility
CREATE OR REPLACE TABLE work.household_eligibility AS
SELECT household_id,
       bool_or(eligible) FILTER (WHERE programme = 'pkh') AS eligible_pkh,
       bool_or(eligible) FILTER (WHERE programme = 'bpnt') AS eligible_bpnt,
       bool_or(eligible) FILTER (WHERE programme = 'pbi') AS eligible_pbi,
       string_agg(upper(programme) || ': ' || reason, '; ' ORDER BY programme) AS eligibility_reason,
       any_value(rule_version) AS eligibility_version
FROM work.eligibility
GROUP BY household_id
ORDER BY household_id;

-- name: programme_receipt
-- Who receives which programme now, by the current DTKS flags and P3KE programme lists of the household
-- records reconcile linked to each registry household.
CREATE OR REPLACE TABLE work.programme_receipt AS
WITH dtks AS (
    SELECT household_id, source, source_record_id, drop_id, file, row_number, programme
    FROM (
        SELECT h.household_id, 'dtks' AS source, k.id_keluarga AS source_record_id, k.drop_id, k.file, k.row_number,
               k.penerima_pkh AS pkh, k.penerima_bpnt AS bpnt, k.penerima_pbi AS pbi
        FROM work.household_record AS h
        JOIN work.snapshot_dtks_keluarga AS k ON h.source = 'dtks' AND k.id_keluarga = h.source_record_id
        WHERE h.household_id IS NOT NULL
    ) UNPIVOT (receives FOR programme IN (pkh, bpnt, pbi))
    WHERE receives
),
p3ke AS (
    SELECT h.household_id, 'p3ke' AS source, k.id_keluarga_p3ke AS source_record_id, k.drop_id, k.file,
           k.row_number, a.programme
    FROM work.household_record AS h
    JOIN work.snapshot_p3ke_keluarga AS k ON h.source = 'p3ke' AND k.id_keluarga_p3ke = h.source_record_id
    -- The contract joins programmes with ';'; a ',' is read the same way rather than lost.
    CROSS JOIN unnest(regexp_split_to_array(k.penerima_program, '[;,]')) AS t(token)
    JOIN work.programme_alias AS a ON a.alias = upper(trim(t.token))
    WHERE h.household_id IS NOT NULL
)
SELECT DISTINCT * FROM (SELECT * FROM dtks UNION ALL SELECT * FROM p3ke)
ORDER BY household_id, programme, source, source_record_id;
