"""The nightly schedule, and the freshness the registry is held to because of it.

Agencies deliver during the working day (Western Indonesian Time); 01:00 WIB is after the last upload of the
evening and leaves the night for the run, so the registry is current when offices open. The schedule is running
by default: a deployment that loads this code location runs nightly without anyone switching it on.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from pipelines.jobs import nightly_job

NIGHTLY_CRON = "0 1 * * *"
TIMEZONE = "Asia/Jakarta"

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_at_0100_wib",
    job=nightly_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={"sejahtera/trigger": "schedule"},
    description=(
        "Every night at 01:00 Asia/Jakarta: process every complete drop not yet processed and publish the "
        "registry (a no-op when nothing new landed)."
    ),
)

REGISTRY_GROUP = "registry"

REGISTRY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=30),
    warn_window=timedelta(hours=26),
)
"""The registry assets materialise every night, also when nothing new landed (the run then says so), so their
last materialisation dates the last time the registry was checked against the landing zone. Warn when the night's
run is two hours late, fail when it is five hours late: by then the offices open on a registry that missed a
night."""


def with_registry_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Attach :data:`REGISTRY_FRESHNESS` to the assets of the registry group; leave every other asset as it is."""
    if spec.group_name != REGISTRY_GROUP:
        return spec
    return dg.apply_freshness_policy(spec, REGISTRY_FRESHNESS)
