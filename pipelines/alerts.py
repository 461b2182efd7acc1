"""Alerts for failed runs: one log line, one JSON file under the instance, and an optional hook for email or chat.

Why a file first: the on-call engineer must be able to see every failure even when the mail server or the chat
webhook is down, so the file is written before any hook runs and a failing hook is recorded in it, never
allowed to hide it. The hook is named in the environment (``SEJAHTERA_ALERT_HOOK=package.module:function``) so
that production wires its own channel without a code change here.

An alert holds no personal data: run and step identifiers, error types, and error messages in which every long
digit run (an NIK or KK) and every quoted literal (libraries such as DuckDB quote the offending data value) is
masked by :func:`sejahtera.privacy.scrub`.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from sejahtera.privacy import scrub

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

HOOK_ENV = "SEJAHTERA_ALERT_HOOK"
"""``package.module:function``, called with a copy of the alert dict after the alert file is written."""

UI_URL_ENV = "SEJAHTERA_UI_URL"
"""Base address of the Dagster UI (e.g. ``https://dagster.example.go.id``), to put a link to the run in alerts."""

ALERTS_FOLDER = "alerts"

TRIGGER_TAGS = (
    "sejahtera/trigger",
    "dagster/schedule_name",
    "dagster/sensor_name",
    "dagster/backfill",
    "dagster/partition",
)
"""Run tags worth repeating in an alert: they say what launched the run, none of them holds personal data."""

log = logging.getLogger(__name__)


def _innermost(error: SerializableErrorInfo | None) -> SerializableErrorInfo | None:
    """The user's own exception under Dagster's wrappers (``DagsterExecutionStepExecutionError`` and friends)."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error


def describe_step_failure(event: dg.DagsterEvent) -> dict[str, str]:
    """What failed in one step: its key, the exception type and the scrubbed first line of its message."""
    data = event.event_specific_data
    error = _innermost(getattr(data, "error", None))
    if error is None:
        return {"step_key": event.step_key or "", "error_type": "", "message": ""}
    error_type = error.cls_name or ""
    # Dagster prefixes the message with the exception's class, sometimes module-qualified (_duckdb.IOException)
    message = (
        re.sub(rf"^[\w.]*\b{re.escape(error_type)}: ", "", error.message.strip())
        if error_type
        else error.message
    )
    return {"step_key": event.step_key or "", "error_type": error_type, "message": scrub(message, error_type)}


def build_alert(
    run: dg.DagsterRun,
    failure_event: dg.DagsterEvent | None,
    step_failures: Sequence[dg.DagsterEvent],
    failed_at: datetime | None = None,
) -> dict[str, Any]:
    """The alert for one failed run, as plain JSON-able data."""
    steps = [describe_step_failure(event) for event in step_failures]
    alert: dict[str, Any] = {
        "kind": "run_failure",
        "run_id": run.run_id,
        "job_name": run.job_name,
        "status": run.status.value,
        "failed_at": (failed_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
        "trigger": {tag: run.tags[tag] for tag in TRIGGER_TAGS if tag in run.tags},
        "failed_steps": steps,
    }
    if not steps and failure_event is not None:
        # No step failed: the run itself did (worker crash, timeout, code location not loading). Its message is
        # then the only clue; with failed steps it would only repeat their keys.
        alert["message"] = scrub(failure_event.message or "")
    ui_url = os.environ.get(UI_URL_ENV, "").strip().rstrip("/")
    if ui_url:
        alert["ui_url"] = f"{ui_url}/runs/{run.run_id}"
    return alert


def alert_path(instance_root: Path | str, run_id: str) -> Path:
    return Path(instance_root) / ALERTS_FOLDER / f"{run_id}.json"


def summary_line(alert: Mapping[str, Any], path: Path) -> str:
    """The one log line an operator greps for: which run, which job, which steps with which error type, where."""
    steps = ", ".join(f"{s['step_key']} ({s['error_type']})" for s in alert["failed_steps"]) or "no step"
    return f"ALERT run {alert['run_id']} of job {alert['job_name']} failed in {steps}; details in {path}"


def raise_alert(
    alert: dict[str, Any], instance_root: Path | str, logger: logging.Logger | Any | None = None
) -> Path | None:
    """Write the alert file, log its line, then call the hook; once per run (None when it was already raised).

    Idempotent per run id because both the failure sensor and a command-line launcher may see the same failed
    run, and an on-call engineer should be paged once.
    """
    logger = logger or log
    path = alert_path(instance_root, alert["run_id"])
    if path.exists():
        return None
    _write_json(path, alert)
    logger.error(summary_line(alert, path))
    target = os.environ.get(HOOK_ENV, "").strip()
    if target:
        alert["hook"] = call_hook(target, alert, logger)
        _write_json(path, alert)
    return path


def call_hook(target: str, alert: Mapping[str, Any], logger: logging.Logger | Any) -> dict[str, Any]:
    """Call ``package.module:function`` with a copy of the alert; report how it went instead of raising."""
    try:
        hook = load_hook(target)
        hook(json.loads(json.dumps(alert)))
    except Exception as exc:
        reason = f"{type(exc).__name__}: {scrub(str(exc))}"
        logger.warning(f"alert hook {target} failed: {reason}; the alert file stands")
        return {"target": target, "ok": False, "error": reason}
    return {"target": target, "ok": True}


def load_hook(target: str) -> Callable[[dict[str, Any]], object]:
    module_name, sep, function_name = target.partition(":")
    if not sep or not module_name or not function_name:
        raise ValueError(f"{HOOK_ENV} must look like package.module:function, got {target!r}")
    hook = getattr(importlib.import_module(module_name), function_name)
    if not callable(hook):
        raise TypeError(f"{target} is not callable")
    return hook


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write via a temporary file and a rename, so a reader never sees half an alert."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def alert_for_failed_run(
    instance: dg.DagsterInstance, run_id: str, logger: logging.Logger | Any | None = None
) -> Path | None:
    """Raise the alert of a failed run from its records in the instance; None when it did not fail or was alerted.

    The failure sensor and a launcher without a daemon (``sejahtera run``) both call this, so an alert looks the
    same whoever noticed the failure, and is dated by the run's end, not by when it was noticed.
    """
    record = instance.get_run_record_by_id(run_id)
    if record is None or record.dagster_run.status != dg.DagsterRunStatus.FAILURE:
        return None
    step_failures = _events(instance, run_id, dg.DagsterEventType.STEP_FAILURE)
    run_failures = _events(instance, run_id, dg.DagsterEventType.RUN_FAILURE)
    alert = build_alert(
        record.dagster_run,
        run_failures[-1] if run_failures else None,
        step_failures,
        failed_at=datetime.fromtimestamp(record.end_time, UTC) if record.end_time else None,
    )
    return raise_alert(alert, instance.root_directory, logger=logger)


def _events(
    instance: dg.DagsterInstance, run_id: str, event_type: dg.DagsterEventType
) -> list[dg.DagsterEvent]:
    return [
        entry.dagster_event
        for entry in instance.all_logs(run_id, of_type=event_type)
        if entry.dagster_event is not None
    ]
