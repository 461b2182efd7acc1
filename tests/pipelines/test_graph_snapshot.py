"""A snapshot of the code location's shape: every asset, check, job, schedule and sensor.

A change to the graph (an asset renamed or regrouped, a check added, a pool or a cron changed) then shows up as
a diff of ``snapshots/code_location.json`` in review. When the change is intended, regenerate it:

    SEJAHTERA_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/pipelines/test_graph_snapshot.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "code_location.json"
UPDATE_ENV = "SEJAHTERA_UPDATE_SNAPSHOTS"


def _freshness(policy: dg.FreshnessPolicy | None) -> dict[str, float] | None:
    if policy is None:
        return None
    fail, warn = policy.fail_window.to_timedelta(), policy.warn_window
    return {
        "fail_hours": fail.total_seconds() / 3600,
        "warn_hours": warn.to_timedelta().total_seconds() / 3600 if warn else None,
    }


def _retry(policy: dg.RetryPolicy | None) -> dict[str, Any] | None:
    if policy is None:
        return None
    return {
        "max_retries": policy.max_retries,
        "delay_seconds": policy.delay,
        "backoff": policy.backoff.value if policy.backoff else None,
        "jitter": policy.jitter.value if policy.jitter else None,
    }


def code_location_shape() -> dict[str, Any]:
    """What a reviewer should see change: names, groups, kinds, owners, dependencies, pools, policies."""
    repository = defs.get_repository_def()
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "kinds": sorted(
                t.removeprefix("dagster/kind/") for t in node.tags if t.startswith("dagster/kind/")
            ),
            "owners": sorted(node.owners),
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "executable": node.is_executable,
            "pools": sorted(node.pools or []),
            "partitions": getattr(node.partitions_def, "name", None)
            or (type(node.partitions_def).__name__ if node.partitions_def else None),
            "freshness": _freshness(node.freshness_policy),
        }
    checks = {}
    for check_key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        spec = graph.get_check_spec(check_key)
        checks[f"{check_key.asset_key.to_user_string()}:{check_key.name}"] = {"blocking": spec.blocking}
    jobs = {}
    for job in sorted(repository.get_all_jobs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue  # Dagster's implicit asset job
        jobs[job.name] = {
            "assets": sorted(k.to_user_string() for k in job.asset_layer.selected_asset_keys),
            "checks": len(job.asset_layer.asset_graph.asset_check_keys),
            "executor": job.executor_def.name,
            "op_retry_policy": _retry(job.op_retry_policy),
        }
        if not job.asset_layer.selected_asset_keys:  # an op job (explain): its ops are its shape
            jobs[job.name]["ops"] = sorted(op.name for op in job.graph.iterate_op_defs())
    schedules = {
        s.name: {
            "job": s.job_name,
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "default_status": s.default_status.value,
        }
        for s in sorted(repository.schedule_defs, key=lambda s: s.name)
    }
    sensors = {
        s.name: {
            "type": s.sensor_type.value,
            "jobs": sorted(t.job_name for t in s.targets),
            "minimum_interval_seconds": s.minimum_interval_seconds,
            "default_status": s.default_status.value,
        }
        for s in sorted(repository.sensor_defs, key=lambda s: s.name)
    }
    return {
        "assets": assets,
        "asset_checks": checks,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
    }


def test_code_location_matches_its_snapshot():
    current = json.dumps(code_location_shape(), indent=2, sort_keys=True) + "\n"
    if os.environ.get(UPDATE_ENV) == "1" or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
        assert os.environ.get(UPDATE_ENV) == "1", (
            f"{SNAPSHOT.name} was missing and has been written: commit it"
        )
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        f"the code location changed; if intended, regenerate with {UPDATE_ENV}=1 and commit {SNAPSHOT.name}"
    )
