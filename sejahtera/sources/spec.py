"""How an agency's drop is declared: its files, formats and columns, as data.

Adding a fifth agency means adding one module beside this one (a :class:`SourceSpec`) and its expectation suites;
the loader, the validator and the snapshots read everything they need from these declarations.

Column kinds (what a value is, which decides how it is parsed and which row rules apply):

=============  ==========================================================  ================================
kind           meaning                                                     row rules
=============  ==========================================================  ================================
record_id      the source's own key of the row                             missing, duplicate, control char
household_ref  a member's key of its household row in the same drop       no household, control char
nik / kk       identity numbers, kept as strings                           none (NIK status later)
text           free text                                                   control characters
region         Kemendagri village code, 10 digits or dotted                unknown region code
date           a date: ``date_format`` for CSV, native for Parquet         invalid date
birth_date     a date of birth                                             invalid date, out of range
code           a value of ``values``                                       code not in set
flag           a yes/no value: ``values`` = (true, false) spellings        code not in set
integer/double a number (Parquet native; CSV parsed)                       none
boolean        a Parquet boolean                                           none
=============  ==========================================================  ================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal[
    "record_id",
    "household_ref",
    "nik",
    "kk",
    "text",
    "region",
    "date",
    "birth_date",
    "code",
    "flag",
    "integer",
    "double",
    "boolean",
]
FileFormat = Literal["csv", "parquet"]
EntityRole = Literal["household", "person", "event"]
DropKind = Literal["full", "delta"]

SNAPSHOT_TYPE: dict[str, str] = {
    "record_id": "VARCHAR",
    "household_ref": "VARCHAR",
    "nik": "VARCHAR",
    "kk": "VARCHAR",
    "text": "VARCHAR",
    "region": "VARCHAR",
    "date": "DATE",
    "birth_date": "DATE",
    "code": "VARCHAR",
    "flag": "BOOLEAN",
    "integer": "INTEGER",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
}
"""DuckDB type of each kind in the typed snapshot tables (``code`` columns override it with ``typed_as``)."""


@dataclass(frozen=True)
class Column:
    """One delivered column. ``name`` is the header as the contract spells it, matched case-insensitively."""

    name: str
    kind: ColumnKind
    values: tuple[str | int, ...] = ()
    date_format: str | None = None
    typed_as: str | None = None
    required: bool = True

    @property
    def key(self) -> str:
        """The column's name in every warehouse table: lower case."""
        return self.name.lower()

    @property
    def snapshot_type(self) -> str:
        return self.typed_as or SNAPSHOT_TYPE[self.kind]


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    quote: str = '"'
    encoding: str = "utf-8"
    compression: Literal["gzip"] | None = None


@dataclass(frozen=True)
class EntitySpec:
    """One entity of a source (``keluarga``, ``anggota``, ...): the file format and its columns."""

    entity: str
    role: EntityRole
    file_format: FileFormat
    columns: tuple[Column, ...]
    csv: CsvFormat | None = None
    parent: str | None = None
    """For members: the entity holding their households (its ``record_id`` is our ``household_ref``)."""

    @property
    def record_id(self) -> Column:
        return next(c for c in self.columns if c.kind == "record_id")

    @property
    def household_ref(self) -> Column | None:
        return next((c for c in self.columns if c.kind == "household_ref"), None)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class SourceSpec:
    """An agency: which drop kinds it sends and which entities each kind holds (households before members)."""

    name: str
    description: str
    entities_by_kind: dict[DropKind, tuple[EntitySpec, ...]] = field(default_factory=dict)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self.entities_by_kind)

    def entity(self, kind: str, entity: str) -> EntitySpec | None:
        return next((e for e in self.entities_by_kind.get(kind, ()) if e.entity == entity), None)

    @property
    def all_entities(self) -> tuple[EntitySpec, ...]:
        return tuple(e for entities in self.entities_by_kind.values() for e in entities)

    def table(self, entity: str) -> str:
        """Base name of this entity's tables: ``raw_<t>``, ``accepted_<t>``, ``snapshot_<t>``."""
        return f"{self.name}_{entity}"
