"""The one atomic publish of a run: every stage's work tables become the published warehouse in ONE transaction.

A reader sees the registry before the run or after it, never a mix; a failure anywhere rolls everything back
(``sejahtera.warehouse.publish``). When no drop was applied in the run (only duplicate, stale or rejected drops),
only the drop bookkeeping (ledger, quarantine, quality report) is published and the registry is left untouched; on the very first such run
the registry's tables are created empty, so that a reader finds them (and nothing in them) rather than no table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial

import duckdb

from assets.reconcile.publications import PUBLICATIONS as RECONCILE_PUBLICATIONS
from assets.registry.history import build_history_and_changelog
from assets.registry.publish_guards import (
    AlreadyPublished,
    already_published,
    refuse_reapplied_drops,
    refuse_republish,
)
from assets.registry.tables import DECLARED, SOURCE_LINK_CONTRACT, Col
from assets.validate.publications import PUBLICATIONS as VALIDATE_PUBLICATIONS
from sejahtera import warehouse
from sejahtera.drop_status import DropStatus
from sejahtera.faults import fault_point
from sejahtera.privacy import install_masking_macros
from sejahtera.sql_files import stage_sql
from sejahtera.sql_text import literal
from sejahtera.warehouse import Publication

SQL = stage_sql(__file__)

PUBLICATIONS: list[Publication] = [
    Publication("registry.person", "work.registry_person", "replace"),
    Publication("registry.household", "work.registry_household", "replace"),
    Publication("registry.source_link", "work.registry_source_link", "replace"),
    Publication("registry.person_history", "work.person_history", "replace"),
    Publication("registry.household_history", "work.household_history", "replace"),
    Publication("registry.changelog", "work.changelog", "append"),
    Publication("registry.field_provenance", "work.field_provenance", "replace"),
    Publication("registry.household_welfare", "work.household_welfare", "replace"),
    Publication("registry.eligibility", "work.eligibility", "replace"),
    Publication("registry.programme_receipt", "work.programme_receipt", "replace"),
    Publication("registry.targeting_error", "work.targeting_error", "replace"),
]
"""What the registry stage publishes, each from the work table built this run."""

BOOKKEEPING_SCHEMAS = ("ops", "quality")
"""Schemas published even when no drop was applied: the ledger and quarantine say what happened to the drops."""


class RunState(Enum):
    NO_WORK = "no new drops: nothing to do"
    NOTHING_APPLIED = "no drop applied this run (only duplicate, stale or rejected drops): registry unchanged"
    APPLY = "drops applied this run"


class UpstreamMissing(RuntimeError):
    """A table an earlier stage must have written this run is not there."""


def applied_drop_count(con: duckdb.DuckDBPyConnection) -> int:
    """Drops the validate stage applied in this run (``work.ledger``)."""
    if not warehouse.table_exists(con, "work.ledger"):
        raise UpstreamMissing("work.ledger is missing: the validate stage did not record this run's drops")
    return con.execute(
        f"SELECT count(*) FROM work.ledger WHERE status = {literal(DropStatus.APPLIED)}"
    ).fetchall()[0][0]


def run_state(con: duckdb.DuckDBPyConnection, run_id: str) -> RunState:
    if not warehouse.work_belongs_to(con, run_id):
        return RunState.NO_WORK
    return RunState.APPLY if applied_drop_count(con) > 0 else RunState.NOTHING_APPLIED


def build_registry_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Assemble ``work.registry_*`` and this run's history and changelog from the earlier registry steps."""
    install_masking_macros(con)
    SQL.run(con, "registry_person")
    SQL.run(con, "registry_household")
    SQL.run(con, "registry_source_link")
    build_history_and_changelog(con)


@dataclass(frozen=True)
class PublishOutcome:
    state: RunState
    published: tuple[str, ...]
    earlier_attempt: bool = False
    """True when an earlier attempt of this run's publish had committed already: this one wrote nothing."""


def publish_run(
    con: duckdb.DuckDBPyConnection,
    state: RunState,
    validate: Sequence[Publication],
    reconcile: Sequence[Publication],
    registry: Sequence[Publication] = tuple(PUBLICATIONS),
) -> PublishOutcome:
    """Build this run's registry tables (if drops were applied) and publish everything in one transaction.

    With nothing applied, only validate's bookkeeping publications (ledger, quarantine, quality report: the
    ``ops`` and ``quality`` schemas) are published; snapshots, reconciled tables and the registry stay as they are.

    Idempotent per run (``publish_guards``): when this run's publish committed before (a retry of the step after
    a failure that came later), nothing is built or written again. A drop the published ledger has applied
    already refuses the whole publish.
    """
    if state is RunState.NO_WORK:
        return PublishOutcome(state, ())
    run_id = _work_run_id(con)
    if already_published(con, run_id):
        return PublishOutcome(state, (), earlier_attempt=True)
    if state is RunState.NOTHING_APPLIED:
        chosen = [p for p in validate if p.target.split(".")[0] in BOOKKEEPING_SCHEMAS]
        chosen += _empty_registry(con)
    else:
        build_registry_tables(con)
        chosen = [*validate, *reconcile, *registry]
    _check_unique_targets(chosen)
    try:
        warehouse.publish(con, chosen, [partial(refuse_republish, run_id=run_id), refuse_reapplied_drops])
    except AlreadyPublished:
        return PublishOutcome(state, (), earlier_attempt=True)
    fault_point("publish", "after_commit")
    return PublishOutcome(state, tuple(p.target for p in chosen))


def _work_run_id(con: duckdb.DuckDBPyConnection) -> str:
    """The run that started the work area being published (``warehouse.reset_work``)."""
    return con.execute(f"SELECT run_id FROM {warehouse.WORK_SCHEMA}.run").fetchall()[0][0]


EMPTY_REGISTRY: dict[str, tuple[Col, ...]] = {**DECLARED, "registry.source_link": SOURCE_LINK_CONTRACT}
"""The tables a first run that applied no drop publishes empty, with their declared columns."""


def _empty_registry(con: duckdb.DuckDBPyConnection) -> list[Publication]:
    """Empty registry tables to publish when none was ever published (else nothing: the registry stays as it is)."""
    if warehouse.table_exists(con, "registry.person"):
        return []
    publications = []
    for target, columns in EMPTY_REGISTRY.items():
        source = f"work.empty_{target.split('.')[1]}"
        con.execute(
            f"CREATE OR REPLACE TABLE {source} (" + ", ".join(f"{c.name} {c.type}" for c in columns) + ")"
        )
        publications.append(Publication(target, source, "replace"))
    return publications


def _check_unique_targets(publications: Sequence[Publication]) -> None:
    seen: set[str] = set()
    for pub in publications:
        if pub.target in seen:
            raise ValueError(f"{pub.target} would be published twice in one run")
        seen.add(pub.target)


def upstream_publications() -> tuple[list[Publication], list[Publication]]:
    """The validate and the reconcile stage's publications, which this stage's one publish applies with its own.

    The registry stage is the last one, so it imports the earlier stages' ``publications`` modules like any other
    downward import; the list of what a run publishes is assembled here, in one place.
    """
    return list(VALIDATE_PUBLICATIONS), list(RECONCILE_PUBLICATIONS)
