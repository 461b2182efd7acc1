"""Welfare ranking: a transparent proxy-means-test score per household, and national, provincial and regency deciles.

Not BPS's model (that one is not public): an additive index of the Regsosek housing codebook, floor area per
person, electricity, assets, land, household size, dependency, education and work, each turned into a 0..1
"goodness" and weighted by ``config/pmt_weights.yaml``. A household without a survey is scored from what is known
of it (P3KE desil, DTKS listing, size) and flagged in ``welfare_source``. Only living members count; a household
with no living member is not ranked. Writes ``work.household_welfare`` (every input, goodness and the result, so
any score can be recomputed by hand).
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from assets.registry.config import PmtWeights, load_pmt_weights
from sejahtera.drop_status import DropStatus
from sejahtera.sql_files import stage_sql
from sejahtera.sql_text import literal

SQL = stage_sql(__file__)


class WeightsMismatch(ValueError):
    """The PMT features computed and the weights configured differ: a feature would silently not count."""


def reference_date(con: duckdb.DuckDBPyConnection) -> date:
    """The date ages are computed on: the date of the latest drop the records come from (drop ids start with
    YYYYMMDD), so the same data gives the same ranking whenever it runs, and a date typed wrong inside a record
    (an update date in 2099) cannot age everyone. Falls back to the latest applied drop, then to today."""
    for sql in (
        "SELECT max(left(drop_id, 8)) FROM work.person_record WHERE regexp_full_match(left(drop_id, 8), '[0-9]{8}')",
        f"SELECT max(left(drop_id, 8)) FROM work.ledger WHERE status = {literal(DropStatus.APPLIED)} "
        "AND regexp_full_match(left(drop_id, 8), '[0-9]{8}')",
    ):
        latest = con.execute(sql).fetchall()[0][0]
        if latest:
            try:
                return datetime.strptime(latest, "%Y%m%d").date()
            except ValueError:
                continue
    return date.today()


def build_welfare(con: duckdb.DuckDBPyConnection, weights: PmtWeights | None = None) -> PmtWeights:
    """Score and rank every household; needs ``work.household_survivor`` and ``work.person_survivor``."""
    weights = weights or load_pmt_weights()
    params = weights.sql_parameters()
    SQL.run(con, "welfare_input", reference_date=reference_date(con), **params)
    score_surveyed(con, weights)
    SQL.run(con, "create_imputation_prior")
    for evidence_class, quantile in sorted(weights.prior_quantile.items()):
        SQL.run(
            con,
            "insert_imputation_prior",
            evidence_class=evidence_class,
            prior_quantile=quantile,
            prior_score=weights.prior_score[evidence_class],
        )
    SQL.run(
        con,
        "welfare_score",
        min_cell_households=weights.min_cell_households,
        max_size_bucket=weights.max_size_bucket,
    )
    SQL.run(con, "household_welfare", pmt_version=weights.version)
    return weights


def score_surveyed(con: duckdb.DuckDBPyConnection, weights: PmtWeights) -> None:
    """The PMT score of every household with a survey and living members, from ``work.welfare_input``."""
    SQL.run(con, "welfare_goodness", **weights.sql_parameters())
    SQL.run(con, "create_pmt_weight")
    for feature, weight in sorted(weights.weights.items()):
        SQL.run(con, "insert_pmt_weight", feature=feature, weight=weight)
    computed = {row[0] for row in SQL.run(con, "goodness_features").fetchall()}
    if computed != set(weights.weights):
        raise WeightsMismatch(
            "config/pmt_weights.yaml and the PMT features differ: "
            f"unweighted {sorted(computed - set(weights.weights))}, "
            f"not computed {sorted(set(weights.weights) - computed)}"
        )
    SQL.run(con, "create_pmt_contribution_macro")
    SQL.run(con, "survey_score")
