"""The published registry tables: their columns (contract columns first, in the contract's order), and how to
read a table's columns from the warehouse catalog.

The declarations here are documentation a person reads in the Dagster UI (each asset's column schema) and the
definition a test holds the published tables to, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import duckdb

from sejahtera.sources import SOURCES


@dataclass(frozen=True)
class Col:
    name: str
    type: str
    description: str


PERSON = (
    Col("person_id", "VARCHAR", "Stable registry id of the person: P + 9 digits."),
    Col("nik", "VARCHAR", "Best NIK of the person's records (Dukcapil's when it holds the person)."),
    Col("nik_status", "VARCHAR", "padan | tidak_padan | invalid | missing (contract section 3)."),
    Col(
        "nama",
        "VARCHAR",
        "Name: Dukcapil's as registered, else the most recent agency record's (standardised).",
    ),
    Col("jenis_kelamin", "VARCHAR", "L | P: Dukcapil, else the most recent agency record."),
    Col("tanggal_lahir", "DATE", "Birth date: Dukcapil, else the most recent agency record."),
    Col("household_id", "VARCHAR", "The registry household (current family) the person belongs to."),
    Col(
        "kode_wilayah", "VARCHAR", "Village code (10 digits) where the person lives: Dukcapil, else agencies."
    ),
    Col(
        "status_hidup",
        "VARCHAR",
        "HIDUP | MATI, from Dukcapil only; HIDUP when Dukcapil does not hold the person.",
    ),
    Col("tanggal_meninggal", "DATE", "Date of death, from the Dukcapil record that says MATI."),
    Col("no_kk", "VARCHAR", "Family card number (extra): Dukcapil, else the most recent agency record."),
)

HOUSEHOLD = (
    Col("household_id", "VARCHAR", "Stable registry id of the household: H + 9 digits."),
    Col(
        "no_kk",
        "VARCHAR",
        "Family card held by most living members per Dukcapil, else the latest agency record.",
    ),
    Col(
        "kode_wilayah",
        "VARCHAR",
        "Village code (10 digits): most living members' Dukcapil address, else agencies.",
    ),
    Col("kode_provinsi", "VARCHAR", "First 2 digits of kode_wilayah."),
    Col("jumlah_anggota", "INTEGER", "Living members (the dead are never counted)."),
    Col(
        "welfare_score",
        "DOUBLE",
        "PMT score 0..100, higher = better off (config/pmt_weights.yaml); NULL when no living member.",
    ),
    Col("desil_nasional", "INTEGER", "National decile 1..10, 1 = poorest tenth; NULL when no living member."),
    Col("desil_provinsi", "INTEGER", "Decile within the province, 1 = poorest tenth."),
    Col("miskin_ekstrem", "BOOLEAN", "Extreme poverty per P3KE; false when P3KE does not list the family."),
    Col("eligible_pkh", "BOOLEAN", "PKH: desil_nasional 1-4 and a living member (config/eligibility.yaml)."),
    Col("eligible_bpnt", "BOOLEAN", "BPNT/Sembako: desil_nasional 1-5 and a living member."),
    Col("eligible_pbi", "BOOLEAN", "PBI-JK: desil_nasional 1-5 and a living member."),
    Col("kode_kabupaten", "VARCHAR", "First 4 digits of kode_wilayah (regency)."),
    Col("desil_kabupaten", "INTEGER", "Decile within the regency, 1 = poorest tenth."),
    Col(
        "welfare_source",
        "VARCHAR",
        "What the score rests on: regsosek | regsosek_members | p3ke_desil | dtks_listing | household_size | no_living_member.",
    ),
    Col("anggota_tercatat", "INTEGER", "All members on record, dead included."),
    Col("eligibility_reason", "VARCHAR", "Why each flag is what it is, per programme."),
    Col("pmt_version", "VARCHAR", "Version of config/pmt_weights.yaml that scored the household."),
    Col("eligibility_version", "VARCHAR", "Version of config/eligibility.yaml that decided the flags."),
)

SOURCE_LINK_CONTRACT = (
    Col("source", "VARCHAR", " | ".join(SOURCES) + "."),
    Col(
        "drop_id",
        "VARCHAR",
        "The drop the record comes from (Dukcapil: the drop that last changed the person).",
    ),
    Col("entity", "VARCHAR", "person | household."),
    Col("source_record_id", "VARCHAR", "The source's own key (ID_ART, id_rt, id_individu_p3ke, nik, ...)."),
    Col("registry_id", "VARCHAR", "person_id or household_id the record belongs to."),
    Col("match_method", "VARCHAR", "How the record was linked."),
    Col("match_probability", "DOUBLE", "Link probability (1.0 for deterministic links)."),
)

HISTORY_COLUMNS = (
    Col("valid_from", "TIMESTAMP WITH TIME ZONE", "Start of the run that published this version."),
    Col("valid_to", "TIMESTAMP WITH TIME ZONE", "Start of the run that replaced it; NULL = current version."),
    Col("run_id", "VARCHAR", "Dagster run that published this version."),
    Col("closed_by_run_id", "VARCHAR", "Dagster run that replaced it."),
)
PERSON_HISTORY = PERSON + HISTORY_COLUMNS
HOUSEHOLD_HISTORY = HOUSEHOLD + HISTORY_COLUMNS

CHANGELOG = (
    Col("run_id", "VARCHAR", "Dagster run that made the change."),
    Col("changed_at", "TIMESTAMP WITH TIME ZONE", "Start of that run."),
    Col("entity", "VARCHAR", "person | household."),
    Col("entity_id", "VARCHAR", "person_id or household_id."),
    Col("change", "VARCHAR", "What happened (vocabulary in assets/registry/history.py (CHANGES))."),
    Col("field", "VARCHAR", "The field that changed, if one."),
    Col("old_value", "VARCHAR", "Value before (names and numbers masked)."),
    Col("new_value", "VARCHAR", "Value after (names and numbers masked)."),
    Col("reason", "VARCHAR", "Why: the source, drop, file and row the new value came from, or the rule."),
)

FIELD_PROVENANCE = (
    Col("entity", "VARCHAR", "person | household."),
    Col("registry_id", "VARCHAR", "person_id or household_id."),
    Col(
        "field",
        "VARCHAR",
        "Registry field (or, for households, survey_record / p3ke_desil / dtks_record inputs).",
    ),
    Col("source", "VARCHAR", "Source the value came from; NULL when it is the configured default."),
    Col("drop_id", "VARCHAR", "Drop of that record."),
    Col("file", "VARCHAR", "File of that record."),
    Col("row_number", "BIGINT", "1-based data row in that file."),
    Col("source_record_id", "VARCHAR", "The source's key of that record."),
    Col("tier", "INTEGER", "Which tier of config/survivorship.yaml supplied it (1 = preferred)."),
    Col("rule", "VARCHAR", "preferred source | fallback tier N | default."),
    Col("rule_version", "VARCHAR", "Version of config/survivorship.yaml."),
)

ELIGIBILITY = (
    Col("household_id", "VARCHAR", "Registry household."),
    Col("programme", "VARCHAR", "pkh | bpnt | pbi."),
    Col("eligible", "BOOLEAN", "The flag published on registry.household."),
    Col(
        "reason", "VARCHAR", "Why, in words: the decile against the programme's cutoff, or no living member."
    ),
    Col("rule_version", "VARCHAR", "Version of config/eligibility.yaml."),
)

PROGRAMME_RECEIPT = (
    Col("household_id", "VARCHAR", "Registry household the receiving record is linked to."),
    Col("source", "VARCHAR", "dtks | p3ke."),
    Col("source_record_id", "VARCHAR", "The receiving household record."),
    Col("drop_id", "VARCHAR", "Drop of that record."),
    Col("file", "VARCHAR", "File of that record."),
    Col("row_number", "BIGINT", "1-based data row."),
    Col("programme", "VARCHAR", "pkh | bpnt | pbi."),
)

TARGETING_ERROR = (
    Col("error_type", "VARCHAR", "inclusion | exclusion."),
    Col("reason", "VARCHAR", "dead_listed | no_living_member | above_cutoff | eligible_receiving_nothing."),
    Col("programme", "VARCHAR", "Programme(s) concerned, comma-separated."),
    Col("household_id", "VARCHAR", "Registry household."),
    Col("person_id", "VARCHAR", "Registry person (dead_listed only)."),
    Col("kode_provinsi", "VARCHAR", "Province of the household."),
    Col("kode_kabupaten", "VARCHAR", "Regency of the household."),
    Col("desil_nasional", "INTEGER", "National decile of the household."),
    Col("source", "VARCHAR", "Agency whose record shows the receipt."),
    Col("source_record_id", "VARCHAR", "That agency's member record (dead_listed)."),
    Col("drop_id", "VARCHAR", "Drop of that record."),
    Col("file", "VARCHAR", "File of that record."),
    Col("row_number", "BIGINT", "1-based data row."),
    Col("nik_masked", "VARCHAR", "Masked NIK for follow-up (3201********0001)."),
    Col("nama_masked", "VARCHAR", "Masked name for follow-up (S*** A*****)."),
    Col("kk_masked", "VARCHAR", "Masked family card number for follow-up."),
    Col("detail", "VARCHAR", "One line a field officer can act on."),
)

DECLARED: dict[str, tuple[Col, ...]] = {
    "registry.person": PERSON,
    "registry.household": HOUSEHOLD,
    "registry.person_history": PERSON_HISTORY,
    "registry.household_history": HOUSEHOLD_HISTORY,
    "registry.changelog": CHANGELOG,
    "registry.field_provenance": FIELD_PROVENANCE,
    "registry.eligibility": ELIGIBILITY,
    "registry.programme_receipt": PROGRAMME_RECEIPT,
    "registry.targeting_error": TARGETING_ERROR,
}
"""Tables whose every column is declared here (registry.source_link: only the contract's; extras are reconcile's)."""


def column_schema(columns: tuple[Col, ...]) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(name=c.name, type=c.type, description=c.description) for c in columns]
    )


def columns_of(con: duckdb.DuckDBPyConnection, qualified_name: str) -> list[tuple[str, str]]:
    """(name, type) of a table's columns in order, from the catalog of the open warehouse."""
    schema, table = qualified_name.split(".")
    return [
        (name, data_type)
        for name, data_type in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
    ]
