"""The validate stage in Dagster: ``validated_drops``, ``quality_report``, ``source_snapshots`` and their checks.

Checks are declared on the assets (``check_specs``) and evaluated in the same step, from the tables the step
just wrote, so they open the single-writer warehouse no second time:

* one WARN check per suite (``suite_<source>_<entity>``): rows failing each rule and warning, Data Docs link;
* ``drops_within_failure_threshold`` (ERROR, not blocking): names the drops rejected for their share of
  failing rows. A rejected drop is an expected outcome; the night's other drops must still publish;
* ``rows_accounted`` (ERROR, BLOCKING): every row of every applied drop is loaded or quarantined, per file;
* ``rejected_drops_not_staged`` (ERROR, BLOCKING, on ``source_snapshots``): no row of a drop this run did not
  apply is staged for the registry.

Every step first asks whether this run opened a work area (``WarehouseResource.has_work``); a run without new
drops touches nothing.
"""

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
from pydantic import Field

from assets.validate.gate import DropVerdict, Gate
from assets.validate.gx_runner import GxRunner, Validation, ValidationError, data_docs_root, docs_path
from assets.validate.invariants import file_accounts, ledger_mismatches, staged_rows_of_unapplied_drops
from assets.validate.quality_config import QUALITY_FILE, load_quality_config
from assets.validate.report import build_report, report_markdown
from assets.validate.snapshots import build_snapshots
from assets.validate.suites import EXPECTATIONS_DIR, SuiteError
from sejahtera.asset_guards import skip_when, without_new_drops
from sejahtera.drop_status import DropStatus
from sejahtera.failures import PermanentFailure
from sejahtera.resources import RulesResource, WarehouseResource
from sejahtera.rule_config import ConfigError
from sejahtera.run_family import work_run_id
from sejahtera.sources import SOURCES
from sejahtera.warehouse import transaction

GROUP = "validate"
OWNERS = ["team:data-quality"]
LANDED_DROPS = dg.AssetKey("landed_drops")
EASTERNMOST_TIMEZONE = ZoneInfo("Asia/Jayapura")
"""'Today' for birth dates in the future: the date in Indonesia's easternmost zone (WIT, UTC+9), so a child
born today anywhere in the country is never in the future."""

THRESHOLD_CHECK = "drops_within_failure_threshold"
ROWS_ACCOUNTED = "rows_accounted"
NOT_STAGED = "rejected_drops_not_staged"
SUITES = [(s.name, e.entity) for s in SOURCES.values() for e in s.all_entities]


def suite_check_name(source: str, entity: str) -> str:
    return f"suite_{source}_{entity}"


VALIDATED_CHECKS = [
    *(
        dg.AssetCheckSpec(
            suite_check_name(source, entity),
            asset="validated_drops",
            description=f"Great Expectations suite expectations/{source}.{entity}.json on this run's {source} "
            f"{entity} files: rows failing each row rule and identity warning (WARN), with the Data Docs.",
        )
        for source, entity in SUITES
    ),
    dg.AssetCheckSpec(
        THRESHOLD_CHECK,
        asset="validated_drops",
        description="Drops rejected whole because more than max_failing_row_share (config/quality.yaml) of their "
        "rows break row rules. ERROR but not blocking: the other drops of the run still publish.",
    ),
    dg.AssetCheckSpec(
        ROWS_ACCOUNTED,
        asset="validated_drops",
        blocking=True,
        description="For every applied drop and file, rows_in = rows_loaded + rows_quarantined (distinct rows, "
        "none both), and the ledger's totals agree. Blocks the publish when it fails.",
    ),
]


class ValidateConfig(dg.Config):
    expectations_dir: str = Field(
        default=str(EXPECTATIONS_DIR), description="Folder of the GX suites <source>.<entity>.json."
    )


def run_date() -> dt.date:
    return dt.datetime.now(EASTERNMOST_TIMEZONE).date()


def _no_work() -> dict:
    return {"outcome": dg.MetadataValue.text("no new drops in this run: nothing to do")}


validate_asset = functools.partial(dg.asset, group_name=GROUP, owners=OWNERS, pool="warehouse")
"""``dg.asset`` with what every validate asset shares: its group, its owners and the warehouse pool (one writer)."""


@validate_asset(
    name="validated_drops",
    deps=[LANDED_DROPS],
    kinds={"duckdb", "great_expectations"},
    check_specs=VALIDATED_CHECKS,
    description="Runs the expectation suites on every drop extract loaded, in apply order: failing rows to "
    "work.quarantine with every rule they broke, the rest typed into work.accepted_*; a drop with more than "
    "the configured share of failing rows is rejected whole. Writes work.ledger (one row per drop looked at).",
)
def validated_drops(
    context: dg.AssetExecutionContext,
    config: ValidateConfig,
    warehouse: WarehouseResource,
    rules: RulesResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    if not warehouse.has_work(work_run_id(context)):
        yield dg.MaterializeResult(metadata=_no_work())
        for spec in VALIDATED_CHECKS:
            yield dg.AssetCheckResult(check_name=spec.name, passed=True, metadata=_no_work())
        return
    try:
        quality = rules.read(load_quality_config, QUALITY_FILE)
        today = run_date()
        runner = GxRunner(Path(config.expectations_dir), data_docs_root(warehouse.file), today)
        with warehouse.connect() as con, transaction(con):
            verdicts = Gate(
                con,
                runner,
                max_failing_row_share=quality.max_failing_row_share,
                run_id=work_run_id(context),
                today=today,
            ).run()
            accounts = file_accounts(con)
            problems = ledger_mismatches(con, accounts)
            ledger = con.execute(
                "SELECT status, count(*) FROM work.ledger GROUP BY status ORDER BY status"
            ).fetchall()
        index = runner.build_index()
    except (SuiteError, ValidationError, ConfigError) as exc:
        raise PermanentFailure(str(exc)) from None

    _announce(context, verdicts)
    yield dg.MaterializeResult(metadata=_validated_metadata(verdicts, dict(ledger), index))
    for source, entity in SUITES:
        yield _suite_check(f"{source}.{entity}", [v for d in verdicts for v in d.validations], index)
    rejected = [v for v in verdicts if v.status == DropStatus.REJECTED]
    yield dg.AssetCheckResult(
        check_name=THRESHOLD_CHECK,
        passed=not rejected,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rejected_drops": dg.MetadataValue.text(", ".join(v.key for v in rejected) or "none"),
            "reasons": dg.MetadataValue.md("\n".join(f"- {v.reason}" for v in rejected) or "none"),
            "max_failing_row_share": dg.MetadataValue.float(quality.max_failing_row_share),
        },
    )
    yield dg.AssetCheckResult(
        check_name=ROWS_ACCOUNTED,
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "files_checked": dg.MetadataValue.int(len(accounts)),
            "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none"),
            "files": dg.MetadataValue.md(_accounts_markdown(accounts)),
        },
    )


def _announce(context: dg.AssetExecutionContext, verdicts: list[DropVerdict]) -> None:
    """Log each drop's verdict. Its partition of ``drop`` says ``applied`` or ``rejected`` only once the publish
    has committed it (``assets/registry/drop_partitions.py``): nothing is applied before that."""
    for v in verdicts:
        line = (
            v.reason
            or f"{v.key}: {v.status} (not yet published), {v.rows_in:,} rows in, {v.rows_loaded:,} loaded, "
            f"{v.rows_quarantined:,} quarantined"
        )
        (context.log.warning if v.status == DropStatus.REJECTED else context.log.info)(line)


def _validated_metadata(verdicts: list[DropVerdict], ledger: dict[str, int], index: str | None) -> dict:
    lines = [
        "| drop | kind | status | rows in | loaded | quarantined | failing share |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {v.key} | {v.kind} | {v.status} | {v.rows_in:,} | {v.rows_loaded:,} | {v.rows_quarantined:,} | "
        f"{v.failing_share:.2%} |"
        for v in verdicts
    ]
    metadata: dict = {
        "drops_validated": dg.MetadataValue.int(len(verdicts)),
        "drops_applied": dg.MetadataValue.int(sum(v.status != DropStatus.REJECTED for v in verdicts)),
        "drops_rejected": dg.MetadataValue.int(sum(v.status == DropStatus.REJECTED for v in verdicts)),
        "ledger_by_status": dg.MetadataValue.json(ledger),
        "rows_validated": dg.MetadataValue.int(sum(v.rows_in for v in verdicts)),
        "rows_quarantined": dg.MetadataValue.int(sum(v.rows_quarantined for v in verdicts)),
        "drops": dg.MetadataValue.md("\n".join(lines) if verdicts else "no drop to validate"),
    }
    if index:
        metadata["data_docs"] = dg.MetadataValue.url(index)
        metadata["data_docs_path"] = dg.MetadataValue.path(docs_path(index))
    return metadata


def _suite_check(suite_name: str, validations: list[Validation], index: str | None) -> dg.AssetCheckResult:
    source, entity = suite_name.split(".")
    mine = [v for v in validations if v.suite_name == suite_name]
    if not mine:
        return dg.AssetCheckResult(
            check_name=suite_check_name(source, entity),
            passed=True,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"outcome": dg.MetadataValue.text(f"no {suite_name} file in this run's drops")},
        )
    rules: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    for v in mine:
        by_name: dict[tuple[bool, str], set[int]] = {}
        for o in v.expectations:
            by_name.setdefault((o.rule is not None, o.name), set()).update(o.failing_rows)
        for (is_rule, name), rows in by_name.items():
            (rules if is_rule else warnings)[name] += len(rows)
    table = ["| kind | rule / warning | failing rows |", "|---|---|---:|"]
    table += [f"| rule | {n} | {c:,} |" for n, c in sorted(rules.items()) if c]
    table += [f"| warning | {n} | {c:,} |" for n, c in sorted(warnings.items()) if c]
    docs = "\n".join(f"- [{v.label}]({v.docs_url})" for v in mine if v.docs_url) or "not built"
    metadata: dict = {
        "files_validated": dg.MetadataValue.md("\n".join(f"- {v.label} ({v.rows:,} rows)" for v in mine)),
        "rows_validated": dg.MetadataValue.int(sum(v.rows for v in mine)),
        "rows_failing_rules": dg.MetadataValue.int(sum(rules.values())),
        "failures": dg.MetadataValue.md("\n".join(table) if len(table) > 2 else "no failing row"),
        "data_docs_pages": dg.MetadataValue.md(docs),
    }
    last = next((v.docs_url for v in reversed(mine) if v.docs_url), None)
    if last:
        metadata["data_docs"] = dg.MetadataValue.url(last)
        metadata["data_docs_path"] = dg.MetadataValue.path(docs_path(last))
    if index:
        metadata["data_docs_index"] = dg.MetadataValue.url(index)
    return dg.AssetCheckResult(
        check_name=suite_check_name(source, entity),
        passed=all(v.success for v in mine),
        severity=dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


def _accounts_markdown(accounts: list) -> str:
    if not accounts:
        return "no applied drop"
    lines = ["| file | rows in | loaded | quarantined |", "|---|---:|---:|---:|"]
    lines += [
        f"| {a.source}.{a.drop_id}/{a.file} | {a.rows_in:,} | {a.rows_loaded:,} | {a.rows_quarantined:,} |"
        for a in accounts
    ]
    return "\n".join(lines)


@validate_asset(
    name="quality_report",
    deps=[validated_drops],
    kinds={"duckdb"},
    description="Per drop: rows failing each row rule and raising each identity warning, per province and "
    "regency (the row's region code or its household's), so the agency knows what to fix. work.drop_report.",
)
@skip_when(without_new_drops(_no_work()))
def quality_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        rows = build_report(con, work_run_id(context))
        markdown = report_markdown(con)
    return dg.MaterializeResult(
        metadata={"report_rows": dg.MetadataValue.int(rows), "report": dg.MetadataValue.md(markdown)}
    )


@validate_asset(
    name="source_snapshots",
    deps=[validated_drops],
    kinds={"duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            NOT_STAGED,
            asset="source_snapshots",
            blocking=True,
            description="No row of a drop this run did not apply (rejected, duplicate, stale) is in "
            "work.accepted_* or new in work.snapshot_*. Blocks the publish when it fails.",
        )
    ],
    description="Each source's complete new state, typed: the published snapshot.* plus this run's applied "
    "drops (a full replaces its source; Dukcapil deltas add their events). All eight work.snapshot_* tables.",
)
def source_snapshots(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    if not warehouse.has_work(work_run_id(context)):
        yield dg.MaterializeResult(metadata=_no_work())
        yield dg.AssetCheckResult(
            check_name=NOT_STAGED, passed=True, severity=dg.AssetCheckSeverity.ERROR, metadata=_no_work()
        )
        return
    with warehouse.connect() as con, transaction(con):
        counts = build_snapshots(con)
        staged = staged_rows_of_unapplied_drops(con)
    yield dg.MaterializeResult(metadata={table: dg.MetadataValue.int(n) for table, n in counts.items()})
    yield dg.AssetCheckResult(
        check_name=NOT_STAGED,
        passed=not staged,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "staged_rows_of_unapplied_drops": dg.MetadataValue.md(
                "\n".join(f"- {table}: {key} ({n:,} rows)" for table, key, n in staged) or "none"
            )
        },
    )
