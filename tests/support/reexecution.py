"""The nightly job built where Dagster can rebuild it by name, as re-execution needs (``dg.reconstructable``).

Re-execution from failure runs a new run of the same job from its pointer, so the job cannot be a local object of
a test. The job here is the code location's ``nightly`` (same assets, checks and selection) on the resources
the environment names at build time, without the retry policy: a test of re-execution wants a step to fail at
once, not after two back-offs.
"""

from __future__ import annotations

import dagster as dg


def nightly_without_retries() -> dg.JobDefinition:
    from pipelines.definitions import defs
    from pipelines.jobs import nightly_job
    from sejahtera.resources import build_resources

    job = dg.define_asset_job("nightly", selection=nightly_job.selection, executor_def=dg.in_process_executor)
    return dg.Definitions(
        assets=defs.assets, asset_checks=defs.asset_checks, jobs=[job], resources=build_resources()
    ).resolve_job_def("nightly")
