"""The drop sensor: a run for a new or rewritten manifest, nothing for a drop seen before or still uploading."""

from __future__ import annotations

import json
import os

import dagster as dg
from hypothesis import given
from hypothesis import strategies as st

from pipelines.sensors import drop_sensor, read_cursor, run_key_for
from sejahtera.resources import LandingZoneResource


def tick(landing, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor,
        resources={"landing": LandingZoneResource(root=str(landing.root))},
    )
    return drop_sensor.evaluate_tick(context)


def test_sensor_launches_the_nightly_job():
    assert drop_sensor.job_name == "nightly"
    assert drop_sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_new_drop_requests_one_run_and_registers_its_partition(landing):
    landing.deliver("dtks", "20261127")
    landing.deliver("dukcapil", "20261127T0600", kind="delta")

    result = tick(landing)

    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.tags["sejahtera/trigger"] == "drop_sensor"
    assert request.tags["sejahtera/changed_drops"] == "2"
    assert request.partition_key is None  # nightly looks at every pending drop, not one partition
    [add] = result.dynamic_partitions_requests
    assert add.partitions_def_name == "drops"
    assert sorted(add.partition_keys) == ["dtks.20261127", "dukcapil.20261127T0600"]
    assert set(json.loads(result.cursor)) == {"dtks.20261127", "dukcapil.20261127T0600"}


def test_same_drop_again_requests_nothing(landing):
    landing.deliver("dtks", "20261127")
    first = tick(landing)

    second = tick(landing, cursor=first.cursor)

    assert second.run_requests == []
    assert second.dynamic_partitions_requests == []
    assert "no new or rewritten manifest" in second.skip_message


def test_rewritten_manifest_requests_a_new_run(landing):
    manifest = landing.deliver("p3ke", "20261001")
    first = tick(landing)

    landing.deliver("p3ke", "20261001", note="redelivered")
    landing.touch_later(manifest)
    second = tick(landing, cursor=first.cursor)

    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert second.dynamic_partitions_requests == []  # the drop is a partition already
    assert json.loads(second.cursor)["p3ke.20261001"] != json.loads(first.cursor)["p3ke.20261001"]


def test_drop_still_uploading_requests_nothing(landing):
    landing.upload_started("regsosek", "20261120")

    result = tick(landing)

    assert result.run_requests == []
    assert result.dynamic_partitions_requests == []


def test_upload_finishing_later_is_seen_on_the_next_tick(landing):
    landing.deliver("dtks", "20261127")
    landing.upload_started("regsosek", "20261120")
    first = tick(landing)

    landing.deliver("regsosek", "20261120")
    second = tick(landing, cursor=first.cursor)

    [add] = second.dynamic_partitions_requests
    assert add.partition_keys == ["regsosek.20261120"]
    assert len(second.run_requests) == 1


def test_folder_of_unknown_source_is_ignored(landing):
    landing.deliver("bansos_lain", "20261127")

    assert tick(landing).run_requests == []


def test_missing_landing_zone_requests_nothing(tmp_path):
    context = dg.build_sensor_context(
        resources={"landing": LandingZoneResource(root=str(tmp_path / "absent"))}
    )

    assert drop_sensor.evaluate_tick(context).run_requests == []


def test_vanished_drop_stays_in_the_cursor(landing):
    """A briefly unmounted landing zone must not make every drop look new when it comes back."""
    manifest = landing.deliver("dtks", "20261127")
    original = manifest.read_bytes(), manifest.stat().st_mtime_ns
    first = tick(landing)
    manifest.unlink()
    landing.deliver("dtks", "20261201")

    while_gone = tick(landing, cursor=first.cursor)
    manifest.write_bytes(original[0])
    os.utime(manifest, ns=(original[1], original[1]))
    back = tick(landing, cursor=while_gone.cursor)

    assert len(while_gone.run_requests) == 1  # for the new drop only
    assert back.run_requests == []


def test_unreadable_cursor_starts_over(landing):
    landing.deliver("dtks", "20261127")

    result = tick(landing, cursor="not json")

    assert len(result.run_requests) == 1


@given(st.dictionaries(st.text(min_size=1), st.text(), min_size=1))
def test_run_key_depends_only_on_the_signatures(changes):
    assert run_key_for(changes) == run_key_for(dict(reversed(list(changes.items()))))
    assert read_cursor(json.dumps(changes)) == changes
