"""Checks of the reconcile stage: the blocking ones say what must hold before the registry may be published;
``one_record_per_agency_per_household`` warns of a likely wrong household link."""

import dagster as dg
import duckdb

from assets.reconcile.declared_sql import SQL, household_sources
from assets.reconcile.defs import resolved_households, resolved_persons
from sejahtera.privacy import mask_number
from sejahtera.resources import WarehouseResource
from sejahtera.run_family import work_run_id
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


# A warning, not a guard: two records of the same agency in one registry household mostly mean that a household
# link went wrong (a pre-split record and the split-off family's own record put together, two families merged),
# but some are real (an agency listed a family twice, a family re-surveyed under a new id), so the check warns with
# counts and masked examples for an officer to look at.

EXAMPLES = 5
"""Households shown as examples in the check's metadata."""

_SAME_SOURCE_TWICE = """
    SELECT household_id, source, count(*) AS records,
           list(source_record_id ORDER BY source_record_id) AS record_ids,
           list(DISTINCT no_kk ORDER BY no_kk) FILTER (WHERE no_kk IS NOT NULL) AS kks
    FROM work.household_record
    WHERE household_id IS NOT NULL
    GROUP BY household_id, source
    HAVING count(*) > 1
    ORDER BY records DESC, household_id, source
"""


@dg.asset_check(
    asset=resolved_households,
    name="one_record_per_agency_per_household",
    blocking=False,
    pool="warehouse",
    description=(
        "Warns when a registry household holds two or more household records of the same agency: the cheap "
        "alarm for a wrong household link (counts per agency, masked examples)."
    ),
)
def one_record_per_agency_per_household(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    if not warehouse.has_work(work_run_id(context)):
        return dg.AssetCheckResult(passed=True, metadata={"note": "no new drops this run"})
    with warehouse.connect(read_only=True) as con:
        rows = same_agency_twice(con)
    return same_agency_twice_result(rows)


def same_agency_twice(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(household, source, records, record ids, KKs) of every household holding two records of one agency."""
    return con.execute(_SAME_SOURCE_TWICE).fetchall()


def same_agency_twice_result(rows: list[tuple]) -> dg.AssetCheckResult:
    """The check's result from rows of (household, source, records, record ids, KKs); KKs are masked."""
    per_source = dict.fromkeys((s.name for s in household_sources()), 0)
    for _, source, _, _, _ in rows:
        per_source[source] = per_source.get(source, 0) + 1
    examples = [
        f"{household} {source}: {records} records ({', '.join(ids)}; KK {', '.join(map(mask_number, kks or [])) or '-'})"
        for household, source, records, ids, kks in rows[:EXAMPLES]
    ]
    households = len({r[0] for r in rows})
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{households} household(s) hold two or more records of one agency: "
            + ", ".join(f"{s} {n}" for s, n in sorted(per_source.items()) if n)
            if rows
            else None
        ),
        metadata={
            "households with two records of one agency": households,
            **{f"{source} households": n for source, n in sorted(per_source.items())},
            "examples": dg.MetadataValue.md("\n".join(f"- {e}" for e in examples) or "none"),
        },
    )
