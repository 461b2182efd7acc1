-- The registry tables as they will be published: contract columns first, in the contract's order, extras after.
-- Persons and households are ordered by id for readers; the much larger link table is left in the order it came.

-- name: registry_person
CREATE OR REPLACE TABLE work.registry_person AS
SELECT person_id,
       nik,
       nik_status,
       nama,
       jenis_kelamin,
       tanggal_lahir,
       household_id,
       kode_wilayah,
       status_hidup,
       tanggal_meninggal,
       no_kk
FROM work.person_survivor
ORDER BY person_id;

-- name: registry_household
CREATE OR REPLACE TABLE work.registry_household AS
SELECT h.household_id,
       h.no_kk,
       h.kode_wilayah,
       h.kode_provinsi,
       h.jumlah_anggota,
       w.welfare_score,
       w.desil_nasional,
       w.desil_provinsi,
       coalesce(h.miskin_ekstrem, false) AS miskin_ekstrem,
       coalesce(e.eligible_pkh, false) AS eligible_pkh,
       coalesce(e.eligible_bpnt, false) AS eligible_bpnt,
       coalesce(e.eligible_pbi, false) AS eligible_pbi,
       h.kode_kabupaten,
       w.desil_kabupaten,
       w.welfare_source,
       h.anggota_tercatat,
       e.eligibility_reason,
       w.pmt_version,
       e.eligibility_version
FROM work.household_survivor AS h
JOIN work.household_welfare AS w USING (household_id)
LEFT JOIN work.household_eligibility AS e USING (household_id)
ORDER BY h.household_id;

-- name: registry_source_link
CREATE OR REPLACE TABLE work.registry_source_link AS
SELECT source,
       drop_id,
       entity,
       source_record_id,
       registry_id,
       match_method,
       CAST(match_probability AS DOUBLE) AS match_probability,
       * EXCLUDE (source, drop_id, entity, source_record_id, registry_id, match_method, match_probability)
FROM work.source_link;
