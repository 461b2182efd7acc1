"""The sensors: a run when a drop lands (the drop sensor), and an alert when a run fails.

The drop sensor only lists folders and stats manifests (:func:`assets.extract.landing.scan`); it never opens the
DuckDB warehouse, because DuckDB's single writer would make a sensor tick and a running step block each other.
Which drops a run actually processes is decided inside the run by ``landed_drops`` against ``ops.drop_ledger``;
the sensor only decides *when* a run is worth starting.
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from assets.extract.landing import scan
from assets.extract.partitions import drops, is_valid_partition_key
from pipelines.alerts import alert_for_failed_run
from pipelines.jobs import nightly_job
from sejahtera.resources import LandingZoneResource

DROP_SENSOR_INTERVAL_SECONDS = 30
ALERT_SENSOR_INTERVAL_SECONDS = 30


def read_cursor(cursor: str | None) -> dict[str, str]:
    """The cursor as ``{drop key: manifest signature}``; an unreadable cursor counts as having seen nothing.

    Starting over is safe: the run it triggers skips every drop the ledger already holds.
    """
    if not cursor:
        return {}
    try:
        seen = json.loads(cursor)
    except json.JSONDecodeError:
        return {}
    if not isinstance(seen, dict):
        return {}
    return {str(key): str(signature) for key, signature in seen.items()}


def run_key_for(changes: dict[str, str]) -> str:
    """Same new signatures, same run key: a tick evaluated twice never launches the run twice."""
    text = "\n".join(f"{key}={signature}" for key, signature in sorted(changes.items()))
    return "drops-" + hashlib.sha256(text.encode()).hexdigest()[:32]


@dg.sensor(
    name="drop_sensor",
    job=nightly_job,
    minimum_interval_seconds=DROP_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches the landing zone; when a drop's manifest.json appears or is rewritten, registers the drop as a "
        "partition of `drops` and launches the nightly job. Folders without a manifest are still uploading."
    ),
)
def drop_sensor(context: dg.SensorEvaluationContext, landing: LandingZoneResource) -> dg.SensorResult:
    seen = read_cursor(context.cursor)
    found = {drop.key: drop.signature for drop in scan(landing.path)}
    changes = {key: signature for key, signature in found.items() if seen.get(key) != signature}
    if not changes:
        return dg.SensorResult(
            skip_reason=f"no new or rewritten manifest among {len(found)} complete drops",
        )
    # Remember drops that vanished too: a landing zone that is briefly unmounted must not look brand new.
    cursor = json.dumps({**seen, **found}, sort_keys=True)
    new_keys = sorted(key for key in changes if key not in seen and is_valid_partition_key(key))
    rewritten = sorted(key for key in changes if key in seen)
    context.log.info(
        f"drop sensor: {len(new_keys)} new drop(s) {new_keys}, {len(rewritten)} rewritten manifest(s) {rewritten}"
    )
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=run_key_for(changes),
                tags={"sejahtera/trigger": "drop_sensor", "sejahtera/changed_drops": str(len(changes))},
            )
        ],
        dynamic_partitions_requests=[drops.build_add_request(new_keys)] if new_keys else [],
        cursor=cursor,
    )


@dg.run_failure_sensor(
    name="run_failure_alert",
    monitor_all_code_locations=True,
    minimum_interval_seconds=ALERT_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Writes an alert for every failed run of this instance (including `sejahtera run` from the command "
        "line): a log line, $DAGSTER_HOME/alerts/<run_id>.json, and the SEJAHTERA_ALERT_HOOK if one is set."
    ),
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    # monitor_all_code_locations also matches runs executed in process (`sejahtera run`), which carry no code
    # location of their own; this instance serves only sejahtera, so every failed run in it is ours.
    alert_for_failed_run(context.instance, context.dagster_run.run_id, logger=context.log)
