"""How an agency's drop is declared: its files, formats and columns, as data.

Adding a fifth agency means adding one module beside this one (a :class:`SourceSpec`) and its expectation suites
(or naming a module outside the package in ``SEJAHTERA_EXTRA_SOURCES``, :mod:`sejahtera.sources.extra`);
the loader, the validator and the snapshots read everything they need from these declarations, and reconcile
reads which columns are a person's name, sex, birth date, ... from :class:`PersonFields` and
:class:`HouseholdFields` (the SQL is generated from them: :mod:`assets.reconcile.source_sql`). An agency that
sends households and their members is declared with :func:`household_entity`, :func:`member_entity` and
:func:`agency_source` (DTKS, P3KE, Regsosek, and the fifth agency of the tests), which name each column once.

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
from pathlib import Path
from typing import Any, Literal

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
class HouseholdFields:
    """Which columns of a source's household entity fill ``work.household_record`` (and its members' records).

    The record id is the entity's ``record_id`` column; these name the rest. Declared as data so that reconcile's
    SQL is generated for every source alike instead of being written once per agency.
    """

    entity: str
    kk: str
    region: str
    """A Kemendagri village code, 10 digits or dotted: reconcile keeps its digits."""
    address: str
    observed_at: str | None = None
    """The date column the record describes; None: the date of its drop (the drop_id's leading YYYYMMDD)."""

    def columns(self) -> tuple[str, ...]:
        named = (self.kk, self.region, self.address, self.observed_at)
        return tuple(c for c in named if c is not None)


@dataclass(frozen=True)
class PersonFields:
    """Which columns of a source's person entity fill ``work.person_record``, and what its codes mean.

    The record id and the household reference are the entity's ``record_id`` and ``household_ref`` columns; the
    family card, region, address and observation date come from its household (:class:`HouseholdFields` of the
    entity's ``parent``). Codes map each delivered value (as typed in the snapshot) to the registry's: sex to
    ``L``/``P``, relationship to the head to 1-8 (contract section 4); any other value becomes NULL.
    """

    entity: str
    nik: str
    name: str
    sex: str
    sex_codes: tuple[tuple[str | int, str], ...]
    birth_date: str
    birth_place: str | None = None
    relationship: str | None = None
    relationship_codes: tuple[tuple[str | int, int], ...] = ()

    def columns(self) -> tuple[str, ...]:
        named = (self.nik, self.name, self.sex, self.birth_date, self.birth_place, self.relationship)
        return tuple(c for c in named if c is not None)


@dataclass(frozen=True)
class SourceSpec:
    """An agency: which drop kinds it sends and which entities each kind holds (households before members).

    ``persons``/``households`` say how its records are reconciled (a source without them is loaded, validated
    and snapshotted but links nothing). ``spine`` marks the civil registry: the identity every person links to,
    with its own replay of events (exactly one declared source is the spine). ``suites_dir`` is the folder of
    its expectation suites when they are not in the project's ``expectations/`` (an agency declared outside).
    """

    name: str
    description: str
    entities_by_kind: dict[DropKind, tuple[EntitySpec, ...]] = field(default_factory=dict)
    persons: PersonFields | None = None
    households: HouseholdFields | None = None
    spine: bool = False
    suites_dir: Path | None = None

    def __post_init__(self) -> None:
        """A declared column that the entity does not deliver would only fail deep inside reconcile's SQL."""
        for fields in (self.persons, self.households):
            if fields is None:
                continue
            entity = next((e for e in self.all_entities if e.entity == fields.entity), None)
            if entity is None:
                raise ValueError(f"source {self.name}: no entity {fields.entity!r} to take records from")
            known = {c.key for c in entity.columns}
            unknown = [c for c in fields.columns() if c not in known]
            if unknown:
                raise ValueError(f"source {self.name}: entity {fields.entity} has no column(s) {unknown}")
        if self.persons is not None:
            person = self.entity_named(self.persons.entity)
            if person.parent is not None and (
                self.households is None or self.households.entity != person.parent
            ):
                raise ValueError(
                    f"source {self.name}: persons of {person.entity} need the household fields of {person.parent}"
                )

    def entity_named(self, entity: str) -> EntitySpec:
        """The entity ``entity`` of whichever drop kind holds it."""
        return next(e for e in self.all_entities if e.entity == entity)

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


def _delivery(delivered_as: CsvFormat | Literal["parquet"]) -> dict[str, Any]:
    """:class:`EntitySpec`'s ``file_format`` and ``csv``: a CSV format says the file is CSV, so the builders below
    take one argument for both."""
    if delivered_as == "parquet":
        return {"file_format": "parquet", "csv": None}
    return {"file_format": "csv", "csv": delivered_as}


def household_entity(
    entity: str,
    delivered_as: CsvFormat | Literal["parquet"],
    keys: tuple[str, str, str, str],
    *more: Column,
    observed_at: Column | None = None,
) -> tuple[EntitySpec, HouseholdFields]:
    """A household entity and the fields reconcile takes from it, each column named once.

    ``keys`` are the headers every household file delivers first, in this order: its record id, family card
    (KK), Kemendagri village code and address; ``more`` follow, then ``observed_at``, the date the record
    describes (None: the date of its drop). ``delivered_as`` is the file's CSV format, or ``"parquet"``. Declaring the columns and :class:`HouseholdFields` apart named each
    of these twice, in two spellings, and a renamed header needed both edits.
    """
    record_id, kk, region, address = keys
    columns = (
        Column(record_id, "record_id"),
        Column(kk, "kk"),
        Column(region, "region"),
        Column(address, "text"),
        *more,
        *((observed_at,) if observed_at is not None else ()),
    )
    spec = EntitySpec(entity=entity, role="household", columns=columns, **_delivery(delivered_as))
    fields = HouseholdFields(
        entity=entity,
        kk=spec.columns[1].key,
        region=spec.columns[2].key,
        address=spec.columns[3].key,
        observed_at=observed_at.key if observed_at is not None else None,
    )
    return spec, fields


@dataclass(frozen=True)
class Coded:
    """A code column and what its values mean in the registry (for :class:`PersonFields`' ``*_codes``)."""

    column: Column
    codes: tuple[tuple[str | int, Any], ...]
    """Each delivered value (as typed in the snapshot) and the registry's value for it."""


def member_entity(
    entity: str,
    delivered_as: CsvFormat | Literal["parquet"],
    keys: tuple[str, str, str, str],
    *more: Column,
    parent: str,
    sex: Coded,
    birth_date: Column,
    relationship: Coded,
    birth_place: str | None = None,
) -> tuple[EntitySpec, PersonFields]:
    """A member entity and the fields reconcile takes from it, each column named once.

    ``keys`` are the headers every member file delivers first, in this order: its record id, its household's
    record id (``parent``'s), NIK and name; then come sex, the place of birth (if delivered), the birth date,
    the relationship to the head, and ``more``. See :func:`household_entity` for why both come from one call.
    """
    record_id, household_ref, nik, name = keys
    place = (Column(birth_place, "text"),) if birth_place is not None else ()
    columns = (
        Column(record_id, "record_id"),
        Column(household_ref, "household_ref"),
        Column(nik, "nik"),
        Column(name, "text"),
        sex.column,
        *place,
        birth_date,
        relationship.column,
        *more,
    )
    spec = EntitySpec(entity=entity, role="person", columns=columns, parent=parent, **_delivery(delivered_as))
    fields = PersonFields(
        entity=entity,
        nik=spec.columns[2].key,
        name=spec.columns[3].key,
        sex=sex.column.key,
        sex_codes=sex.codes,
        birth_date=birth_date.key,
        birth_place=place[0].key if place else None,
        relationship=relationship.column.key,
        relationship_codes=relationship.codes,
    )
    return spec, fields


def agency_source(
    name: str,
    description: str,
    households: tuple[EntitySpec, HouseholdFields],
    members: tuple[EntitySpec, PersonFields],
) -> SourceSpec:
    """An agency sending ``full`` drops of households and their members, reconciled from both.

    Every agency but the civil registry is one (DTKS, Regsosek, P3KE, and one declared outside the package);
    the pairs are what :func:`household_entity` and :func:`member_entity` return.
    """
    (household, household_fields), (member, person_fields) = households, members
    return SourceSpec(
        name=name,
        description=description,
        entities_by_kind={"full": (household, member)},
        households=household_fields,
        persons=person_fields,
    )
