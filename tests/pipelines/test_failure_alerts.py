"""The run-failure alert: a log line, a JSON file under the instance, the hook; never personal data."""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.alerts import HOOK_ENV, alert_for_failed_run, raise_alert, scrub
from pipelines.sensors import run_failure_alert

RAW_NIK = "3201014506870001"
RAW_NAME = "SITI AMINAH"


class AnggotaUnreadable(Exception):
    """A module-level exception: Dagster names it module-qualified in the message, unlike a builtin."""


@dg.op
def load_anggota():
    raise AnggotaUnreadable(f"NIK {RAW_NIK} of '{RAW_NAME}' cannot be parsed")


@dg.job(tags={"sejahtera/trigger": "schedule"})
def failing_job():
    load_anggota()


@dg.op
def fine():
    return 1


@dg.job
def fine_job():
    fine()


@pytest.fixture
def instance(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        yield instance


@pytest.fixture
def hooks(tmp_path, monkeypatch):
    """A hook module importable by name, recording what it was called with into a file."""
    folder = tmp_path / "hooks"
    folder.mkdir()
    calls = tmp_path / "hook_calls.jsonl"
    (folder / "sejahtera_test_hooks.py").write_text(
        textwrap.dedent(
            f"""
            import json
            import os

            def record(alert):
                with open(os.environ["SEJAHTERA_TEST_HOOK_CALLS"], "a") as f:
                    f.write(json.dumps(alert) + "\\n")

            def explode(alert):
                raise RuntimeError("chat webhook refused NIK {RAW_NIK}")
            """
        )
    )
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "sejahtera_test_hooks", raising=False)
    monkeypatch.setenv("SEJAHTERA_TEST_HOOK_CALLS", str(calls))
    return calls


def fail_a_run(instance) -> str:
    """A real failed run in the instance; its console log is silenced so no raw test NIK reaches the output."""
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False, run_config=quiet)
    assert not result.success
    return result.run_id


def sensor_tick(instance, cursor=None):
    return run_failure_alert.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor))


def alert_files(instance):
    return sorted((Path(instance.root_directory) / "alerts").glob("*.json"))


def test_failure_sensor_writes_the_alert_file(instance):
    start = sensor_tick(instance)  # the first tick only sets where the sensor starts reading
    run_id = fail_a_run(instance)

    sensor_tick(instance, cursor=start.cursor)

    [path] = alert_files(instance)
    assert path.name == f"{run_id}.json"
    alert = json.loads(path.read_text())
    assert alert["run_id"] == run_id
    assert alert["job_name"] == "failing_job"
    assert alert["status"] == "FAILURE"
    assert alert["trigger"] == {"sejahtera/trigger": "schedule"}
    [step] = alert["failed_steps"]
    assert step["step_key"] == "load_anggota"
    assert step["error_type"] == "AnggotaUnreadable"
    assert step["message"] == "NIK 3201********0001 of 'S*** A*****' cannot be parsed"
    assert RAW_NIK not in path.read_text()
    assert "AMINAH" not in path.read_text()


def test_successful_run_raises_no_alert(instance):
    start = sensor_tick(instance)
    fine_job.execute_in_process(instance=instance)

    sensor_tick(instance, cursor=start.cursor)

    assert alert_files(instance) == []


def test_alert_is_logged_in_one_line(instance, caplog):
    run_id = fail_a_run(instance)

    with caplog.at_level(logging.ERROR, logger="pipelines.alerts"):
        path = alert_for_failed_run(instance, run_id)

    [line] = [r.getMessage() for r in caplog.records if r.name == "pipelines.alerts"]
    assert line.startswith(
        f"ALERT run {run_id} of job failing_job failed in load_anggota (AnggotaUnreadable)"
    )
    assert str(path) in line
    assert RAW_NIK not in line


def test_hook_is_called_with_the_alert(instance, hooks, monkeypatch):
    monkeypatch.setenv(HOOK_ENV, "sejahtera_test_hooks:record")
    run_id = fail_a_run(instance)

    path = alert_for_failed_run(instance, run_id)

    [call] = [json.loads(line) for line in hooks.read_text().splitlines()]
    assert call["run_id"] == run_id
    assert call["failed_steps"][0]["step_key"] == "load_anggota"
    assert json.loads(path.read_text())["hook"] == {"target": "sejahtera_test_hooks:record", "ok": True}


def test_failing_hook_never_masks_the_alert_file(instance, hooks, monkeypatch, caplog):
    monkeypatch.setenv(HOOK_ENV, "sejahtera_test_hooks:explode")
    run_id = fail_a_run(instance)

    with caplog.at_level(logging.WARNING, logger="pipelines.alerts"):
        path = alert_for_failed_run(instance, run_id)

    alert = json.loads(path.read_text())
    assert alert["run_id"] == run_id
    assert alert["hook"]["ok"] is False
    assert alert["hook"]["error"].startswith("RuntimeError: chat webhook refused NIK 3201********0001")
    assert any("alert hook sejahtera_test_hooks:explode failed" in r.getMessage() for r in caplog.records)
    assert RAW_NIK not in path.read_text() + caplog.text


def test_hook_that_cannot_be_found_is_recorded(instance, monkeypatch):
    monkeypatch.setenv(HOOK_ENV, "no_such_module_here:notify")
    run_id = fail_a_run(instance)

    path = alert_for_failed_run(instance, run_id)

    assert json.loads(path.read_text())["hook"]["error"].startswith("ModuleNotFoundError")


def test_one_alert_per_run_whoever_notices_it(instance, hooks, monkeypatch):
    """`sejahtera run` and the failure sensor may both see the same failed run: page once."""
    monkeypatch.setenv(HOOK_ENV, "sejahtera_test_hooks:record")
    start = sensor_tick(instance)
    run_id = fail_a_run(instance)

    first = alert_for_failed_run(instance, run_id)
    sensor_tick(instance, cursor=start.cursor)

    assert first is not None
    assert len(hooks.read_text().splitlines()) == 1
    assert len(alert_files(instance)) == 1


def test_alert_without_failed_step_keeps_the_run_message(instance, tmp_path):
    run = instance.create_run_for_job(fine_job)
    instance.report_run_failed(run, message=f"run worker for NIK {RAW_NIK} crashed")

    path = alert_for_failed_run(instance, run.run_id)

    alert = json.loads(path.read_text())
    assert alert["failed_steps"] == []
    assert alert["message"] == "run worker for NIK 3201********0001 crashed"


NIK = st.from_regex(r"[0-9]{16}", fullmatch=True)
NAME = st.lists(
    st.from_regex(r"[A-Z][A-Za-z]{1,6}('[A-Za-z]{1,5})?", fullmatch=True), min_size=1, max_size=4
).map(" ".join)  # Arabic-origin names carry apostrophes: MA'RUF, SYAFI'I
NOISE = st.sampled_from(["", "can't convert", "don't know", "row 12:", "Conversion Error:", "value"])


@given(nik=NIK, name=NAME, quote=st.sampled_from(["'", '"']), before=NOISE, after=NOISE)
def test_scrub_never_lets_a_quoted_name_or_an_nik_through(nik, name, quote, before, after):
    message = f"{before} conversion of {quote}{name}{quote} failed for {nik} {after}"

    scrubbed = scrub(message)

    assert nik not in scrubbed
    assert name not in scrubbed
    assert all(token not in scrubbed for token in name.split() if len(token) > 1)


def test_scrub_keeps_absolute_paths_readable():
    message = 'IO Error: The file "/data/warehouse/sejahtera.duckdb" is not a valid DuckDB database file!'

    assert scrub(message) == message


def test_scrub_keeps_the_first_line_only():
    assert scrub("first line\nsecond line with 'SITI'") == "first line"


def test_raise_alert_writes_nothing_twice(tmp_path):
    alert = {"run_id": "r1", "job_name": "nightly", "failed_steps": []}

    assert raise_alert(dict(alert), tmp_path) == tmp_path / "alerts" / "r1.json"
    assert raise_alert(dict(alert), tmp_path) is None
