-- `sejahtera explain`: one household's page, read from the PUBLISHED registry only (never work.*).
-- Personal numbers and names go through shown_number(x) / shown_name(x), temporary macros that mask
-- (sejahtera.privacy) unless an audited --unmask asked otherwise (assets/registry/explain/page.py).
-- Dukcapil's source_record_id is the NIK itself: shown_record_id(source, id) shows it like one.

-- name: explain_households_by_nik
-- A person's household: by the best NIK, or by a Dukcapil record with that NIK linked to the person.
SELECT DISTINCT p.household_id, p.person_id
FROM registry.person AS p
WHERE p.household_id IS NOT NULL
  AND (p.nik = $identifier OR p.person_id IN (
      SELECT registry_id FROM registry.source_link
      WHERE entity = 'person' AND source = 'dukcapil' AND source_record_id = $identifier))
ORDER BY p.household_id, p.person_id;

-- name: explain_households_by_kk
-- Every household holding the family card, or with a member whose card it is (two families can share one).
SELECT household_id, NULL AS person_id FROM registry.household WHERE no_kk = $identifier
UNION
SELECT household_id, NULL FROM registry.person WHERE no_kk = $identifier AND household_id IS NOT NULL
ORDER BY household_id;

-- name: explain_households_by_id
-- A current household, or one the registry once published (merged or removed since: its history still explains).
SELECT household_id, NULL AS person_id FROM registry.household WHERE household_id = $identifier
UNION
SELECT household_id, NULL FROM registry.household_history WHERE household_id = $identifier
ORDER BY household_id;

-- name: explain_scope
-- Everyone who belongs or ever belonged to the household: its members now and in any published version.
CREATE OR REPLACE TEMPORARY TABLE explain_person AS
SELECT person_id FROM registry.person WHERE household_id = $household_id
UNION
SELECT person_id FROM registry.person_history WHERE household_id = $household_id;

-- name: explain_household
SELECT h.household_id,
       shown_number(h.no_kk) AS no_kk,
       h.kode_wilayah,
       (SELECT nama FROM ref.region WHERE kode = h.kode_wilayah) AS desa,
       h.kode_kabupaten,
       (SELECT nama FROM ref.region WHERE kode = h.kode_kabupaten) AS kabupaten,
       h.kode_provinsi,
       (SELECT nama FROM ref.region WHERE kode = h.kode_provinsi) AS provinsi,
       h.jumlah_anggota,
       h.anggota_tercatat,
       h.miskin_ekstrem
FROM registry.household AS h
WHERE h.household_id = $household_id;

-- name: explain_persons
-- Members now first; then those who left (their current household says where they went).
SELECT p.person_id,
       shown_number(p.nik) AS nik,
       p.nik_status,
       shown_name(p.nama) AS nama,
       p.jenis_kelamin,
       year(p.tanggal_lahir) AS tahun_lahir,
       shown_number(p.no_kk) AS no_kk,
       p.kode_wilayah,
       p.status_hidup,
       p.tanggal_meninggal,
       p.household_id,
       coalesce(p.household_id = $household_id, false) AS member_now
FROM registry.person AS p
JOIN explain_person USING (person_id)
ORDER BY member_now DESC, p.person_id;

-- name: explain_source_links
-- Every source record linked to the household or to anyone who is or was in it, with how it was linked.
SELECT l.entity,
       l.registry_id,
       l.source,
       l.drop_id,
       shown_record_id(l.source, l.source_record_id) AS source_record_id,
       l.match_method,
       l.match_probability
FROM registry.source_link AS l
WHERE (l.entity = 'household' AND l.registry_id = $household_id)
   OR (l.entity = 'person' AND l.registry_id IN (SELECT person_id FROM explain_person))
ORDER BY l.entity DESC, l.registry_id, l.source, l.source_record_id;

-- name: explain_link_evidence
-- Why records were put together: each linked pair of persons with Splink's comparison levels and their match
-- weights, and each household record of the household (and each member placed by agency records) with its reason.
SELECT * REPLACE (
           shown_record_id(source_l, source_record_id_l) AS source_record_id_l,
           shown_record_id(source_r, source_record_id_r) AS source_record_id_r)
FROM registry.link_evidence
WHERE person_id IN (SELECT person_id FROM explain_person)
   OR (entity <> 'person' AND household_id = $household_id)
ORDER BY person_id, source_l, source_record_id_l, source_r, source_record_id_r;

-- name: explain_field_provenance
-- Where each published value of the household and of its present members came from.
SELECT f.entity,
       f.registry_id,
       f.field,
       f.source,
       f.drop_id,
       f.file,
       f.row_number,
       shown_record_id(f.source, f.source_record_id) AS source_record_id,
       f.rule,
       f.rule_version
FROM registry.field_provenance AS f
WHERE (f.entity = 'household' AND f.registry_id = $household_id)
   OR (f.entity = 'person' AND f.registry_id IN (SELECT person_id FROM registry.person WHERE household_id = $household_id))
ORDER BY f.entity DESC, f.registry_id, f.field;

-- name: explain_members_over_time
-- The household's membership at the start of every run that published a version of it or of anyone in it.
WITH moments AS (
    SELECT DISTINCT valid_from, run_id FROM registry.person_history WHERE person_id IN (SELECT person_id FROM explain_person)
    UNION
    SELECT valid_from, run_id FROM registry.household_history WHERE household_id = $household_id
)
SELECT m.valid_from,
       m.run_id,
       count(v.person_id) FILTER (WHERE v.status_hidup = 'HIDUP') AS living,
       count(v.person_id) AS recorded,
       coalesce(string_agg(v.person_id || CASE WHEN v.status_hidup = 'MATI' THEN ' (MATI)' ELSE '' END, ', '
                           ORDER BY v.person_id), '') AS members
FROM moments AS m
LEFT JOIN registry.person_history AS v
       ON v.household_id = $household_id
      AND v.valid_from <= m.valid_from
      AND (v.valid_to IS NULL OR v.valid_to > m.valid_from)
GROUP BY ALL
ORDER BY m.valid_from;

-- name: explain_household_versions
SELECT valid_from,
       valid_to,
       run_id,
       shown_number(no_kk) AS no_kk,
       kode_wilayah,
       jumlah_anggota,
       anggota_tercatat,
       welfare_score,
       desil_nasional
FROM registry.household_history
WHERE household_id = $household_id
ORDER BY valid_from;

-- name: explain_person_versions
SELECT person_id,
       valid_from,
       valid_to,
       run_id,
       household_id,
       shown_name(nama) AS nama,
       shown_number(no_kk) AS no_kk,
       kode_wilayah,
       status_hidup
FROM registry.person_history
WHERE person_id IN (SELECT person_id FROM explain_person)
ORDER BY person_id, valid_from;

-- name: explain_welfare
-- Every stored PMT input, goodness and the result (the page picks what it shows).
SELECT * FROM registry.household_welfare WHERE household_id = $household_id;

-- name: explain_pmt_contributions
-- Per PMT variable: goodness, weight and contribution, by the pipeline's own definition (welfare.sql).
SELECT feature, goodness, weight, contribution
FROM pmt_contribution('registry.household_welfare', 'explain_pmt_weight')
WHERE household_id = $household_id
ORDER BY contribution DESC, feature;

-- name: explain_deciles
-- The household's deciles, with how many ranked households each is a tenth of (region names: ref.region).
SELECT h.desil_nasional,
       (SELECT count(*) FROM registry.household WHERE desil_nasional IS NOT NULL) AS ranked_nasional,
       h.kode_provinsi || ' ' || coalesce((SELECT nama FROM ref.region WHERE kode = h.kode_provinsi), '') AS provinsi,
       h.desil_provinsi,
       (SELECT count(*) FROM registry.household
        WHERE kode_provinsi = h.kode_provinsi AND desil_provinsi IS NOT NULL) AS ranked_provinsi,
       h.kode_kabupaten || ' ' || coalesce((SELECT nama FROM ref.region WHERE kode = h.kode_kabupaten), '') AS kabupaten,
       h.desil_kabupaten,
       (SELECT count(*) FROM registry.household
        WHERE kode_kabupaten = h.kode_kabupaten AND desil_kabupaten IS NOT NULL) AS ranked_kabupaten
FROM registry.household AS h
WHERE h.household_id = $household_id;

-- name: explain_eligibility
SELECT e.programme, e.eligible, e.reason, e.rule_version,
       coalesce((SELECT string_agg(r.source || ' ' || r.source_record_id, ', ' ORDER BY r.source, r.source_record_id)
                 FROM registry.programme_receipt AS r
                 WHERE r.household_id = e.household_id AND r.programme = e.programme), '') AS received_per
FROM registry.eligibility AS e
WHERE e.household_id = $household_id
ORDER BY e.programme;

-- name: explain_targeting_errors
-- Already masked by the pipeline (nik_masked, nama_masked, kk_masked): shown as published.
SELECT error_type, reason, programme, person_id, source, source_record_id, drop_id, file, row_number,
       nik_masked, nama_masked, kk_masked, detail
FROM registry.targeting_error
WHERE household_id = $household_id
ORDER BY error_type, reason, programme, person_id;

-- name: explain_changelog
-- Every change to the household or to anyone who is or was in it (and families split off or merged into it),
-- with the drops applied in the run that made it. Values are masked by the pipeline when it wrote them.
SELECT c.changed_at,
       c.run_id,
       c.entity,
       c.entity_id,
       c.change,
       c.field,
       c.old_value,
       c.new_value,
       c.reason,
       coalesce((SELECT string_agg(d.source || '.' || d.drop_id, ', ' ORDER BY d.source, d.drop_id)
                 FROM ops.drop_ledger AS d
                 WHERE d.run_id = c.run_id AND d.status = 'applied'), '') AS drops_applied
FROM registry.changelog AS c
WHERE (c.entity = 'household' AND $household_id IN (c.entity_id, c.old_value, c.new_value))
   OR (c.entity = 'person' AND c.entity_id IN (SELECT person_id FROM explain_person))
ORDER BY c.changed_at, c.entity DESC, c.entity_id, c.change, c.field;

-- name: create_unmask_audit
CREATE TABLE IF NOT EXISTS ops.unmask_audit (
    audited_at TIMESTAMP WITH TIME ZONE NOT NULL,
    authorised_by VARCHAR NOT NULL,
    identifier_kind VARCHAR NOT NULL,
    identifier_masked VARCHAR NOT NULL,
    household_ids VARCHAR NOT NULL
);

-- name: insert_unmask_audit
INSERT INTO ops.unmask_audit VALUES (now(), $authorised_by, $identifier_kind, $identifier_masked, $household_ids);
