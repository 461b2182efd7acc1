-- Welfare ranking: a transparent proxy-means test (config/pmt_weights.yaml), imputation for households
-- without a survey, and the deciles. Reads work.household_survivor, work.person_survivor and the Regsosek
-- snapshots; writes work.household_welfare.

-- name: welfare_input
-- What the ranking knows of each household: its living members (the dead never count), their ages on the
-- reference date, and the housing, assets, education and work of its Regsosek survey record.
CREATE OR REPLACE TABLE work.welfare_input AS
WITH living AS (
    SELECT household_id, person_id, date_sub('year', tanggal_lahir, CAST($reference_date AS DATE)) AS age
    FROM work.person_survivor
    WHERE status_hidup = 'HIDUP' AND household_id IS NOT NULL
),
dependants AS (
    SELECT household_id,
           count(*) FILTER (WHERE age < $child_below_age OR age >= $elderly_from_age) AS dependants
    FROM living
    GROUP BY household_id
),
surveyed_members AS (
    SELECT l.household_id,
           max(i.pendidikan_tertinggi) FILTER (WHERE l.age >= $adult_from_age) AS education_level,
           avg(CASE WHEN i.bekerja THEN 1.0 ELSE 0.0 END)
               FILTER (WHERE l.age >= $child_below_age AND l.age < $elderly_from_age AND i.bekerja IS NOT NULL)
               AS employment_share
    FROM living AS l
    JOIN work.person_record AS r ON r.person_id = l.person_id AND r.source = 'regsosek'
    JOIN work.snapshot_regsosek_individu AS i ON i.id_art = r.source_record_id
    GROUP BY l.household_id
)
SELECT h.household_id,
       h.kode_provinsi,
       h.kode_kabupaten,
       h.jumlah_anggota,
       coalesce(d.dependants, 0) AS dependants,
       h.survey_record_id,
       h.survey_linked,
       h.p3ke_desil,
       h.dtks_record_id IS NOT NULL AS dtks_listed,
       rt.luas_lantai_m2,
       rt.jenis_lantai,
       rt.jenis_dinding,
       rt.jenis_atap,
       rt.sumber_air_minum,
       rt.fasilitas_bab,
       rt.sumber_penerangan,
       rt.bahan_bakar_memasak,
       rt.status_kepemilikan_rumah,
       rt.daya_listrik_va,
       rt.aset_motor,
       rt.aset_mobil,
       rt.aset_kulkas,
       rt.aset_ac,
       rt.aset_tv,
       rt.aset_emas,
       rt.aset_lahan_m2,
       rt.tanggal_pencacahan,
       CASE WHEN h.survey_record_id IS NOT NULL THEN s.education_level END AS education_level,
       CASE WHEN h.survey_record_id IS NOT NULL THEN s.employment_share END AS employment_share
FROM work.household_survivor AS h
LEFT JOIN dependants AS d USING (household_id)
LEFT JOIN work.snapshot_regsosek_rumah_tangga AS rt ON rt.id_rt = h.survey_record_id
LEFT JOIN surveyed_members AS s USING (household_id)
ORDER BY h.household_id;

-- name: welfare_goodness
-- Every PMT variable as a goodness between 0 (worst off) and 1 (best off); NULL when the household lacks it.
-- Only households with living members and a survey record get survey goodness.
CREATE OR REPLACE TABLE work.welfare_goodness AS
SELECT household_id,
       greatest(0.0, least(1.0, ($worst_jenis_lantai - jenis_lantai) / ($worst_jenis_lantai - 1.0))) AS g_jenis_lantai,
       greatest(0.0, least(1.0, ($worst_jenis_dinding - jenis_dinding) / ($worst_jenis_dinding - 1.0))) AS g_jenis_dinding,
       greatest(0.0, least(1.0, ($worst_jenis_atap - jenis_atap) / ($worst_jenis_atap - 1.0))) AS g_jenis_atap,
       greatest(0.0, least(1.0, ($worst_sumber_air_minum - sumber_air_minum) / ($worst_sumber_air_minum - 1.0)))
           AS g_sumber_air_minum,
       greatest(0.0, least(1.0, ($worst_fasilitas_bab - fasilitas_bab) / ($worst_fasilitas_bab - 1.0))) AS g_fasilitas_bab,
       greatest(0.0, least(1.0, ($worst_sumber_penerangan - sumber_penerangan) / ($worst_sumber_penerangan - 1.0)))
           AS g_sumber_penerangan,
       greatest(0.0, least(1.0, ($worst_bahan_bakar_memasak - bahan_bakar_memasak) / ($worst_bahan_bakar_memasak - 1.0)))
           AS g_bahan_bakar_memasak,
       greatest(0.0, least(1.0,
           ($worst_status_kepemilikan_rumah - status_kepemilikan_rumah) / ($worst_status_kepemilikan_rumah - 1.0)))
           AS g_status_kepemilikan_rumah,
       CASE
           WHEN luas_lantai_m2 > 0 THEN greatest(0.0, least(1.0,
               ln(luas_lantai_m2 / jumlah_anggota / $area_low) / ln($area_high / $area_low)))
           WHEN luas_lantai_m2 = 0 THEN 0.0
       END AS g_floor_area_per_person,
       CASE WHEN daya_listrik_va >= 0
           THEN least(1.0, ln(1.0 + daya_listrik_va / 450.0) / ln(1.0 + $electricity_full_va / 450.0))
       END AS g_electricity,
       CAST(aset_mobil AS DOUBLE) AS g_aset_mobil,
       CAST(aset_ac AS DOUBLE) AS g_aset_ac,
       CAST(aset_kulkas AS DOUBLE) AS g_aset_kulkas,
       CAST(aset_motor AS DOUBLE) AS g_aset_motor,
       CAST(aset_emas AS DOUBLE) AS g_aset_emas,
       CAST(aset_tv AS DOUBLE) AS g_aset_tv,
       CASE WHEN aset_lahan_m2 >= 0 THEN least(1.0, ln(1.0 + aset_lahan_m2) / ln(1.0 + $land_full_m2)) END AS g_land,
       greatest(0.0, 1.0 - (jumlah_anggota - 1) / ($worst_size - 1.0)) AS g_household_size,
       1.0 - dependants / jumlah_anggota AS g_dependency_ratio,
       education_level / 6.0 AS g_education,
       employment_share AS g_employment
FROM work.welfare_input
WHERE jumlah_anggota > 0 AND survey_record_id IS NOT NULL
ORDER BY household_id;

-- name: create_pmt_weight
CREATE OR REPLACE TABLE work.pmt_weight (feature VARCHAR PRIMARY KEY, weight DOUBLE NOT NULL);

-- name: insert_pmt_weight
INSERT INTO work.pmt_weight VALUES ($feature, $weight);

-- name: goodness_features
SELECT substr(column_name, 3) AS feature
FROM information_schema.columns
WHERE table_catalog = current_database() AND table_schema = 'work' AND table_name = 'welfare_goodness'
  AND column_name LIKE 'g\_%' ESCAPE '\'
ORDER BY feature;

-- name: create_pmt_contribution_macro
-- What each PMT variable adds to a household's score: 100 * weight * goodness / sum(weight), the sum over the
-- variables the household has (a NULL goodness is left out). The score is the sum of these contributions, and
-- `sejahtera explain` shows them one by one from registry.household_welfare: one definition for both, so an
-- explanation can never disagree with the score. Arguments are table names (goodness columns g_<feature>,
-- weights feature/weight); temporary, so it lives only as long as the connection.
CREATE OR REPLACE TEMPORARY MACRO pmt_contribution(goodness_table, weight_table) AS TABLE
SELECT g.household_id,
       substr(g.feature, 3) AS feature,
       g.goodness,
       w.weight,
       100.0 * w.weight * g.goodness / sum(w.weight) OVER (PARTITION BY g.household_id) AS contribution
FROM (
    UNPIVOT (SELECT household_id, COLUMNS('^g_') FROM query_table(goodness_table))
    ON COLUMNS('^g_') INTO NAME feature VALUE goodness
) AS g
JOIN query_table(weight_table) AS w ON w.feature = substr(g.feature, 3);

-- name: survey_score
-- The PMT score: the sum of the variables' contributions (create_pmt_contribution_macro), i.e.
-- 100 * sum(weight * goodness) / sum(weight) over the variables the household has.
CREATE OR REPLACE TABLE work.survey_score AS
SELECT household_id,
       round(sum(contribution), 4) AS welfare_score,
       count(*) AS features_used
FROM pmt_contribution('work.welfare_goodness', 'work.pmt_weight')
GROUP BY household_id;

-- name: create_imputation_prior
CREATE OR REPLACE TABLE work.imputation_prior (
    evidence_class VARCHAR PRIMARY KEY,
    prior_quantile DOUBLE NOT NULL,
    prior_score DOUBLE NOT NULL
);

-- name: insert_imputation_prior
INSERT INTO work.imputation_prior VALUES ($evidence_class, $prior_quantile, $prior_score);

-- name: welfare_score
-- Every household with living members gets a score: its survey's, or, without a survey, the median survey score
-- of surveyed households with the same evidence (P3KE desil, DTKS listing, neither) and size; with too few of
-- those, of the same evidence alone; then a configured quantile of all survey scores; then a configured score.
CREATE OR REPLACE TABLE work.welfare_score AS
WITH evidence AS (
    SELECT household_id,
           survey_linked,
           CASE
               WHEN p3ke_desil BETWEEN 1 AND 4 THEN 'p3ke_desil_' || p3ke_desil
               WHEN dtks_listed THEN 'dtks'
               ELSE 'none'
           END AS evidence_class,
           least(jumlah_anggota, $max_size_bucket) AS size_bucket
    FROM work.welfare_input
    WHERE jumlah_anggota > 0
),
surveyed AS (
    SELECT e.*, s.welfare_score FROM evidence AS e JOIN work.survey_score AS s USING (household_id)
),
cell AS (
    SELECT evidence_class, size_bucket, median(welfare_score) AS score, count(*) AS households
    FROM surveyed GROUP BY ALL
),
class AS (
    SELECT evidence_class, median(welfare_score) AS score, count(*) AS households
    FROM surveyed GROUP BY ALL
),
ordered AS (
    SELECT welfare_score, row_number() OVER (ORDER BY welfare_score, household_id) AS position,
           count(*) OVER () AS households
    FROM surveyed
),
prior AS (
    SELECT p.evidence_class, p.prior_quantile, p.prior_score, o.welfare_score AS quantile_score
    FROM work.imputation_prior AS p
    LEFT JOIN ordered AS o
      ON o.position = greatest(1, CAST(ceil(p.prior_quantile * o.households) AS BIGINT))
)
SELECT e.household_id,
       CASE
           WHEN s.welfare_score IS NOT NULL THEN s.welfare_score
           WHEN c.households >= $min_cell_households THEN round(c.score, 4)
           WHEN k.households >= $min_cell_households THEN round(k.score, 4)
           WHEN p.quantile_score IS NOT NULL THEN p.quantile_score
           ELSE p.prior_score
       END AS welfare_score,
       CASE
           WHEN s.welfare_score IS NOT NULL AND e.survey_linked THEN 'regsosek'
           WHEN s.welfare_score IS NOT NULL THEN 'regsosek_members'
           WHEN e.evidence_class LIKE 'p3ke%' THEN 'p3ke_desil'
           WHEN e.evidence_class = 'dtks' THEN 'dtks_listing'
           ELSE 'household_size'
       END AS welfare_source,
       CASE
           WHEN s.welfare_score IS NOT NULL AND e.survey_linked
               THEN 'PMT score of the household''s Regsosek record (' || s.features_used || ' variables)'
           WHEN s.welfare_score IS NOT NULL
               THEN 'PMT score of the Regsosek record most of its members were enumerated in ('
                    || s.features_used || ' variables)'
           WHEN c.households >= $min_cell_households
               THEN 'median survey score of ' || c.households || ' surveyed households with evidence '
                    || e.evidence_class || ' and size ' || e.size_bucket
           WHEN k.households >= $min_cell_households
               THEN 'median survey score of ' || k.households || ' surveyed households with evidence '
                    || e.evidence_class
           WHEN p.quantile_score IS NOT NULL
               THEN 'survey score at quantile ' || p.prior_quantile || ' for evidence ' || e.evidence_class
                    || ' (too few comparable surveyed households)'
           ELSE 'configured score for evidence ' || e.evidence_class || ' (no survey data at all)'
       END AS welfare_detail,
       e.evidence_class
FROM evidence AS e
LEFT JOIN work.survey_score AS s USING (household_id)
LEFT JOIN cell AS c USING (evidence_class, size_bucket)
LEFT JOIN class AS k USING (evidence_class)
LEFT JOIN prior AS p USING (evidence_class);

-- name: household_welfare
-- Deciles: ten equal groups (sizes differ by at most one), 1 = poorest, among households with living members;
-- ties broken by household_id so that the same data always gives the same deciles.
CREATE OR REPLACE TABLE work.household_welfare AS
WITH ranked AS (
    SELECT i.household_id,
           s.welfare_score,
           (row_number() OVER (ORDER BY s.welfare_score, i.household_id) - 1) * 10
               // count(*) OVER () + 1 AS desil_nasional,
           CASE WHEN i.kode_provinsi IS NOT NULL THEN
               (row_number() OVER (PARTITION BY i.kode_provinsi ORDER BY s.welfare_score, i.household_id) - 1) * 10
                   // count(*) OVER (PARTITION BY i.kode_provinsi) + 1
           END AS desil_provinsi,
           CASE WHEN i.kode_kabupaten IS NOT NULL THEN
               (row_number() OVER (PARTITION BY i.kode_kabupaten ORDER BY s.welfare_score, i.household_id) - 1) * 10
                   // count(*) OVER (PARTITION BY i.kode_kabupaten) + 1
           END AS desil_kabupaten
    FROM work.welfare_input AS i
    JOIN work.welfare_score AS s USING (household_id)
    WHERE i.jumlah_anggota > 0
)
SELECT i.*,
       r.welfare_score,
       coalesce(s.welfare_source, 'no_living_member') AS welfare_source,
       coalesce(s.welfare_detail, 'no living member: not ranked') AS welfare_detail,
       s.evidence_class,
       CAST(r.desil_nasional AS INTEGER) AS desil_nasional,
       CAST(r.desil_provinsi AS INTEGER) AS desil_provinsi,
       CAST(r.desil_kabupaten AS INTEGER) AS desil_kabupaten,
       g.* EXCLUDE (household_id),
       $pmt_version AS pmt_version
FROM work.welfare_input AS i
LEFT JOIN ranked AS r USING (household_id)
LEFT JOIN work.welfare_score AS s USING (household_id)
LEFT JOIN work.welfare_goodness AS g USING (household_id)
ORDER BY i.household_id;
