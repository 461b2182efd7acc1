"""The validation frame: what Great Expectations looks at, computed in DuckDB from an entity's raw rows.

GX decides which rows fail; DuckDB prepares the facts it needs, because some of them span rows (a record id's
occurrence number, whether a member's household row was accepted, whether an event's NIK is known) and some
are cheaper set-based than per value in pandas (a parsed date, a normalised region code, the birth date an NIK
encodes). Every column here is derived from the adapter declarations (``sejahtera/sources/``), by column
kind, so a fifth agency needs no code here.

Frame column names are ``<column>`` (the delivered value, blank-trimmed: ``''`` and spaces are missing) and
``<column>__<fact>`` for derived facts. The suites in ``expectations/`` refer to these names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assets.extract.columns import UNDECODED_SUFFIX
from assets.extract.parquet_reader import RULED_KINDS
from assets.extract.raw_tables import raw_table
from assets.validate.events import EventRule, event_rule
from sejahtera.rules.nik import NIK_PATTERN
from sejahtera.sources import Column, EntitySpec, SourceSpec
from sejahtera.sql_text import identifier, literal, literal_list
from sejahtera.warehouse import WORK_SCHEMA

FRAME_TABLE = "validation_frame"
"""Temporary table (this connection only) holding the frame of the entity being validated."""
KNOWN_IDENTITIES = "known_identity"
"""Temporary table of the identities (NIKs) an event may refer to; filled by the gate before events are framed."""

Display = Literal["value", "masked", "hidden"]
"""How a failing value of the column may be shown in Data Docs: as is, masked like an NIK, or not at all."""

SEX_COLUMNS = frozenset({"jns_kel", "jenis_kelamin"})
"""Code columns holding sex; their declared ``values`` are (male, female). Compared with the NIK's hint."""
IDENTITY_RECORD_IDS = frozenset({"nik"})
"""Record-id columns that are themselves an NIK (Dukcapil's population): they get the NIK warnings too."""

CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
"""C0 and C1 control characters and DEL, except tab, line feed and carriage return (a quoted field may hold a
line break). The same pattern is in the suites; quarantine details use it to name the character."""

_DIGITS16 = "[0-9]{16}"
DELIVERY_ORDER = "base.file_position, base.file, base.row_number"
"""The order rows were delivered in: files in the order their manifest lists them, rows in file order. "Every
occurrence after the first" of a repeated id is after the first in this order (not in file-name order:
``anggota_10.csv`` sorts before ``anggota_2.csv``)."""
TEXT_KINDS = frozenset({"record_id", "household_ref", "nik", "kk", "text", "region"})


@dataclass(frozen=True)
class FrameColumn:
    name: str
    expr: str
    """DuckDB expression over the ``base`` columns (and the joined ``hh`` / ``known`` relations)."""
    column: Column
    """The declared column this fact is about (quarantine details name it)."""
    display: Display


def parsed_date_sql(value: str, column: Column, file_format: str) -> str:
    """A DATE from a delivered value: CSV text parsed in the declared format (NULL when it does not exist),
    Parquet dates as they are. Year 0 (``00-01-0000``) does not exist either."""
    if file_format != "csv":
        return f"CAST({value} AS DATE)"
    if not column.date_format:
        raise ValueError(f"CSV date column {column.name} declares no date_format")
    parsed = f"CAST(try_strptime({value}, {literal(column.date_format)}) AS DATE)"
    return f"(CASE WHEN {parsed} >= DATE '0001-01-01' THEN {parsed} END)"


def date_shape_pattern(date_format: str) -> str:
    """The strict shape of a date format: ``%d-%m-%Y`` -> ``^[0-9]{2}-[0-9]{2}-[0-9]{4}$``.

    DuckDB's ``strptime`` also accepts ``1-2-980``; the contract's formats have fixed widths, so the shape is
    checked separately (a GX regex) and the parse only decides whether the date exists.
    """
    widths = {"%d": "[0-9]{2}", "%m": "[0-9]{2}", "%Y": "[0-9]{4}"}
    parts = re.split(r"(%[A-Za-z])", date_format)
    pattern = ""
    for part in parts:
        if part in widths:
            pattern += widths[part]
        elif part.startswith("%"):
            raise ValueError(f"unsupported date directive {part!r} in {date_format!r}")
        else:
            pattern += re.escape(part)
    return f"^{pattern}$"


def _yyyymmdd(date_sql: str) -> str:
    # DOUBLE, not INTEGER: pandas turns a nullable integer into an extension dtype that GX compares row by row.
    return f"CAST(year({date_sql}) * 10000 + month({date_sql}) * 100 + day({date_sql}) AS DOUBLE)"


def clean_text_sql(value: str) -> str:
    """Blank and space-only values are missing, surrounding spaces are not part of a value."""
    return f"NULLIF(trim(CAST({value} AS VARCHAR)), '')"


class EntityFrame:
    """The frame of one entity: its columns, and the SQL that builds it for one drop."""

    def __init__(self, source: SourceSpec, entity: EntitySpec) -> None:
        self.source = source
        self.entity = entity
        self.events: EventRule | None = event_rule(source.name, entity.entity)
        self.parent: EntitySpec | None = (
            next(e for e in source.all_entities if e.entity == entity.parent) if entity.parent else None
        )
        self.columns: tuple[FrameColumn, ...] = tuple(self._frame_columns())
        self._by_name = {c.name: c for c in self.columns}

    # -- naming -------------------------------------------------------------------------------------------
    @property
    def suite_name(self) -> str:
        return f"{self.source.name}.{self.entity.entity}"

    @property
    def raw_table(self) -> str:
        return raw_table(self.source, self.entity.entity)

    def column(self, name: str) -> FrameColumn:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.suite_name}: the validation frame has no column {name!r}") from None

    def has_column(self, name: str) -> bool:
        return name in self._by_name

    @property
    def sex_column(self) -> Column | None:
        return next((c for c in self.entity.columns if c.kind == "code" and c.key in SEX_COLUMNS), None)

    @property
    def birth_column(self) -> Column | None:
        return next((c for c in self.entity.columns if c.kind == "birth_date"), None)

    def undecodable_columns(self) -> tuple[Column, ...]:
        """Parquet date and code columns: a value delivered in them that is not of their type reached the raw
        table as ``<column>__undecoded`` (see assets/extract/parquet_reader.py) and breaks their row rule."""
        if self.entity.file_format != "parquet":
            return ()
        return tuple(c for c in self.entity.columns if c.kind in RULED_KINDS)

    def nik_columns(self) -> tuple[Column, ...]:
        return tuple(
            c
            for c in self.entity.columns
            if c.kind == "nik" or (c.kind == "record_id" and c.key in IDENTITY_RECORD_IDS)
        )

    # -- columns --------------------------------------------------------------------------------------------
    def _base_expr(self, column: Column) -> str:
        """The delivered value as the frame holds it: text blank-trimmed; Parquet numbers and dates native."""
        raw = f"r.{identifier(column.key)}"
        textual = column.kind in TEXT_KINDS or column.snapshot_type == "VARCHAR"
        return clean_text_sql(raw) if self.entity.file_format == "csv" or textual else raw

    def _frame_columns(self) -> list[FrameColumn]:
        out: list[FrameColumn] = []
        nik_keys = {c.key for c in self.nik_columns()}
        for c in self.entity.columns:
            key = identifier(c.key)
            v = f"base.{key}"
            if c.kind == "record_id":
                out.append(FrameColumn(key, v, c, "masked" if key in nik_keys else "value"))
                window = f"OVER (PARTITION BY {v} ORDER BY {DELIVERY_ORDER})"
                out.append(
                    FrameColumn(
                        f"{key}__occurrence",
                        f"CASE WHEN {v} IS NOT NULL THEN CAST(row_number() {window} AS DOUBLE) END",
                        c,
                        "value",
                    )
                )
            elif c.kind == "household_ref":
                out.append(FrameColumn(key, v, c, "value"))
                out.append(
                    FrameColumn(
                        f"{key}__household",
                        f"CASE WHEN {v} IS NULL THEN 'blank' WHEN hh.household_key IS NULL THEN 'absent' "
                        "WHEN hh.accepted THEN 'accepted' ELSE 'quarantined' END",
                        c,
                        "value",
                    )
                )
            elif c.kind == "nik":
                out.append(FrameColumn(key, v, c, "masked"))
            elif c.kind == "kk":
                out.append(FrameColumn(key, v, c, "masked"))
                out.append(FrameColumn(f"{key}__district", self._district(v), c, "value"))
            elif c.kind == "text":
                out.append(FrameColumn(key, v, c, "hidden"))
            elif c.kind == "region":
                out.append(FrameColumn(key, v, c, "value"))
                out.append(FrameColumn(f"{key}__village", f"replace({v}, '.', '')", c, "value"))
            elif c.kind in ("date", "birth_date"):
                display: Display = "hidden" if c.kind == "birth_date" else "value"
                parsed = parsed_date_sql(v, c, self.entity.file_format)
                out.append(FrameColumn(key, v, c, display))
                out.append(FrameColumn(f"{key}__date", _yyyymmdd(parsed), c, display))
                if c.kind == "birth_date" and nik_keys:
                    out.append(FrameColumn(f"{key}__ddmmyy", f"strftime({parsed}, '%d%m%y')", c, "hidden"))
            elif c.kind in ("code", "flag"):
                out.append(FrameColumn(key, v, c, "value"))
                if c.key in SEX_COLUMNS and nik_keys:
                    male, female = c.values
                    out.append(
                        FrameColumn(
                            f"{key}__sex",
                            f"CASE {v} WHEN {literal(male)} THEN 'L' WHEN {literal(female)} THEN 'P' END",
                            c,
                            "value",
                        )
                    )
        for c in self.undecodable_columns():
            name = f"{identifier(c.key)}{UNDECODED_SUFFIX}"
            out.append(FrameColumn(name, f"base.{name}", c, "hidden" if c.kind == "birth_date" else "value"))
        for c in self.nik_columns():
            out.extend(self._nik_facts(c))
        if self.events is not None:
            subject = self.entity.column(self.events.subject_column)
            kind = f"base.{identifier(self.events.type_column)}"
            out.append(
                FrameColumn(
                    f"{identifier(subject.key)}__known",
                    f"CASE WHEN {kind} IN ({literal_list(self.events.creating_types)}) THEN NULL "
                    "WHEN known.identity IS NOT NULL THEN 'known' ELSE 'unknown' END",
                    subject,
                    "value",
                )
            )
        return out

    @staticmethod
    def _district(v: str) -> str:
        return f"CASE WHEN regexp_full_match({v}, {literal(_DIGITS16)}) THEN left({v}, 6) END"

    def _nik_facts(self, c: Column) -> list[FrameColumn]:
        """What an NIK says about its holder: district of first registration, birth date (DDMMYY), sex."""
        key = identifier(c.key)
        v = f"base.{key}"
        well_formed = f"regexp_full_match({v}, {literal(NIK_PATTERN)})"
        day = f"CAST(substr({v}, 7, 2) AS INTEGER)"
        hint = (
            f"CASE WHEN {well_formed} THEN lpad(CAST({day} % 40 AS VARCHAR), 2, '0') || substr({v}, 9, 4) END"
        )
        # The century is not encoded; 20YY has the same leap years as 19YY except 00, where 2000 is the
        # generous reading (29-02-00 exists).
        iso = f"'20' || substr({v}, 11, 2) || '-' || substr({v}, 9, 2) || '-' || lpad(CAST({day} % 40 AS VARCHAR), 2, '0')"
        facts = [
            FrameColumn(f"{key}__district", self._district(v), c, "value"),
            FrameColumn(f"{key}__birth_hint", hint, c, "hidden"),
            FrameColumn(
                f"{key}__encoded_date",
                f"CASE WHEN {well_formed} THEN strftime(try_cast({iso} AS DATE), '%Y-%m-%d') END",
                c,
                "hidden",
            ),
            FrameColumn(
                f"{key}__sex_hint",
                f"CASE WHEN {well_formed} THEN CASE WHEN {day} > 40 THEN 'P' ELSE 'L' END END",
                c,
                "value",
            ),
        ]
        if c.kind == "nik" and self.events is None:  # a record-id NIK has its occurrence already
            facts.append(
                FrameColumn(
                    f"{key}__occurrence",
                    f"CASE WHEN {v} IS NOT NULL THEN CAST(row_number() OVER "
                    f"(PARTITION BY {v} ORDER BY {DELIVERY_ORDER}) AS DOUBLE) END",
                    c,
                    "value",
                )
            )
        return facts

    # -- SQL ------------------------------------------------------------------------------------------------
    def create_sql(self, raw_columns: set[str]) -> str:
        """``CREATE TEMP TABLE validation_frame`` for the drop bound as ``$drop_id`` (and ``$source``).

        Declared columns the raw table lacks (optional ones a file did not carry) are NULL.
        """
        base = ",\n    ".join(
            [
                f"{self._base_expr(c) if c.key in raw_columns else 'CAST(NULL AS VARCHAR)'} AS {identifier(c.key)}"
                for c in self.entity.columns
            ]
            + [
                f"{'r.' + name if name in raw_columns else 'CAST(NULL AS VARCHAR)'} AS {name}"
                for name in (f"{identifier(c.key)}{UNDECODED_SUFFIX}" for c in self.undecodable_columns())
            ]
        )
        derived = ",\n    ".join(f"{c.expr} AS {c.name}" for c in self.columns if c.expr != f"base.{c.name}")
        ctes = [
            f"base AS (\n  SELECT r.file, r.row_number, df.position AS file_position,\n    {base}\n"
            f"  FROM {self.raw_table} AS r\n"
            f"  LEFT JOIN {WORK_SCHEMA}.drop_file AS df\n"
            "    ON df.source = r.source AND df.drop_id = r.drop_id AND df.file = r.file\n"
            "  WHERE r.drop_id = $drop_id\n)"
        ]
        joins = []
        ref = self.entity.household_ref
        if ref is not None and self.parent is not None:
            parent_table = raw_table(self.source, self.parent.entity)
            parent_id = clean_text_sql(f"p.{identifier(self.parent.record_id.key)}")
            ctes.append(
                "hh AS (\n"
                f"  SELECT {parent_id} AS household_key, bool_or(q.row_number IS NULL) AS accepted\n"
                f"  FROM {parent_table} AS p\n"
                f"  LEFT JOIN (SELECT DISTINCT file, row_number FROM {WORK_SCHEMA}.quarantine\n"
                "             WHERE source = $source AND drop_id = $drop_id) AS q\n"
                "    ON q.file = p.file AND q.row_number = p.row_number\n"
                "  WHERE p.drop_id = $drop_id\n"
                "  GROUP BY 1\n)"
            )
            joins.append(f"LEFT JOIN hh ON hh.household_key = base.{identifier(ref.key)}")
        if self.events is not None:
            subject = identifier(self.events.subject_column)
            joins.append(
                f"LEFT JOIN (SELECT DISTINCT identity FROM {KNOWN_IDENTITIES}) AS known "
                f"ON known.identity = base.{subject}"
            )
        return (
            f"CREATE OR REPLACE TEMP TABLE {FRAME_TABLE} AS\nWITH {', '.join(ctes)}\n"
            f"SELECT base.*,\n    {derived}\nFROM base\n" + "\n".join(joins)
        )

    def params(self, drop_id: str) -> dict[str, str]:
        """The named parameters of :meth:`create_sql` for one drop."""
        params = {"drop_id": drop_id}
        if self.entity.household_ref is not None and self.parent is not None:
            params["source"] = self.source.name  # households' quarantine rows are looked up by source
        return params


def typed_sql(source: SourceSpec, entity: EntitySpec, raw_columns: set[str]) -> str:
    """SELECT list turning raw rows (alias ``r``) into the typed snapshot columns of docs/architecture.md."""
    parts = []
    csv = entity.file_format == "csv"
    for c in entity.columns:
        key = identifier(c.key)
        if key not in raw_columns:
            parts.append(f"CAST(NULL AS {c.snapshot_type}) AS {key}")
            continue
        raw = f"r.{key}"
        text = clean_text_sql(raw)
        if c.kind in ("date", "birth_date"):
            expr = parsed_date_sql(text if csv else raw, c, entity.file_format)
        elif c.kind == "flag":
            yes, no = c.values
            expr = f"CASE {text} WHEN {literal(yes)} THEN true WHEN {literal(no)} THEN false END"
        elif c.snapshot_type == "VARCHAR":
            expr = text
        else:
            expr = f"CAST({text if csv else raw} AS {c.snapshot_type})"
        parts.append(f"{expr} AS {key}")
    return ", ".join(parts)


def snapshot_columns_ddl(entity: EntitySpec) -> str:
    """Column list of an accepted/snapshot table: lineage first, then the declared columns, typed."""
    lineage = "source VARCHAR, drop_id VARCHAR, file VARCHAR, row_number BIGINT"
    declared = ", ".join(f"{identifier(c.key)} {c.snapshot_type}" for c in entity.columns)
    return f"{lineage}, {declared}"
