"""The nightly schedule: 01:00 Asia/Jakarta, the nightly job, running by default."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.schedules import nightly_schedule

JAKARTA = ZoneInfo("Asia/Jakarta")


def test_fires_at_one_in_the_morning_jakarta_time():
    assert nightly_schedule.cron_schedule == "0 1 * * *"
    assert nightly_schedule.execution_timezone == "Asia/Jakarta"
    assert nightly_schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_launches_the_nightly_job():
    assert nightly_schedule.job_name == "nightly"


def test_tick_requests_one_run_tagged_as_scheduled():
    tick_time = datetime(2026, 11, 28, 1, 0, tzinfo=JAKARTA)  # 2026-11-27 18:00 UTC
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick_time)
        result = nightly_schedule.evaluate_tick(context)

    [request] = result.run_requests
    assert request.tags["sejahtera/trigger"] == "schedule"
    assert request.partition_key is None
    assert not request.run_config  # the job's defaults: every pending drop, nothing reprocessed
