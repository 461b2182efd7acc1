"""Which run a step's work belongs to: the first run of its re-execution family.

A run's work area (``work.run``), its ledger rows, its history and its publish guard are stamped with a run id.
Dagster's *re-execute from failure* (the UI's button, and automatic run retries) starts a **new** run with a new id
that skips the steps that already succeeded, ``landed_drops`` among them, the step that opened the work area. Were
each step to use its own run's id, every re-executed step would find a work area that is "not its run's", do
nothing and succeed: a green run that published nothing. Every step therefore uses the family's root run id, so a
re-execution carries on with the work its root run started, and the publish guards
(``assets/registry/publish_guards.py``) see a re-execution after a committed publish as the same run and write
nothing twice. A run that is not a re-execution is its own root.
"""

from __future__ import annotations

from typing import Protocol

import dagster as dg


class _InRun(Protocol):
    @property
    def run(self) -> dg.DagsterRun: ...


def work_run_id(context: _InRun) -> str:
    """The id the step's work area and bookkeeping are stamped with: the root run of a re-execution, else its own."""
    run = context.run
    return run.root_run_id or run.run_id
