"""The jobs' retry policy: transient failures (the warehouse lock wait running out, a file read) are retried with
backoff; failures that no retry can fix are not."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from pipelines.jobs import TRANSIENT_FAILURE_RETRY, explain_job, nightly_job, train_linkage_model_job
from sejahtera.warehouse import WarehouseLocked

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@pytest.mark.parametrize("job", [nightly_job, train_linkage_model_job, explain_job], ids=lambda j: j.name)
def test_every_step_of_the_jobs_retries_with_backoff(job):
    policy = job.op_retry_policy
    assert policy is TRANSIENT_FAILURE_RETRY
    assert policy.max_retries >= 1
    assert policy.backoff == dg.Backoff.EXPONENTIAL
    assert policy.calculate_delay(2) > policy.calculate_delay(1) * 1.2  # backoff, beyond any jitter


def run_with_the_policy(tmp_path: Path, failure: Exception, failures_before_success: int) -> tuple[bool, int]:
    """Run one asset that fails ``failures_before_success`` times, under the jobs' policy without its delay."""
    attempts = tmp_path / "attempts"

    @dg.asset
    def reads_the_warehouse() -> None:
        count = int(attempts.read_text()) + 1 if attempts.exists() else 1
        attempts.write_text(str(count))
        if count <= failures_before_success:
            raise failure

    job = dg.define_asset_job(
        "under_policy",
        selection=[reads_the_warehouse],
        executor_def=dg.in_process_executor,
        op_retry_policy=TRANSIENT_FAILURE_RETRY._replace(delay=0),
    )
    defs = dg.Definitions(assets=[reads_the_warehouse], jobs=[job])
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("under_policy").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
    return result.success, int(attempts.read_text())


def test_a_lock_wait_that_ran_out_is_retried(tmp_path):
    succeeded, attempts = run_with_the_policy(tmp_path, WarehouseLocked("warehouse is locked"), 1)

    assert succeeded
    assert attempts == 2


def test_a_flaky_file_read_is_retried(tmp_path):
    succeeded, attempts = run_with_the_policy(tmp_path, OSError("Stale file handle"), 2)

    assert succeeded
    assert attempts == 3


def test_retries_end_and_the_run_fails(tmp_path):
    succeeded, attempts = run_with_the_policy(tmp_path, OSError("disk gone"), 99)

    assert not succeeded
    assert attempts == TRANSIENT_FAILURE_RETRY.max_retries + 1


def test_a_failure_marked_final_is_not_retried(tmp_path):
    """How a step says "bad input, retrying will not help": dg.Failure(allow_retries=False)."""
    succeeded, attempts = run_with_the_policy(
        tmp_path, dg.Failure("dtks.20261127: manifest.json is not JSON", allow_retries=False), 99
    )

    assert not succeeded
    assert attempts == 1
