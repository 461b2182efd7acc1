"""History and changelog: what changed in the registry in this run, and why.

The published registry of the previous run is read into ``work.previous_*`` and compared with this run's
``work.registry_*``. A person or household whose published fields changed gets a new version in
``registry.person_history`` / ``registry.household_history`` (its previous version is closed: ``valid_to`` = this
run's start), and every change a person would ask about gets a row in ``registry.changelog`` with its reason
(the source, drop, file and row the new value came from, or the rule that decided it). Names and NIK/KK numbers
are masked in the changelog; the history tables hold the full values, like the registry itself.
"""

from __future__ import annotations

import duckdb

from assets.registry import queries
from assets.registry.tables import copy_common_columns

CHANGES: dict[str, str] = {
    "entered": "a person or family appears in the registry for the first time",
    "died": "Dukcapil now records the person as MATI",
    "status_corrected": "a person recorded as MATI is HIDUP again (a corrected Dukcapil record)",
    "moved": "the village code (kode_wilayah) changed",
    "household_changed": "the person now belongs to another registry household",
    "kk_changed": "the family card number changed",
    "identity_corrected": "name, sex or birth date changed (e.g. a Dukcapil UBAH_DATA)",
    "nik_changed": "the person's best NIK changed",
    "nik_status_changed": "the NIK check against Dukcapil gave another result",
    "merged": "the person or family is now part of another one (new_value); its id is retired",
    "removed": "no source delivers the person or family any more; its id is retired",
    "split": "a new family formed by members leaving another one (old_value)",
    "members_changed": "the number of living members changed",
    "decile_changed": "the national decile changed",
    "eligibility_changed": "a programme flag changed",
    "miskin_ekstrem_changed": "the P3KE extreme-poverty flag changed",
}
"""The vocabulary of ``registry.changelog.change``."""


def read_previous_registry(con: duckdb.DuckDBPyConnection) -> None:
    """Copy the published registry (if any) into ``work.previous_*``, shaped like this run's tables."""
    for statement, published, work_copy in (
        ("previous_person_empty", "registry.person", "work.previous_person"),
        ("previous_household_empty", "registry.household", "work.previous_household"),
        ("previous_source_link_empty", "registry.source_link", "work.previous_source_link"),
        ("previous_person_history_empty", "registry.person_history", "work.previous_person_history"),
        ("previous_household_history_empty", "registry.household_history", "work.previous_household_history"),
    ):
        queries.run(con, statement)
        copy_common_columns(con, published, work_copy)


def build_history_and_changelog(con: duckdb.DuckDBPyConnection) -> None:
    """Write ``work.person_history``, ``work.household_history`` and ``work.changelog`` for this run.

    Needs ``work.registry_*`` (this run), ``work.field_provenance``, ``work.eligibility`` and the masking macros.
    """
    read_previous_registry(con)
    queries.run(con, "person_change")
    queries.run(con, "household_change")
    queries.run(con, "person_history")
    queries.run(con, "household_history")
    queries.run(con, "create_changelog")
    queries.run(con, "provenance_text")
    queries.run(con, "changelog_person")
    queries.run(con, "changelog_person_gone")
    queries.run(con, "changelog_household")
