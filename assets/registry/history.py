"""History and changelog: what changed in the registry in this run, and why.

The published registry of the previous run is read into ``work.previous_*`` and compared with this run's
``work.registry_*``. A person or household whose published fields changed gets a new version in
``registry.person_history`` / ``registry.household_history`` (its previous version is closed: ``valid_to`` = this
run's start), and every change a person would ask about gets a row in ``registry.changelog`` with its reason
(the source, drop, file and row the new value came from, or the rule that decided it). Names and NIK/KK numbers
are masked in the changelog; the history tables hold the full values, like the registry itself.
"""

from __future__ import annotations

import re

import duckdb

from assets.registry.tables import HISTORY_COLUMNS, Col, columns_of
from sejahtera import warehouse as wh
from sejahtera.sql_files import stage_sql
from sejahtera.sql_text import identifier

SQL = stage_sql(__file__)

_TYPE = re.compile(r"^[A-Z][A-Z0-9_ ]*(\([0-9, ]+\))?$")

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


PREVIOUS: tuple[tuple[str, str, str, tuple[Col, ...]], ...] = (
    ("previous_person", "registry.person", "work.registry_person", ()),
    ("previous_household", "registry.household", "work.registry_household", ()),
    ("previous_source_link", "registry.source_link", "work.registry_source_link", ()),
    ("previous_person_history", "registry.person_history", "work.registry_person", HISTORY_COLUMNS),
    ("previous_household_history", "registry.household_history", "work.registry_household", HISTORY_COLUMNS),
)
"""(view, published table, this run's table giving the view's columns, extra columns of the view)."""


def read_previous_registry(con: duckdb.DuckDBPyConnection) -> None:
    """Expose the published registry as temporary views ``temp.main.previous_*`` shaped like this run's tables.

    Views, not copies: nothing is written for them, and they vanish with the connection. A column this version
    added is NULL for the published rows, and a column dropped since is left out, so an upgrade never fails on
    the previous state. Before the first publish the views are empty.
    """
    for view, published, shape, extra in PREVIOUS:
        columns = [*columns_of(con, shape), *((c.name, c.type) for c in extra)]
        available = (
            {name for name, _ in columns_of(con, published)} if wh.table_exists(con, published) else set()
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {identifier(view)} AS SELECT "
            + ", ".join(
                _quoted(name) if name in available else f"CAST(NULL AS {_type(data_type)}) AS {_quoted(name)}"
                for name, data_type in columns
            )
            + (f" FROM {published}" if available else " WHERE false")
        )


def _quoted(name: str) -> str:
    return f'"{identifier(name)}"'


def _type(data_type: str) -> str:
    if not _TYPE.match(data_type):
        raise ValueError(f"unexpected column type {data_type!r}")
    return data_type


def build_history_and_changelog(con: duckdb.DuckDBPyConnection) -> None:
    """Write ``work.person_history``, ``work.household_history`` and ``work.changelog`` for this run.

    Needs ``work.registry_*`` (this run), ``work.field_provenance``, ``work.eligibility`` and the masking macros.
    """
    read_previous_registry(con)
    SQL.run(con, "person_change")
    SQL.run(con, "household_change")
    SQL.run(con, "create_new_versions_macro")
    SQL.run(con, "person_history")
    SQL.run(con, "household_history")
    SQL.run(con, "create_changelog")
    SQL.run(con, "provenance_text")
    SQL.run(con, "changelog_person")
    SQL.run(con, "changelog_person_gone")
    SQL.run(con, "changelog_household")
