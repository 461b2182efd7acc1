"""A one-step Dagster job run as a script in its own process: how the pool tests start "another run".

The scripts (``tests/pipelines/pool_worker.py``, ``tests/reliability/slot_holder.py``) are started with ``tests/``
on ``PYTHONPATH`` so that they can import this kit.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import dagster as dg

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
"""Dagster's console logger silenced: the test reads only the exit code and the failure lines below."""


def run_and_exit(job: dg.JobDefinition) -> NoReturn:
    """Run ``job`` on the instance of ``DAGSTER_HOME``; exit 0 when it succeeded, else 1 after printing each failure
    and its chain of causes on stderr (one line each: a crash must not pass for the failure a test expects)."""
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET)
        if not result.success:
            for event in result.all_events:
                if event.is_failure:
                    print(event.message, file=sys.stderr)
                    error = getattr(event.event_specific_data, "error", None)
                    while error is not None:
                        print(f"{error.cls_name}: {error.message.splitlines()[0]}", file=sys.stderr)
                        error = error.cause
    sys.exit(0 if result.success else 1)
