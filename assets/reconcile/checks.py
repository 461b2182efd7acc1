"""Blocking checks of the reconcile stage: what must hold before the registry may be published."""

import dagster as dg

from assets.extract.sources import SPINE
from assets.reconcile.pipeline_assets import resolved_households, resolved_persons
from assets.reconcile.queries import sql_text
from pipelines.resources import WarehouseResource

_NO_NEW_DROPS = {"note": "no new drops this run"}


@dg.asset_check(
    asset=resolved_households,
    name="every_record_linked_once",
    blocking=True,
    pool="warehouse",
    description=(
        "Nothing is lost: every accepted person and household record of each source's current state (Dukcapil: "
        "one per NIK) is in work.source_link exactly once, every person record with a registry person."
    ),
)
def every_record_linked_once(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    if not warehouse.has_work(context.run.run_id):
        return dg.AssetCheckResult(passed=True, metadata=_NO_NEW_DROPS)
    with warehouse.connect(read_only=True) as con:
        problems = con.execute(sql_text("check_source_link_once")).fetchall()
        links = con.execute("SELECT count(*) FROM work.source_link").fetchall()[0][0]
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(f"{s} {e}: {n} record(s) {p}" for s, e, p, n in problems) or None,
        metadata={"source links": links, "problems": len(problems)},
    )


@dg.asset_check(
    asset=resolved_persons,
    name="one_dukcapil_record_per_person",
    blocking=True,
    pool="warehouse",
    description="No registry person holds two Dukcapil records (two NIKs): one NIK is one person.",
)
def one_dukcapil_record_per_person(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    if not warehouse.has_work(context.run.run_id):
        return dg.AssetCheckResult(passed=True, metadata=_NO_NEW_DROPS)
    with warehouse.connect(read_only=True) as con:
        offenders = con.execute(
            "SELECT count(*) FROM (SELECT person_id FROM work.person_record WHERE source = $spine "
            "GROUP BY person_id HAVING count(*) > 1)",
            {"spine": SPINE.name},
        ).fetchall()[0][0]
    return dg.AssetCheckResult(
        passed=offenders == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{offenders} person(s) hold more than one Dukcapil record" if offenders else None,
        metadata={"persons with two or more NIKs": offenders},
    )


@dg.asset_check(
    asset=resolved_households,
    name="households_have_members",
    blocking=True,
    pool="warehouse",
    description="Every registry household has at least one member, and every registry person a household.",
)
def households_have_members(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    if not warehouse.has_work(context.run.run_id):
        return dg.AssetCheckResult(passed=True, metadata=_NO_NEW_DROPS)
    with warehouse.connect(read_only=True) as con:
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
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(problems) or None,
        metadata={"households without members": empty, "persons without household": homeless},
    )
