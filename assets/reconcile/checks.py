"""Blocking checks of the reconcile stage: what must hold before the registry may be published."""

import duckdb

from assets.reconcile.declared_sql import SQL
from assets.reconcile.defs import resolved_households, resolved_persons
from sejahtera.sources import SPINE
from sejahtera.work_checks import blocking_work_check


def _every_record_linked_once(con: duckdb.DuckDBPyConnection) -> tuple[list[str], dict[str, object]]:
    problems = con.execute(SQL.text("check_source_link_once")).fetchall()
    links = con.execute("SELECT count(*) FROM work.source_link").fetchall()[0][0]
    described = [f"{s} {e}: {n} record(s) {p}" for s, e, p, n in problems]
    return described, {"source links": links, "problems": len(problems)}


every_record_linked_once = blocking_work_check(
    asset=resolved_households,
    name="every_record_linked_once",
    description=(
        "Nothing is lost: every accepted person and household record of each source's current state (Dukcapil: "
        "one per NIK) is in work.source_link exactly once, every person record with a registry person."
    ),
    find_problems=_every_record_linked_once,
)


def _one_dukcapil_record_per_person(con: duckdb.DuckDBPyConnection) -> tuple[list[str], dict[str, object]]:
    offenders = con.execute(
        "SELECT count(*) FROM (SELECT person_id FROM work.person_record WHERE source = $spine "
        "GROUP BY person_id HAVING count(*) > 1)",
        {"spine": SPINE.name},
    ).fetchall()[0][0]
    problems = [f"{offenders} person(s) hold more than one Dukcapil record"] if offenders else []
    return problems, {"persons with two or more NIKs": offenders}


one_dukcapil_record_per_person = blocking_work_check(
    asset=resolved_persons,
    name="one_dukcapil_record_per_person",
    description="No registry person holds two Dukcapil records (two NIKs): one NIK is one person.",
    find_problems=_one_dukcapil_record_per_person,
)


def _households_have_members(con: duckdb.DuckDBPyConnection) -> tuple[list[str], dict[str, object]]:
    empty, homeless = con.execute(
        """
        SELECT
            (SELECT count(*) FROM work.household_resolved AS h
             WHERE NOT EXISTS (SELECT 1 FROM work.person_resolved AS p WHERE p.household_id = h.household_id)),
            (SELECT count(*) FROM work.person_resolved WHERE household_id IS NULL)
        """
    ).fetchall()[0]
    problems = []
    if empty:
        problems.append(f"{empty} household(s) without members")
    if homeless:
        problems.append(f"{homeless} person(s) without a household")
    return problems, {"households without members": empty, "persons without household": homeless}


households_have_members = blocking_work_check(
    asset=resolved_households,
    name="households_have_members",
    description="Every registry household has at least one member, and every registry person a household.",
    find_problems=_households_have_members,
)
