"""Targeting errors: the follow-up list the poverty programmes need most.

Inclusion errors: a DTKS or P3KE record that receives a programme lists a person Dukcapil records as dead
(``dead_listed``), or the receiving household has no living member (``no_living_member``) or ranks above the
programme's cutoff (``above_cutoff``). Exclusion errors: a household eligible for a programme that receives no
programme at all (``eligible_receiving_nothing``). Each row carries the province and regency (for counts), the
record to look at, and masked identifiers only. Writes ``work.targeting_error``.
"""

from __future__ import annotations

import duckdb

from sejahtera.privacy import install_masking_macros
from sejahtera.sql_files import stage_sql

SQL = stage_sql(__file__)


def build_targeting_errors(con: duckdb.DuckDBPyConnection) -> None:
    """Needs ``work.household_welfare``, ``work.household_eligibility``, ``work.programme_receipt``."""
    install_masking_macros(con)
    SQL.run(con, "targeting_error")
