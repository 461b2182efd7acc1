"""The extract stage in Dagster: the ``landed_drops`` asset (with its check spec) and the per-drop external
asset ``drop``; the blocking row-accounting check is in ``checks.py``.

``landed_drops`` is the first step of every ``nightly`` run. It decides which drops are pending against the
published ledger; with none it writes nothing at all (the warehouse is opened read-only, or not at all), so a
run with no new drops leaves the file untouched. Otherwise it starts the run's work area and loads the drops.
"""

from collections import Counter
from collections.abc import Sequence

import dagster as dg
from pydantic import Field

from assets.extract.extraction import extract_drops, plan
from assets.extract.landing import scan
from assets.extract.ledger import Ledger
from assets.extract.outcome import DropOutcome
from assets.extract.partitions import DROPS_PARTITIONS_NAME, drops, is_valid_partition_key
from assets.extract.read_limits import read_limits
from sejahtera.drop_status import EXTRACT_STATUSES, DropStatus
from sejahtera.failures import PermanentFailure
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource
from sejahtera.run_family import work_run_id
from sejahtera.warehouse import reset_work

OWNERS = ["team:extract"]
DROP_INTEGRITY = "drop_integrity"

drop = dg.AssetSpec(
    key="drop",
    partitions_def=drops,
    group_name="extract",
    owners=OWNERS,
    description=(
        "One partition per drop (`<source>.<drop_id>`) as delivered to the landing zone. Its materialisations "
        "are logged by `landed_drops` each time a run looks at the drop: status, reason, rows, files."
    ),
    kinds={"file"},
)


class LandedDropsConfig(dg.Config):
    reprocess: list[str] = Field(
        default_factory=list,
        description="Drop keys (`<source>.<drop_id>`) to look at again even though their manifest is unchanged.",
    )
    scan_only: bool = Field(
        default=False,
        description=(
            "Look, never load: set by `sejahtera run` on a night it found nothing new (a run of this step and the "
            "exports only, pipelines/quiet_night.py). A drop landing meanwhile is left for the next run, since "
            "no later step of this run would process it."
        ),
    )


@dg.asset(
    key="landed_drops",
    group_name="extract",
    owners=OWNERS,
    pool="warehouse",
    kinds={"duckdb"},
    description=(
        "Drops whose manifest.json is new or rewritten, checked for integrity (contract section 1) and loaded "
        "into work.raw_<source>_<entity>; work.drop says what became of each."
    ),
    check_specs=[
        dg.AssetCheckSpec(
            DROP_INTEGRITY,
            asset="landed_drops",
            description=(
                "No drop looked at this run was rejected for integrity. A rejected drop is an expected outcome: "
                "ERROR severity, but not blocking, so the night's other drops still publish."
            ),
        )
    ],
)
def landed_drops(
    context: dg.AssetExecutionContext,
    config: LandedDropsConfig,
    warehouse: WarehouseResource,
    landing: LandingZoneResource,
    rules: RulesResource,
) -> dg.MaterializeResult:
    limits = read_limits(rules)
    folders = scan(landing.path)
    unknown = sorted(set(config.reprocess) - {f.key for f in folders})
    if unknown:
        raise PermanentFailure(
            f"reprocess: no complete drop {', '.join(unknown)} in the landing zone {landing.path}"
        )
    ledger = Ledger.read_file(warehouse.file)
    pending = plan(folders, ledger, limits, config.reprocess)
    if not pending:
        context.log.info(f"no new or rewritten drops among {len(folders)} complete drop(s): nothing to do")
        return _result(outcomes=[], untouched=len(folders))
    if config.scan_only:
        context.log.warning(
            f"{len(pending)} new or rewritten drop(s) landed as this run started: the next run processes them"
        )
        return _result(outcomes=[], untouched=len(folders))

    with warehouse.connect() as con:
        reset_work(con, work_run_id(context))
        outcomes = extract_drops(con, pending, ledger, limits)
    _announce(context, outcomes)
    return _result(outcomes=outcomes, untouched=len(folders) - len(pending))


def _announce(context: dg.AssetExecutionContext, outcomes: Sequence[DropOutcome]) -> None:
    """Log each drop's outcome and register it as a partition of ``drop`` with a materialisation."""
    keys = [o.key for o in outcomes if is_valid_partition_key(o.key)]
    instance = context.instance
    new_keys = [k for k in keys if not instance.has_dynamic_partition(DROPS_PARTITIONS_NAME, k)]
    if new_keys:
        instance.add_dynamic_partitions(DROPS_PARTITIONS_NAME, new_keys)
    for o in outcomes:
        record_drop(
            context,
            o.key,
            o.status,
            o.reason or f"{o.key}: {o.status} ({o.rows_loaded} rows in {len(o.files)} file(s))",
            {
                "kind": o.kind or "",
                "reason": o.reason or "",
                "rows": dg.MetadataValue.int(o.rows_in) if o.rows_in is not None else None,
                "files": dg.MetadataValue.text(", ".join(f.name for f in o.files)),
                "apply order": o.apply_order,
            },
        )


def record_drop(
    context: dg.AssetExecutionContext, key: str, status: DropStatus, line: str, metadata: dict
) -> None:
    """Log what became of a drop (a warning when rejected) and record it on the drop's partition of ``drop``.

    Extract records each drop it looks at, validate records again what the gate made of it; a drop whose key
    cannot be a partition (see ``is_valid_partition_key``) is logged only.
    """
    (context.log.warning if status == DropStatus.REJECTED else context.log.info)(line)
    if context.instance.has_dynamic_partition(DROPS_PARTITIONS_NAME, key):
        context.log_event(
            dg.AssetMaterialization(
                asset_key=drop.key, partition=key, metadata={"status": str(status), **metadata}
            )
        )


def _result(outcomes: Sequence[DropOutcome], untouched: int) -> dg.MaterializeResult:
    counts = Counter(o.status for o in outcomes)
    rejected = [o for o in outcomes if o.status == DropStatus.REJECTED]
    metadata: dict = {status.value: counts.get(status, 0) for status in EXTRACT_STATUSES}
    metadata["untouched (skipped)"] = untouched
    metadata["rows loaded"] = sum(o.rows_loaded for o in outcomes)
    if outcomes:
        metadata["drops"] = dg.MetadataValue.md(_markdown(outcomes))
    check = dg.AssetCheckResult(
        check_name=DROP_INTEGRITY,
        passed=not rejected,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(o.reason or o.key for o in rejected) or None,
        metadata={"rejected drops": dg.MetadataValue.text(", ".join(o.key for o in rejected) or "none")},
    )
    return dg.MaterializeResult(metadata=metadata, check_results=[check])


def _markdown(outcomes: Sequence[DropOutcome]) -> str:
    """Drops as a table: keys, counts, file names and reasons only (reasons never quote data values)."""
    lines = ["| # | drop | kind | status | rows | files | reason |", "|---|---|---|---|---|---|---|"]
    for o in outcomes:
        reason = (o.reason or "").removeprefix(f"{o.key}: ")
        cells = [
            str(o.apply_order),
            o.key,
            o.kind or "",
            o.status,
            "" if o.rows_in is None else f"{o.rows_in:,}",
            str(len(o.files)),
            reason,
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
