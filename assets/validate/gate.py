"""The data-quality gate: every drop extract loaded is validated, quarantined row by row, and applied or
rejected whole, in apply order.

For each drop (``work.drop`` rows with status ``loaded``, in ``apply_order``):

1. each entity of the drop, households before their members, is framed in DuckDB (:mod:`derived`) and its
   suite run by GX on each of its files (:mod:`gx_runner`); failing rows go to ``work.quarantine`` (rules) or
   ``work.row_warning`` (identity warnings). Members are framed after their households' quarantine is
   written, so a member of a quarantined household fails ``member_without_household``;
2. events (Dukcapil deltas) are framed against the identities known so far: the published population and
   births, this run's earlier applied drops, and this drop's births. A birth that is itself quarantined makes
   no one known: when one failed, the events are framed and validated again without it;
3. if more than ``max_failing_row_share`` of the drop's rows (all files) broke a row rule, the drop is
   rejected whole: nothing of it reaches ``work.accepted_*``. Otherwise its other rows are typed into
   ``work.accepted_*`` and it is applied;
4. ``work.drop`` gets the verdict and the counts; at the end ``work.ledger`` gets one row per drop looked at.

Drops are handled one after another because a drop's verdict changes what the next one may refer to (a
Dukcapil delta's events after an earlier delta's births).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from assets.extract.partitions import drop_key
from assets.extract.raw_tables import raw_table
from assets.validate.derived import FRAME_TABLE, KNOWN_IDENTITIES, EntityFrame, clean_text_sql, typed_sql
from assets.validate.events import EVENT_RULES, EventRule
from assets.validate.gx_runner import GxRunner, Validation
from assets.validate.quarantine import write_failures
from assets.validate.suites import SuiteError, yyyymmdd
from assets.validate.tables import (
    SQL,
    accepted_table,
    create_work_tables,
    snapshot_table,
)
from sejahtera import warehouse
from sejahtera.drop_status import DropStatus
from sejahtera.faults import fault_point
from sejahtera.sources import SOURCES, EntitySpec, SourceSpec
from sejahtera.sql_text import identifier, literal_list
from sejahtera.warehouse import table_columns

BATCH_ROWS = 250_000
"""Rows per GX validation: a bigger file is validated in batches of row numbers (its cross-row facts are
computed over the whole drop first, so a batch needs nothing from another). Bounds the memory GX's pandas
frames take (about 2 KB a row: ~0.5 GB) whatever the size of the file, so a national file needs no more
memory to validate than a provincial one; a batch costs a GX run and a Data Docs page, small beside its rows."""
KNOWN_BASE = "known_base"
"""Temporary table: identities events may refer to before the drop being validated (per source)."""


@dataclass
class DropVerdict:
    source: str
    drop_id: str
    kind: str
    status: DropStatus
    reason: str | None
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rule_rows: dict[str, int] = field(default_factory=dict)
    """Rule -> rows of the drop that broke it."""
    validations: list[Validation] = field(default_factory=list)

    @property
    def key(self) -> str:
        return drop_key(self.source, self.drop_id)

    @property
    def failing_share(self) -> float:
        return self.rows_quarantined / self.rows_in if self.rows_in else 0.0


def ordered_entities(source: SourceSpec, kind: str) -> list[EntitySpec]:
    """The entities of a drop kind, every parent before its members."""
    entities = list(source.entities_by_kind.get(kind, ()))
    return sorted(entities, key=lambda e: 1 if e.parent in {x.entity for x in entities} else 0)


def rejection_reason(verdict: DropVerdict, max_share: float) -> str:
    ranked = sorted(verdict.rule_rows.items(), key=lambda item: (-item[1], item[0]))[:3]
    top = ", ".join(f"{rule} {count:,}" for rule, count in ranked)
    return (
        f"{verdict.key}: {verdict.failing_share:.1%} of its rows ({verdict.rows_quarantined:,} of "
        f"{verdict.rows_in:,}, all files) break row rules, more than the {max_share:.0%} allowed "
        f"(most often: {top})"
    )


class Gate:
    """Validates this run's loaded drops on an open warehouse connection (inside the caller's transaction)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        runner: GxRunner,
        *,
        max_failing_row_share: float,
        run_id: str,
        today: dt.date,
    ) -> None:
        self.con = con
        self.runner = runner
        self.max_share = max_failing_row_share
        self.run_id = run_id
        self.today = yyyymmdd(today)

    def run(self) -> list[DropVerdict]:
        SQL.run_file(self.con, "restore_extract_verdicts")
        create_work_tables(self.con)
        self._start_known_identities()
        drops = self.con.execute(
            "SELECT source, drop_id, kind FROM work.drop WHERE status = ? ORDER BY apply_order, source, drop_id",
            [DropStatus.LOADED],
        ).fetchall()
        verdicts = []
        for source, drop_id, kind in drops:
            verdicts.append(self._validate_drop(source, drop_id, kind))
            if len(verdicts) == 1:
                fault_point("validate", "after_first_drop")
        SQL.run_file(self.con, "write_ledger", {"run_id": self.run_id})
        return verdicts

    # -- one drop -------------------------------------------------------------------------------------------
    def _validate_drop(self, source_name: str, drop_id: str, kind: str) -> DropVerdict:
        if source_name not in SOURCES or kind not in SOURCES[source_name].kinds:
            raise SuiteError(
                f"{source_name}.{drop_id}: no adapter declares source {source_name!r} kind {kind!r}"
            )
        source = SOURCES[source_name]
        entities = ordered_entities(source, kind)
        validations: list[Validation] = []
        for entity in entities:
            validations.extend(self._validate_entity(EntityFrame(source, entity), drop_id))
        rows_in = sum(self._count(raw_table(source, e.entity), drop_id) for e in entities)
        failing = self.con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT file, row_number FROM work.quarantine "
            "WHERE source = ? AND drop_id = ?)",
            [source_name, drop_id],
        ).fetchall()[0][0]
        rule_rows = dict(
            self.con.execute(
                "SELECT rule, count(*) FROM work.quarantine WHERE source = ? AND drop_id = ? GROUP BY rule",
                [source_name, drop_id],
            ).fetchall()
        )
        verdict = DropVerdict(
            source_name, drop_id, kind, DropStatus.APPLIED, None, rows_in, 0, failing, rule_rows, validations
        )
        if verdict.failing_share > self.max_share:
            verdict.status = DropStatus.REJECTED
            verdict.reason = rejection_reason(verdict, self.max_share)
        else:
            for entity in entities:
                verdict.rows_loaded += self._accept(source, entity, drop_id)
            self._after_applied(source, kind, drop_id)
        for entity in entities:
            self._account_files(source, entity, drop_id)
        self.con.execute(
            "UPDATE work.drop SET status = ?, reason = ?, rows_in = ?, rows_loaded = ?, rows_quarantined = ? "
            "WHERE source = ? AND drop_id = ?",
            [verdict.status, verdict.reason, rows_in, verdict.rows_loaded, failing, source_name, drop_id],
        )
        return verdict

    def _validate_entity(self, frame: EntityFrame, drop_id: str) -> list[Validation]:
        raw_columns = table_columns(self.con, frame.raw_table)
        if not raw_columns:
            raise SuiteError(f"{frame.suite_name}: raw table {frame.raw_table} does not exist")
        if frame.events is not None:
            self._frame_known_identities(frame.events, drop_id, exclude_quarantined=False)
        validations = self._run_suite(frame, drop_id, raw_columns)
        if frame.events is not None and self._a_birth_failed(frame.events, validations):
            # Phase 2: a quarantined birth makes no one known; the rows of this drop are framed again.
            self._write(frame, drop_id, validations)  # provisional, to know which births failed
            self._frame_known_identities(frame.events, drop_id, exclude_quarantined=True)
            self.con.execute(
                "DELETE FROM work.quarantine WHERE source = ? AND drop_id = ? AND file IN "
                f"(SELECT DISTINCT file FROM {FRAME_TABLE})",
                [frame.source.name, drop_id],
            )
            self.con.execute(
                "DELETE FROM work.row_warning WHERE source = ? AND drop_id = ? AND file IN "
                f"(SELECT DISTINCT file FROM {FRAME_TABLE})",
                [frame.source.name, drop_id],
            )
            validations = self._run_suite(frame, drop_id, raw_columns)
        self._write(frame, drop_id, validations)
        for validation in validations:
            self.runner.publish(
                validation,
                run_name=f"{self.run_id}",
                display=lambda c, frame=frame: frame.column(c).display if frame.has_column(c) else "value",
            )
            self._record_expectations(frame, drop_id, validation)
        return validations

    def _run_suite(self, frame: EntityFrame, drop_id: str, raw_columns: set[str]) -> list[Validation]:
        self.con.execute(frame.create_sql(raw_columns), frame.params(drop_id))
        _, columns, _ = self.runner.suite(frame.suite_name)
        unknown = [c for c in columns if c != "row_number" and not frame.has_column(c)]
        if unknown:
            raise SuiteError(
                f"expectation suite {frame.suite_name} reads {', '.join(unknown)}, which the validation frame "
                "does not have (see assets/validate/derived.py)"
            )
        selected = ", ".join(["row_number", *(identifier(c) for c in columns if c != "row_number")])
        files = self.con.execute(
            f"SELECT file, min(row_number), max(row_number) FROM {FRAME_TABLE} GROUP BY file ORDER BY file"
        ).fetchall()
        out = []
        for file, first, last in files:
            for start in range(first, last + 1, BATCH_ROWS):
                stop = min(start + BATCH_ROWS - 1, last)
                label = f"{frame.source.name}.{drop_id}/{file}"
                if (first, last) != (start, stop):
                    label += f" [rows {start}-{stop}]"
                data = self.con.sql(  # no ORDER BY: GX finds rows by the row_number index, not by position
                    f"SELECT {selected} FROM {FRAME_TABLE} WHERE file = ? AND row_number BETWEEN ? AND ?",
                    params=[file, start, stop],
                ).to_arrow_table()
                out.append(self.runner.validate(data, frame.suite_name, label=label, file=file))
        return out

    def _write(self, frame: EntityFrame, drop_id: str, validations: list[Validation]) -> None:
        write_failures(
            self.con,
            frame,
            [(v.file, v) for v in validations],
            drop_id=drop_id,
            run_id=self.run_id,
            today=self.today,
        )

    def _record_expectations(self, frame: EntityFrame, drop_id: str, validation: Validation) -> None:
        file = validation.file
        self.con.executemany(
            "INSERT INTO work.expectation_result VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    frame.source.name,
                    drop_id,
                    file,
                    frame.suite_name,
                    o.index,
                    o.type,
                    o.column,
                    o.rule,
                    o.warning,
                    o.element_count,
                    o.unexpected_count,
                    validation.docs_url,
                    self.run_id,
                )
                for o in validation.expectations
            ],
        )

    def _accept(self, source: SourceSpec, entity: EntitySpec, drop_id: str) -> int:
        raw = raw_table(source, entity.entity)
        target = accepted_table(source.name, entity.entity)
        before = self._count(target, drop_id)
        self.con.execute(
            f"""
            INSERT INTO {target}
            SELECT r.source, r.drop_id, r.file, r.row_number, {typed_sql(source, entity, table_columns(self.con, raw))}
            FROM {raw} AS r
            WHERE r.drop_id = $drop_id
              AND NOT EXISTS (SELECT 1 FROM work.quarantine AS q
                              WHERE q.source = $source AND q.drop_id = r.drop_id
                                AND q.file = r.file AND q.row_number = r.row_number)
            ORDER BY r.file, r.row_number
            """,
            {"drop_id": drop_id, "source": source.name},
        )
        return self._count(target, drop_id) - before

    def _account_files(self, source: SourceSpec, entity: EntitySpec, drop_id: str) -> None:
        """Per-file rows in / loaded / quarantined, counted from the tables themselves."""
        raw = raw_table(source, entity.entity)
        self.con.execute(
            f"""
            INSERT INTO work.ledger_file
            SELECT $source, $drop_id, r.file, $entity, count(*),
                   count(a.row_number), count(q.row_number), $run_id
            FROM {raw} AS r
            LEFT JOIN {accepted_table(source.name, entity.entity)} AS a
              ON a.drop_id = r.drop_id AND a.file = r.file AND a.row_number = r.row_number
            LEFT JOIN (SELECT DISTINCT file, row_number FROM work.quarantine
                       WHERE source = $source AND drop_id = $drop_id) AS q
              ON q.file = r.file AND q.row_number = r.row_number
            WHERE r.drop_id = $drop_id
            GROUP BY r.file
            ORDER BY r.file
            """,
            {"source": source.name, "drop_id": drop_id, "entity": entity.entity, "run_id": self.run_id},
        )

    def _count(self, table: str, drop_id: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {table} WHERE drop_id = ?", [drop_id]).fetchall()[0][0]

    # -- identities events may refer to ---------------------------------------------------------------------
    def _start_known_identities(self) -> None:
        """Identities known before this run: the published population and the births applied on top of it."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {KNOWN_BASE} (source VARCHAR, identity VARCHAR)")
        for rule in EVENT_RULES.values():
            population = snapshot_table(rule.source, rule.population_entity, schema="snapshot")
            events = snapshot_table(rule.source, rule.event_entity, schema="snapshot")
            population_id = SOURCES[rule.source].entity("full", rule.population_entity).record_id.key
            if warehouse.table_exists(self.con, population):
                self.con.execute(
                    f"INSERT INTO {KNOWN_BASE} SELECT ?, {clean_text_sql(identifier(population_id))} "
                    f"FROM {population}",
                    [rule.source],
                )
            if warehouse.table_exists(self.con, events):
                self._insert_births(rule, events, where="true")

    def _insert_births(self, rule: EventRule, table: str, where: str, params: list | None = None) -> None:
        self.con.execute(
            f"INSERT INTO {KNOWN_BASE} SELECT ?, {clean_text_sql(identifier(rule.subject_column))} FROM {table} "
            f"WHERE {clean_text_sql(identifier(rule.type_column))} IN ({literal_list(rule.creating_types)}) "
            f"AND {where}",
            [rule.source, *(params or [])],
        )

    def _after_applied(self, source: SourceSpec, kind: str, drop_id: str) -> None:
        """An applied drop changes what later events may refer to, as it changes the snapshot (snapshots.py)."""
        rule = EVENT_RULES.get(source.name)
        if rule is None:
            return
        entities = {e.entity for e in source.entities_by_kind.get(kind, ())}
        if rule.population_entity in entities:  # a full replaces the population and the births on top of it
            population_id = source.entity(kind, rule.population_entity).record_id.key
            self.con.execute(f"DELETE FROM {KNOWN_BASE} WHERE source = ?", [source.name])
            self.con.execute(
                f"INSERT INTO {KNOWN_BASE} SELECT ?, {identifier(population_id)} "
                f"FROM {accepted_table(source.name, rule.population_entity)} WHERE drop_id = ?",
                [source.name, drop_id],
            )
        if rule.event_entity in entities:
            self._insert_births(
                rule, accepted_table(source.name, rule.event_entity), "drop_id = ?", [drop_id]
            )

    def _frame_known_identities(self, rule: EventRule, drop_id: str, *, exclude_quarantined: bool) -> None:
        """Identities this drop's events may refer to: known before it, and born in it (not quarantined)."""
        raw = raw_table(SOURCES[rule.source], rule.event_entity)
        not_quarantined = (
            "NOT EXISTS (SELECT 1 FROM work.quarantine AS q WHERE q.source = ? AND q.drop_id = r.drop_id "
            "AND q.file = r.file AND q.row_number = r.row_number)"
            if exclude_quarantined
            else "true"
        )
        subject = clean_text_sql(f"r.{identifier(rule.subject_column)}")
        kind = clean_text_sql(f"r.{identifier(rule.type_column)}")
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {KNOWN_IDENTITIES} AS "
            f"SELECT identity FROM {KNOWN_BASE} WHERE source = ? "
            f"UNION SELECT {subject} FROM {raw} AS r WHERE r.drop_id = ? "
            f"AND {kind} IN ({literal_list(rule.creating_types)}) AND {not_quarantined}",
            [rule.source, drop_id, *([rule.source] if exclude_quarantined else [])],
        )

    def _a_birth_failed(self, rule: EventRule, validations: list[Validation]) -> bool:
        """Whether any creating event (LAHIR) of the frame broke a row rule."""
        failing = {
            (v.file, row) for v in validations for o in v.expectations if o.rule for row in o.failing_rows
        }
        if not failing:
            return False
        births = self.con.execute(
            f"SELECT file, row_number FROM {FRAME_TABLE} "
            f"WHERE {identifier(rule.type_column)} IN ({literal_list(rule.creating_types)})"
        ).fetchall()
        return any(tuple(b) in failing for b in births)
