"""The parts of reconcile's SQL that differ per source, generated from the source declarations.

Every agency's person and household records take the same shape (``work.person_record``,
``work.household_record``); only which column holds what, and what a code means, differs. That is declared once
per source (:class:`PersonFields`, :class:`HouseholdFields` in ``sejahtera/sources/``), and this module turns
it into the ``UNION ALL`` branches the statements in ``sql/`` splice in at their ``/*@name*/`` markers, so a
fifth agency is one declaration, not five SQL edits. Names are checked with :func:`sql_text.identifier`; codes
and source names are code constants written with :func:`sql_text.literal`; nothing from data is spliced.
"""

from __future__ import annotations

from sejahtera.sources import AGENCIES, SOURCES, SPINE, SourceSpec
from sejahtera.sql_files import stage_sql
from sejahtera.sql_text import identifier, literal

DROP_DATE = "try_strptime(left({alias}.drop_id, 8), '%Y%m%d')::DATE"
"""The date a record describes when its source declares no date column: its drop's date (``drop_id`` YYYYMMDD...)."""


def snapshot_tables() -> tuple[str, ...]:
    """The typed snapshot tables of every declared source (``snapshot_<source>_<entity>``, in the work schema)."""
    return tuple(
        f"snapshot_{identifier(s.table(e.entity))}" for s in SOURCES.values() for e in s.all_entities
    )


def person_sources() -> tuple[SourceSpec, ...]:
    """The agencies that deliver person records (the spine's come from its replayed population)."""
    return tuple(s for s in AGENCIES if s.persons is not None)


def household_sources() -> tuple[SourceSpec, ...]:
    """The agencies that deliver household records (the spine has families, not household records)."""
    return tuple(s for s in AGENCIES if s.households is not None)


def spine_name() -> str:
    return literal(SPINE.name)


def _case(column: str, codes: tuple[tuple[str | int, str | int], ...]) -> str:
    whens = " ".join(f"WHEN {literal(value)} THEN {literal(code)}" for value, code in codes)
    return f"CASE {column} {whens} END"


def _person_table(source: SourceSpec) -> tuple[str, str | None]:
    """The person entity's snapshot table and the household CTE its rows join (None: no household entity)."""
    assert source.persons is not None
    person = source.entity_named(source.persons.entity)
    household = source.table(person.parent) if person.parent else None
    return f"work.snapshot_{identifier(source.table(person.entity))}", household and identifier(household)


def household_rows() -> str:
    """One CTE per agency household entity: its first row per record id (a repeated id is quarantined anyway)."""
    parts = []
    for source in household_sources():
        assert source.households is not None
        entity = source.entity_named(source.households.entity)
        table = identifier(source.table(entity.entity))
        parts.append(
            f"{table} AS (\n"
            f"    SELECT * FROM work.snapshot_{table}\n"
            f"    QUALIFY row_number() OVER (PARTITION BY {identifier(entity.record_id.key)} ORDER BY row_number) = 1\n"
            "),"
        )
    return "\n".join(parts)


def delivered_persons() -> str:
    """The agencies' person records in the columns of ``delivered`` (sql/person_record.sql), one branch each."""
    return "\n\n    UNION ALL\n\n".join(_person_branch(s) for s in person_sources())


def _person_branch(source: SourceSpec) -> str:
    fields = source.persons
    assert fields is not None
    person = source.entity_named(fields.entity)
    table, household = _person_table(source)
    ref = person.household_ref
    hh = source.households if household else None

    def p(column: str | None, cast: str = "VARCHAR") -> str:
        return f"p.{identifier(column)}" if column else f"NULL::{cast}"

    def h(column: str | None, cast: str = "VARCHAR") -> str:
        return f"h.{identifier(column)}" if hh and column else f"NULL::{cast}"

    relationship = (
        _case(p(fields.relationship), fields.relationship_codes) if fields.relationship else "NULL::INTEGER"
    )
    observed = h(hh.observed_at, "DATE") if hh and hh.observed_at else DROP_DATE.format(alias="p")
    select = (
        "    SELECT\n"
        "        p.source, p.drop_id, p.file, p.row_number,\n"
        f"        {p(person.record_id.key)} AS source_record_id,\n"
        f"        {p(ref.key if ref else None)} AS source_household_id,\n"
        f"        {p(fields.nik)} AS nik_raw,\n"
        f"        {p(fields.name)} AS nama_raw,\n"
        f"        {_case(p(fields.sex), fields.sex_codes)} AS jenis_kelamin,\n"
        f"        {p(fields.birth_date, 'DATE')} AS tanggal_lahir,\n"
        f"        {p(fields.birth_place)} AS tempat_lahir,\n"
        f"        {relationship} AS hubungan,\n"
        f"        {h(hh.kk if hh else None)} AS kk_raw,\n"
        f"        {h(hh.region if hh else None)} AS region_raw,\n"
        f"        {h(hh.address if hh else None)} AS alamat,\n"
        "        NULL::VARCHAR AS status_hidup,\n"
        "        NULL::DATE AS tanggal_meninggal,\n"
        f"        {observed} AS observed_at\n"
        f"    FROM {table} AS p"
    )
    if household and ref is not None:
        household_key = identifier(source.entity_named(person.parent or "").record_id.key)
        select += f"\n    LEFT JOIN {household} AS h ON h.{household_key} = p.{identifier(ref.key)}"
    return select


def delivered_households() -> str:
    """The agencies' household records in the columns of ``delivered`` (sql/household_record.sql)."""
    branches = []
    for source in household_sources():
        fields = source.households
        assert fields is not None
        entity = source.entity_named(fields.entity)
        observed = (
            f"h.{identifier(fields.observed_at)}" if fields.observed_at else DROP_DATE.format(alias="h")
        )
        branches.append(
            "    SELECT h.source, h.drop_id, h.file, h.row_number,\n"
            f"           h.{identifier(entity.record_id.key)} AS source_record_id,\n"
            f"           h.{identifier(fields.kk)} AS kk_raw, h.{identifier(fields.region)} AS region_raw,\n"
            f"           h.{identifier(fields.address)} AS alamat, {observed} AS observed_at\n"
            f"    FROM work.snapshot_{identifier(source.table(entity.entity))} AS h"
        )
    return "\n    UNION ALL\n".join(branches)


def delivered_names() -> str:
    """Every agency's delivered person names as ``nama_raw`` (the spine's are added by the caller)."""
    return "\n            UNION ALL ".join(
        f"SELECT {identifier(s.persons.name)} AS nama_raw FROM {_person_table(s)[0]}"
        for s in person_sources()
        if s.persons is not None
    )


def expected_records() -> str:
    """``(source, entity, source_record_id)`` of every agency record reconcile must link (the check of it)."""
    branches = []
    for source in person_sources():
        assert source.persons is not None
        rid = identifier(source.entity_named(source.persons.entity).record_id.key)
        branches.append(
            f"SELECT {literal(source.name)} AS source, 'person' AS entity, {rid} AS source_record_id "
            f"FROM {_person_table(source)[0]}"
        )
    for source in household_sources():
        assert source.households is not None
        entity = source.entity_named(source.households.entity)
        branches.append(
            f"SELECT {literal(source.name)} AS source, 'household' AS entity, "
            f"{identifier(entity.record_id.key)} AS source_record_id "
            f"FROM work.snapshot_{identifier(source.table(entity.entity))}"
        )
    return "\n    UNION ALL ".join(branches)


def previous_person_tables() -> tuple[str, ...]:
    """The agencies' person snapshots as the last publish left them (``snapshot.<source>_<entity>``)."""
    return tuple(
        f"snapshot.{identifier(s.table(s.persons.entity))}" for s in person_sources() if s.persons is not None
    )


def previous_persons() -> str:
    """The agencies' person records of the previous state, in the shape sql/person_rekeyed.sql compares."""
    branches = []
    for source in person_sources():
        fields = source.persons
        assert fields is not None
        rid = identifier(source.entity_named(fields.entity).record_id.key)
        branches.append(
            f"    SELECT {literal(source.name)} AS source, {rid} AS source_record_id, "
            f"upper(trim({identifier(fields.name)})) AS nama,\n"
            f"           {_case(identifier(fields.sex), fields.sex_codes)} AS jenis_kelamin,\n"
            f"           {identifier(fields.birth_date)} AS tanggal_lahir\n"
            f"    FROM snapshot.{identifier(source.table(fields.entity))}"
        )
    return "\n    UNION ALL\n".join(branches)


FRAGMENTS = {
    "spine": spine_name,
    "household_rows": household_rows,
    "delivered_persons": delivered_persons,
    "delivered_households": delivered_households,
    "expected_records": expected_records,
    "previous_persons": previous_persons,
}
"""Marker name -> the function writing it: a statement's ``/*@name*/`` is replaced by the function's text."""


SQL = stage_sql(__file__, FRAGMENTS)
"""Reconcile's ``sql/`` folder with its markers written from the declarations: the one way its modules run SQL."""
