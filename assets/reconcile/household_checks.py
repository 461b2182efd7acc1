"""Warnings on household links: cheap alarms for a wrong household link, never a reason to stop publishing.

One agency surveys a family once, so two records of the same agency in one registry household mostly mean that
a household link went wrong (a pre-split record and the split-off family's own record put together, two
families merged). Some are real (an agency listed a family twice, a family re-surveyed under a new id), so the
check warns with counts and masked examples for an officer to look at.
"""

import dagster as dg
import duckdb

from assets.reconcile.pipeline_assets import resolved_households
from pipelines.resources import WarehouseResource
from sejahtera.privacy import mask_number

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
    if not warehouse.has_work(context.run.run_id):
        return dg.AssetCheckResult(passed=True, metadata={"note": "no new drops this run"})
    with warehouse.connect(read_only=True) as con:
        rows = same_agency_twice(con)
    return same_agency_twice_result(rows)


def same_agency_twice(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(household, source, records, record ids, KKs) of every household holding two records of one agency."""
    return con.execute(_SAME_SOURCE_TWICE).fetchall()


def same_agency_twice_result(rows: list[tuple]) -> dg.AssetCheckResult:
    """The check's result from rows of (household, source, records, record ids, KKs); KKs are masked."""
    per_source = dict.fromkeys(("dtks", "p3ke", "regsosek"), 0)
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
