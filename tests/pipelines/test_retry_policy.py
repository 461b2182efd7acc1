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
    steady = policy._replace(jitter=None)  # jitter is +-delay: compare the backoff itself
    assert steady.calculate_delay(2) > steady.calculate_delay(1) * 1.2
    assert policy.calculate_delay(2) >= policy.calculate_delay(1)


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


def run_the_real_job(
    tmp_path: Path, job_name: str, rules: Path | None = None, run_config: dict | None = None
):
    """A job of the code location on tmp paths: whether it succeeded, how many retries, each step failure's message.

    Everything is read while the test instance is open: the result refers to it."""
    from pipelines.definitions import defs
    from sejahtera.resources import RulesResource, build_resources
    from sejahtera.settings import Settings

    (tmp_path / "landing").mkdir(exist_ok=True)
    settings = Settings(
        landing=tmp_path / "landing", warehouse=tmp_path / "wh" / "s.duckdb", dagster_home=tmp_path / "home"
    )
    resources = build_resources(settings)
    if rules is not None:
        resources["rules"] = RulesResource(folder=str(rules))
    with dg.instance_for_test() as instance:  # the job resolves with this instance current
        job = dg.Definitions(
            assets=defs.assets, asset_checks=defs.asset_checks, jobs=defs.jobs, resources=resources
        ).resolve_job_def(job_name)
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config={**QUIET, **(run_config or {})}
        )
        retries = len(instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY))
        failures = [
            e.event_specific_data.error.message
            for e in result.all_events
            if e.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
    return result.success, retries, failures


def test_an_unknown_drop_named_for_reprocessing_fails_at_once(tmp_path):
    succeeded, retries, (failure,) = run_the_real_job(
        tmp_path,
        "nightly",
        run_config={"ops": {"landed_drops": {"config": {"reprocess": ["dtks.20990101"]}}}},
    )

    assert not succeeded
    assert retries == 0
    assert "dtks.20990101" in failure


def test_a_broken_rule_file_fails_at_once_naming_the_file(tmp_path):
    from sejahtera.rule_config import CONFIG_DIR

    rules = tmp_path / "rules"
    rules.mkdir()
    for file in CONFIG_DIR.glob("*.yaml"):
        (rules / file.name).write_text(file.read_text())
    (rules / "linkage.yaml").write_text("model: [unclosed\n")

    succeeded, retries, (failure,) = run_the_real_job(tmp_path, "train_linkage_model", rules=rules)

    assert not succeeded
    assert retries == 0
    assert "linkage.yaml" in failure


def test_training_with_nothing_published_fails_at_once(tmp_path):
    succeeded, retries, failures = run_the_real_job(tmp_path, "train_linkage_model")

    assert not succeeded
    assert retries == 0 and len(failures) == 1


def test_a_rule_file_read_through_the_resource_is_final_when_broken(tmp_path):
    from assets.registry.config import load_eligibility
    from sejahtera.failures import PermanentFailure
    from sejahtera.resources import RulesResource

    (tmp_path / "eligibility.yaml").write_text("version: 1\nbasis: desil_provinsi\n")

    with pytest.raises(PermanentFailure) as raised:
        RulesResource(folder=str(tmp_path)).read(load_eligibility, "eligibility.yaml")
    assert raised.value.allow_retries is False
    assert "eligibility.yaml" in raised.value.description
