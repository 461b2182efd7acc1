"""The reconcile stage in Dagster: Dukcapil replay, standardisation, the linkage model, persons, households.

Every asset opens the warehouse in the ``warehouse`` pool and is a no-op when the run found no new drops
(``WarehouseResource.has_work``). Metadata holds counts only: no NIK, KK or name ever leaves the warehouse.
"""

import dataclasses
import functools

import dagster as dg
import duckdb
from pydantic import Field

from assets.reconcile import standardise
from assets.reconcile.config import LINKAGE_FILE, LinkageConfig
from assets.reconcile.households import resolve_households
from sejahtera.asset_guards import skip_when, without_new_drops
from sejahtera.failures import PermanentFailure
from sejahtera.faults import fault_point
from sejahtera.resources import RulesResource, WarehouseResource
from sejahtera.run_family import work_run_id
from sejahtera.warehouse import transaction

GROUP = "reconcile"
OWNERS = ["team:reconcile"]
NO_NEW_DROPS = "no new drops this run: nothing reconciled"


reconcile_asset = functools.partial(dg.asset, group_name=GROUP, owners=OWNERS, pool="warehouse")
"""``dg.asset`` with what every reconcile asset shares: its group, its owners and the warehouse pool (one writer)."""


on_new_drops = skip_when(without_new_drops({"note": NO_NEW_DROPS}))
"""Runs a reconcile asset's body only when this run found new drops (otherwise a no-op saying so)."""


class ResolvedPersonsConfig(dg.Config):
    """Run config of ``resolved_persons`` (launchpad: ``ops: {resolved_persons: {config: {full: true}}}``)."""

    full: bool = Field(
        default=False,
        description=(
            "Full rebuild: score every candidate pair again instead of reusing the pairs earlier runs scored "
            "(sejahtera run --full). The result is the same; only the work differs."
        ),
    )


def _counts(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in con.execute(sql).fetchall()}


@reconcile_asset(
    key="dukcapil_population",
    kinds={"duckdb"},
    deps=[dg.AssetKey("source_snapshots")],
    description=(
        "The civil registry after replaying its delta events on the latest full (work.dukcapil_person): events "
        "apply per NIK in (tanggal_peristiwa, drop_id, row) order, so a late delta never overrides a later change."
    ),
)
@on_new_drops
def dukcapil_population(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        standardise.install_macros(con)
        persons = standardise.build_dukcapil_person(con)
        status = _counts(
            con, "SELECT status_hidup, count(*) FROM work.dukcapil_person GROUP BY ALL ORDER BY 1"
        )
        events = con.execute("SELECT count(*) FROM work.snapshot_dukcapil_peristiwa").fetchall()[0][0]
    return dg.MaterializeResult(
        metadata={
            "persons": persons,
            "living": status.get("HIDUP", 0),
            "dead": status.get("MATI", 0),
            "events replayed": events,
        }
    )


@reconcile_asset(
    key="standardised_records",
    kinds={"duckdb"},
    deps=[dukcapil_population],
    description=(
        "Every source's person and household records in one canonical shape (work.person_record, "
        "work.household_record): names upper-cased with titles split off, comparison and phonetic keys, sex L/P, "
        "relationship 1-8, 10-digit village codes, NIK/KK placeholders nulled for linkage with the reason kept."
    ),
)
@on_new_drops
def standardised_records(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        standardise.install_macros(con)
        names = standardise.build_name_standard(con)
        standardise.build_person_and_household_records(con)
        per_source = _counts(con, "SELECT source, count(*) FROM work.person_record GROUP BY ALL ORDER BY 1")
        households = _counts(
            con, "SELECT source, count(*) FROM work.household_record GROUP BY ALL ORDER BY 1"
        )
        problems = _counts(
            con,
            "SELECT coalesce(nik_problem, CASE WHEN nik_raw IS NULL THEN 'blank' END), count(*) "
            "FROM work.person_record WHERE nik IS NULL OR nik_problem IS NOT NULL GROUP BY ALL ORDER BY 1",
        )
        titled = con.execute("SELECT count(*) FROM work.person_record WHERE gelar IS NOT NULL").fetchall()[0][
            0
        ]
    return dg.MaterializeResult(
        metadata={
            "person records": dg.MetadataValue.json(per_source),
            "household records": dg.MetadataValue.json(households),
            "NIK problems (record counts)": dg.MetadataValue.json(problems),
            "records with titles split off": titled,
            "distinct names standardised": names,
        }
    )


@reconcile_asset(
    key="linkage_model",
    kinds={"duckdb", "splink"},
    description=(
        "The Splink person-linkage model trained on the published snapshots (declared in "
        "assets/reconcile/linkage_settings.py; prior, u by seeded sampling, m by expectation maximisation), "
        "appended to ops.linkage_model with trained_at and the training data's size. Nightly runs reuse the "
        "newest one; run the job train_linkage_model to retrain."
    ),
)
def linkage_model(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, rules: RulesResource
) -> dg.MaterializeResult:
    from assets.reconcile import model_store  # Splink: imported by the steps that link, not by every process
    from assets.reconcile.linkage import NotEnoughToTrain
    from assets.reconcile.training import NothingToTrainOn, published_person_records

    config = rules.read(LinkageConfig.load, LINKAGE_FILE)
    try:
        with published_person_records(warehouse) as records:
            model = model_store.train_on_person_records(records, config)
    except NothingToTrainOn as exc:
        raise PermanentFailure(str(exc)) from None
    except NotEnoughToTrain as exc:
        raise PermanentFailure(f"train_linkage_model: {exc}; nothing stored") from None
    if not model_store.worth_keeping(model, config):
        raise PermanentFailure(
            f"train_linkage_model: only {model.sure_matches} near-certain matches (same NIK, "
            f"consistent identity) in the published snapshots, fewer than "
            f"{config.min_sure_matches_to_keep_model}: the model would not be reliable; nothing stored"
        )
    with warehouse.connect() as con, transaction(con):
        model_store.store(con, model_store.PUBLISHED_TABLE, model, work_run_id(context))
    return dg.MaterializeResult(
        metadata={
            "training records": model.training_records,
            "near-certain matches learned from": model.sure_matches,
            "trained at": model.trained_at.isoformat(),
            "settings fingerprint": model.fingerprint,
            "prior (probability two records match)": model.settings["probability_two_random_records_match"],
            "levels training never observed": dg.MetadataValue.json(list(model.unobserved_levels)),
        }
    )


@reconcile_asset(
    key="resolved_persons",
    kinds={"duckdb", "splink"},
    deps=[standardised_records],
    description=(
        "One registry person per real person: deterministic links where Dukcapil holds the NIK with a consistent "
        "identity, Splink for the rest, clustered so that no person holds two Dukcapil records or two records of "
        "one source; stable person ids; nik_status; work.source_link (persons) and work.link_evidence. Uses the "
        "newest stored linkage model (trains and publishes one if there is none). Pairs an earlier run scored "
        "are reused (assets/reconcile/pair_cache.py) unless the run config says full: true."
    ),
)
@on_new_drops
def resolved_persons(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    rules: RulesResource,
    config: ResolvedPersonsConfig,
) -> dg.MaterializeResult:
    from assets.reconcile import model_store  # Splink: imported by the steps that link, not by every process
    from assets.reconcile.linkage import NotEnoughToTrain, train
    from assets.reconcile.persons import resolve_persons
    from assets.reconcile.spark_linkage import linkage_engine

    linkage_config = rules.read(LinkageConfig.load, LINKAGE_FILE)
    with warehouse.connect() as con:
        standardise.install_macros(con)
        model_store.ensure_table(con, model_store.WORK_TABLE)
        model = model_store.latest(con, model_store.PUBLISHED_TABLE)
        trained_in_run = model is None
        with model_store.loaded_records(con) as records:
            if model is None:
                context.log.info("no stored linkage model for this declaration: training one for this run")
                try:
                    model = train(records, linkage_config)
                except NotEnoughToTrain as exc:
                    context.log.warning(f"no linkage model this run, persons linked by NIK only: {exc}")
            if model is not None and trained_in_run:
                if model_store.worth_keeping(model, linkage_config):
                    model_store.store(con, model_store.WORK_TABLE, model, work_run_id(context))
                else:
                    context.log.warning(
                        f"the linkage model learned from only {model.sure_matches} near-certain matches: used "
                        "for this run, not kept (the next run trains again)"
                    )
            fault_point("linkage", "before_resolving")
            stats = resolve_persons(con, model, linkage_config, full=config.full, loaded=records)
        status = _counts(con, "SELECT nik_status, count(*) FROM work.person_resolved GROUP BY ALL ORDER BY 1")
        methods = _counts(
            con, "SELECT match_method, count(*) FROM work.person_record GROUP BY ALL ORDER BY 1"
        )
    return dg.MaterializeResult(
        metadata={
            **dataclasses.asdict(stats),
            "nik_status": dg.MetadataValue.json(status),
            "records by match_method": dg.MetadataValue.json(methods),
            "model trained at": model.trained_at.isoformat() if model else "no model: NIK links only",
            "model trained in this run": trained_in_run and model is not None,
            "pairs scored on": linkage_engine() if model else "no model: NIK links only",
            "model levels training never observed": dg.MetadataValue.json(
                list(model.unobserved_levels) if model else []
            ),
        }
    )


@reconcile_asset(
    key="resolved_households",
    kinds={"duckdb"},
    deps=[resolved_persons],
    description=(
        "Registry households formed from their members: Dukcapil's current KK grouping, joined by household-mates "
        "Dukcapil lacks; each source household links to the registry household most of its members belong to; "
        "ids follow members across moves, splits and merges. Writes work.household_resolved and the household "
        "rows of work.source_link."
    ),
)
@on_new_drops
def resolved_households(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        stats = resolve_households(con)
        methods = _counts(
            con, "SELECT match_method, count(*) FROM work.household_record GROUP BY ALL ORDER BY 1"
        )
    return dg.MaterializeResult(
        metadata={
            **dataclasses.asdict(stats),
            "household records by match_method": dg.MetadataValue.json(methods),
        }
    )
