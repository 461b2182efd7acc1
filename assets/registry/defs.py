"""The registry stage's Dagster assets: survivorship, welfare ranking (with eligibility), targeting errors, the one
atomic publish of the run, and the province exports.

Every step opens the warehouse in the ``warehouse`` pool, and is a no-op that says so when the run found no new
drops (``WarehouseResource.has_work``) or applied none (only duplicate, stale or rejected drops). The logic lives in
the plain modules beside this one; these functions only run it and describe the result for the UI.
"""

import functools
from collections.abc import Iterator

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from assets.registry import reporting, tables
from assets.registry.config import (
    ELIGIBILITY_FILE,
    PMT_WEIGHTS_FILE,
    SURVIVORSHIP_FILE,
    load_eligibility,
    load_pmt_weights,
    load_survivorship,
)
from assets.registry.drop_partitions import record_published_verdicts
from assets.registry.eligibility import build_eligibility
from assets.registry.exports import ExportRefused, export_folder, export_key, export_provinces, exports_behind
from assets.registry.publish import RunState, publish_run, run_state, upstream_publications
from assets.registry.publish_guards import DropAppliedTwice
from assets.registry.survivorship import build_survivors
from assets.registry.targeting import build_targeting_errors
from assets.registry.welfare import build_welfare
from sejahtera import warehouse as wh
from sejahtera.asset_guards import skip_when
from sejahtera.failures import PermanentFailure
from sejahtera.resources import RulesResource, WarehouseResource
from sejahtera.run_family import work_run_id

GROUP = "registry"
OWNERS = ["team:registry"]
UPSTREAM = {
    "validated": dg.AssetKey("validated_drops"),
    "quality_report": dg.AssetKey("quality_report"),
    "snapshots": dg.AssetKey("source_snapshots"),
    "persons": dg.AssetKey("resolved_persons"),
    "households": dg.AssetKey("resolved_households"),
}


def current_state(warehouse: WarehouseResource, run_id: str) -> RunState:
    """Whether this run has drops to rank and publish, checked without taking the write lock."""
    if not warehouse.has_work(run_id):
        return RunState.NO_WORK
    with warehouse.connect(read_only=True) as con:
        return run_state(con, run_id)


def _without_applied_drops(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult | None:
    state = current_state(warehouse, work_run_id(context))
    return None if state is RunState.APPLY else dg.MaterializeResult(metadata={"outcome": state.value})


on_applied_drops = skip_when(_without_applied_drops)
"""Runs a registry asset's body only when this run applied a drop (otherwise a no-op naming the run's state)."""

registry_asset = functools.partial(dg.asset, group_name=GROUP, owners=OWNERS, pool="warehouse")
"""``dg.asset`` with what every registry asset shares: its group, its owners and the warehouse pool (one writer)."""


# --- survivorship ------------------------------------------------------------------------------------------------


@registry_asset(
    kinds={"duckdb"},
    deps=[UPSTREAM["persons"], UPSTREAM["households"], UPSTREAM["snapshots"]],
    description="Each registry field takes its value from one source record by the rules of "
    "config/survivorship.yaml (Dukcapil for identity and vital status, the household's Regsosek survey for "
    "housing and assets, P3KE for extreme poverty), traced to its source, drop, file and row "
    "(work.field_provenance, published as registry.field_provenance).",
    metadata={"dagster/column_schema": tables.column_schema(tables.FIELD_PROVENANCE)},
)
@on_applied_drops
def survivorship(
    context: AssetExecutionContext, warehouse: WarehouseResource, rules: RulesResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        survivors = build_survivors(con, rules.read(load_survivorship, SURVIVORSHIP_FILE))
        by_source = con.execute(
            "SELECT entity || '.' || field, coalesce(source, 'default'), count(*) FROM work.field_provenance "
            "GROUP BY ALL"
        ).fetchall()
        persons = reporting.row_count(con, "work.person_survivor")
        households = reporting.row_count(con, "work.household_survivor")
    sources = [*dict.fromkeys(rule.source for rule in survivors.rules), "default"]
    fields: dict[str, dict[str, int]] = {}
    for field, source, count in by_source:
        fields.setdefault(field, {})[source] = count
    rows = [(field, *(fields[field].get(s, 0) for s in sources)) for field in sorted(fields)]
    return dg.MaterializeResult(
        metadata={
            "persons": persons,
            "households": households,
            "rule version": survivors.version,
            "values by source": dg.MetadataValue.md(reporting.markdown_table(["field", *sources], rows)),
        }
    )


# --- welfare ranking ---------------------------------------------------------------------------------------------


@registry_asset(
    kinds={"duckdb", "python"},
    deps=[survivorship],
    description="Proxy-means-test welfare score per household (config/pmt_weights.yaml: a transparent index, "
    "NOT BPS's model), imputed from P3KE desil / DTKS listing / size when there is no survey (flagged in "
    "welfare_source), national, provincial and regency deciles (1 = poorest), and programme eligibility with "
    "its reason (config/eligibility.yaml). Dead members are never counted.",
)
@on_applied_drops
def welfare_ranking(
    context: AssetExecutionContext, warehouse: WarehouseResource, rules: RulesResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        weights = build_welfare(con, rules.read(load_pmt_weights, PMT_WEIGHTS_FILE))
        eligibility = build_eligibility(con, rules.read(load_eligibility, ELIGIBILITY_FILE))
        metadata = _ranking_metadata(con, "work.household_welfare")
        eligible = con.execute(
            "SELECT count(*) FILTER (WHERE eligible_pkh), count(*) FILTER (WHERE eligible_bpnt), "
            "count(*) FILTER (WHERE eligible_pbi) FROM work.household_eligibility"
        ).fetchall()[0]
    return dg.MaterializeResult(
        metadata={
            "pmt version": weights.version,
            "eligibility version": eligibility.version,
            "eligible PKH / BPNT / PBI": " / ".join(f"{n:,}" for n in eligible),
        }
        | metadata
    )


def _ranking_metadata(con: duckdb.DuckDBPyConnection, household_table: str) -> dict[str, object]:
    deciles = reporting.decile_counts(con, household_table)
    ranked = sum(sum(r[1:11]) for r in deciles)
    not_ranked = sum(r[11] for r in deciles)
    sources = reporting.count_by(con, household_table, "welfare_source")
    metadata: dict[str, object] = {
        "households ranked": ranked,
        "households without a living member (not ranked)": not_ranked,
        "score rests on": dg.MetadataValue.md(
            reporting.markdown_table(["welfare_source", "households"], sources)
        ),
        "households per decile and province": dg.MetadataValue.md(reporting.decile_markdown(deciles)),
    }
    if ranked:
        png = reporting.decile_chart_png(deciles)
        metadata["decile distribution by province"] = dg.MetadataValue.md(
            reporting.markdown_image(png, "national deciles by province")
        )
    return metadata


# --- targeting errors --------------------------------------------------------------------------------------------


@registry_asset(
    kinds={"duckdb"},
    deps=[welfare_ranking],
    description="Targeting errors of DTKS and P3KE programme receipts: dead people listed by receiving records, "
    "receiving households without a living member or above the programme's decile cutoff (inclusion errors), "
    "eligible households receiving nothing (exclusion errors); per province and regency, with a masked "
    "follow-up list (published in the same transaction as the registry, as registry.targeting_error).",
    metadata={"dagster/column_schema": tables.column_schema(tables.TARGETING_ERROR)},
)
@on_applied_drops
def targeting_errors(context: AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        build_targeting_errors(con)
        metadata = _targeting_metadata(con, "work.targeting_error")
    return dg.MaterializeResult(metadata=metadata)


def _targeting_metadata(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, object]:
    headers = ["dead listed", "no living member", "above cutoff", "eligible, receiving nothing", "errors"]
    by_province = reporting.targeting_counts(con, table, "kode_provinsi")
    by_regency = reporting.targeting_counts(con, table, "kode_kabupaten")
    return {
        "dagster/row_count": reporting.row_count(con, table),
        "errors by reason": dg.MetadataValue.md(
            reporting.markdown_table(["reason", "rows"], reporting.count_by(con, table, "reason"))
        ),
        "per province": dg.MetadataValue.md(
            reporting.markdown_table(
                ["province", *headers], [(reporting.province_label(r[0]), *r[1:]) for r in by_province]
            )
        ),
        "per regency (30 with most errors)": dg.MetadataValue.md(
            reporting.markdown_table(["regency", *headers], by_regency[:30])
        ),
    }


# --- the atomic publish ------------------------------------------------------------------------------------------


def _spec(
    key: list[str], description: str, deps: list, columns: tuple[tables.Col, ...] | None = None
) -> dg.AssetSpec:
    metadata: dict[str, object] = {"dagster/table_name": ".".join(key)}
    if columns:
        metadata["dagster/column_schema"] = tables.column_schema(columns)
    return dg.AssetSpec(
        key=dg.AssetKey(key),
        description=description,
        deps=deps,
        group_name=GROUP,
        owners=OWNERS,
        kinds={"duckdb"},
        metadata=metadata,
    )


_REGISTRY_DEPS = [survivorship, welfare_ranking, UPSTREAM["persons"], UPSTREAM["households"]]
PUBLISH_SPECS = [
    _spec(
        ["registry", "person"],
        "One row per real person (contract section 3); MATI persons stay.",
        _REGISTRY_DEPS,
        tables.PERSON,
    ),
    _spec(
        ["registry", "household"],
        "One row per real household with welfare score, deciles and eligibility.",
        _REGISTRY_DEPS,
        tables.HOUSEHOLD,
    ),
    _spec(
        ["registry", "source_link"],
        "Every accepted record of each source's current state and the registry entity it belongs to.",
        [UPSTREAM["persons"], UPSTREAM["households"]],
        tables.SOURCE_LINK_CONTRACT,
    ),
    _spec(
        ["registry", "person_history"],
        "Every version of every person, valid_from / valid_to per run.",
        _REGISTRY_DEPS,
        tables.PERSON_HISTORY,
    ),
    _spec(
        ["registry", "household_history"],
        "Every version of every household, valid_from / valid_to per run.",
        _REGISTRY_DEPS,
        tables.HOUSEHOLD_HISTORY,
    ),
    _spec(
        ["registry", "changelog"],
        "Per run: who entered, died, moved, merged, split, changed decile or eligibility, with the reason.",
        _REGISTRY_DEPS,
        tables.CHANGELOG,
    ),
    _spec(
        ["registry", "field_provenance"],
        "Source, drop, file and row of every registry value.",
        [survivorship],
        tables.FIELD_PROVENANCE,
    ),
    _spec(
        ["registry", "household_welfare"],
        "Every PMT input, goodness and score per household: any score can be recomputed by hand.",
        [welfare_ranking],
    ),
    _spec(
        ["registry", "eligibility"],
        "Each programme's flag per household with its reason.",
        [welfare_ranking],
        tables.ELIGIBILITY,
    ),
    _spec(
        ["registry", "programme_receipt"],
        "Who receives which programme per DTKS and P3KE.",
        [welfare_ranking],
        tables.PROGRAMME_RECEIPT,
    ),
    _spec(
        ["registry", "targeting_error"],
        "Inclusion and exclusion errors, masked follow-up list.",
        [targeting_errors],
        tables.TARGETING_ERROR,
    ),
    _spec(
        ["ops", "drop_ledger"],
        "One row per drop seen: applied, rejected, duplicate or stale, and why.",
        [UPSTREAM["validated"]],
    ),
    # The quality report is published in the same transaction (validate's publications): it must be built first.
    _spec(
        ["quality", "quarantine"],
        "One row per broken row rule of a row.",
        [UPSTREAM["validated"], UPSTREAM["quality_report"]],
    ),
]
PUBLISHED_TABLE = {spec.key: ".".join(spec.key.path) for spec in PUBLISH_SPECS}


@dg.multi_asset(
    name="publish_registry",
    specs=PUBLISH_SPECS,
    pool="warehouse",
    description="The run's one atomic publish: ledger, quarantine, quality report, snapshots, reconciled "
    "tables and the registry with its history and changelog, in ONE transaction. With no drop applied, only "
    "the drop bookkeeping is published and the registry is untouched.",
)
def publish_registry(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    state = current_state(warehouse, work_run_id(context))
    if state is RunState.NO_WORK:
        for spec in PUBLISH_SPECS:
            yield dg.MaterializeResult(asset_key=spec.key, metadata={"outcome": state.value})
        return
    with warehouse.connect() as con:
        validate, reconcile = upstream_publications()
        try:
            outcome = publish_run(con, state, validate, reconcile)
        except DropAppliedTwice as refused:
            raise dg.Failure(description=str(refused), allow_retries=False) from None
        if outcome.earlier_attempt:
            context.log.info(
                "an earlier attempt of this step published this run already: nothing written again"
            )
        else:
            context.log.info(f"published {len(outcome.published)} tables in one transaction ({state.value})")
        # Only now, committed, does each drop's partition say what became of it (applied, rejected, ...).
        record_published_verdicts(context, con)
        for spec in PUBLISH_SPECS:
            table = PUBLISHED_TABLE[spec.key]
            metadata: dict[str, object] = {"outcome": state.value}
            if outcome.earlier_attempt:
                metadata["published by"] = "an earlier attempt of this step (this retry wrote nothing)"
            if wh.table_exists(con, table):
                changed = outcome.earlier_attempt or table in outcome.published
                metadata |= _published_metadata(con, table, work_run_id(context), changed)
            yield dg.MaterializeResult(asset_key=spec.key, metadata=metadata)


def _published_metadata(
    con: duckdb.DuckDBPyConnection, table: str, run_id: str, changed: bool
) -> dict[str, object]:
    metadata: dict[str, object] = {"dagster/row_count": reporting.row_count(con, table)}
    if not changed:
        return metadata | {"published this run": False}
    if table not in tables.DECLARED:
        # Columns decided elsewhere (validate's bookkeeping, reconcile's link extras, the PMT's inputs): as published.
        metadata["dagster/column_schema"] = dg.TableSchema(
            columns=[dg.TableColumn(name=n, type=t) for n, t in tables.columns_of(con, table)]
        )
    if table == "registry.person":
        metadata["persons by status_hidup"] = dg.MetadataValue.md(
            reporting.markdown_table(
                ["status_hidup", "persons"], reporting.count_by(con, table, "status_hidup")
            )
        )
        metadata["persons by nik_status"] = dg.MetadataValue.md(
            reporting.markdown_table(["nik_status", "persons"], reporting.count_by(con, table, "nik_status"))
        )
    elif table == "registry.household":
        metadata |= _ranking_metadata(con, table)
    elif table == "registry.changelog":
        counts = reporting.change_counts(con, table, run_id)
        metadata["changes this run"] = dg.MetadataValue.md(
            reporting.markdown_table(["entity", "change", "rows"], counts)
        )
        metadata["rows added this run"] = sum(c[2] for c in counts)
    elif table == "registry.targeting_error":
        metadata |= _targeting_metadata(con, table)
    elif table == "ops.drop_ledger":
        metadata["drops this run"] = dg.MetadataValue.md(
            reporting.markdown_table(["status", "drops"], reporting.count_by(con, "work.ledger", "status"))
        )
    elif table == "quality.quarantine":
        metadata["quarantined this run, by rule"] = dg.MetadataValue.md(
            reporting.markdown_table(["rule", "rows"], reporting.count_by(con, "work.quarantine", "rule"))
        )
    if table in ("registry.person", "registry.household"):
        entity = table.split(".")[1]
        counts = [c[1:] for c in reporting.change_counts(con, "registry.changelog", run_id) if c[0] == entity]
        metadata["changes this run"] = dg.MetadataValue.md(
            reporting.markdown_table(["change", "rows"], counts)
        )
    return metadata


# --- exports -----------------------------------------------------------------------------------------------------


class ExportConfig(dg.Config):
    """How ``province_exports`` runs; the defaults are the nightly run's."""

    full_identifiers: bool = False
    """Export raw NIK and KK numbers instead of tokens: only for an authorised request."""
    authorised_by: str = ""
    """Who authorised a full export (required with full_identifiers; recorded in the export's manifest)."""
    force: bool = False
    """Export the published registry even when the exports are as new as it already."""


@registry_asset(
    kinds={"parquet", "csv"},
    deps=[dg.AssetKey(["registry", "person"]), dg.AssetKey(["registry", "household"])],
    description="Per-province Parquet and CSV of the published registry under SEJAHTERA_EXPORTS (default "
    "exports/ beside the warehouse): NIK and KK replaced by HMAC-SHA256 tokens keyed by SEJAHTERA_EXPORT_KEY "
    "(skipped without a key), CSV cells neutralised against formula injection; raw numbers only in an "
    "authorised full export (run config), in its own folder <exports>-full. Its own step after the publish, "
    "swapped in whole: when a run published but its exports failed, the next run (new drops or not) "
    "completes them.",
)
def province_exports(
    context: AssetExecutionContext, config: ExportConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    if not warehouse.file.exists():
        return dg.MaterializeResult(metadata={"outcome": "no registry published yet"})
    folder = export_folder(warehouse.file, full_identifiers=config.full_identifiers)
    try:
        key = None if config.full_identifiers else export_key()
        with warehouse.connect(read_only=True) as con:
            if not wh.table_exists(con, "registry.household"):
                return dg.MaterializeResult(metadata={"outcome": "no registry published yet"})
            if not config.force and not exports_behind(con, folder):
                return dg.MaterializeResult(
                    metadata={"outcome": "exports are as new as the published registry"}
                )
            result = export_provinces(
                con,
                folder,
                key=key,
                full_identifiers=config.full_identifiers,
                authorised_by=config.authorised_by,
                run_id=work_run_id(context),
            )
    except ExportRefused as refusal:
        if config.full_identifiers:
            raise PermanentFailure(f"province exports refused: {refusal}") from None
        context.log.warning(f"province exports skipped: {refusal}")
        return dg.MaterializeResult(metadata={"outcome": f"skipped: {refusal}"})
    if config.full_identifiers:
        context.log.warning(f"FULL export with raw NIK/KK written, authorised by {config.authorised_by}")
    rows = [(reporting.province_label(p), c["households"], c["persons"]) for p, c in result.provinces.items()]
    return dg.MaterializeResult(
        metadata={
            "outcome": f"{result.mode} export of {len(result.provinces)} provinces",
            "folder": dg.MetadataValue.path(str(result.folder)),
            "files": len(result.files),
            "rows per province": dg.MetadataValue.md(
                reporting.markdown_table(["province", "households", "persons"], rows)
            ),
        }
    )


asset_defs = [survivorship, welfare_ranking, targeting_errors, publish_registry, province_exports]
