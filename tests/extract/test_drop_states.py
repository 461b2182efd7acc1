"""The drop state machine of contract section 1, across runs against a published ledger.

Between runs the ledger is published the way validate and the registry publish will do it (``loaded`` becomes
``applied``), so each test sees what a night after another night sees.
"""

from __future__ import annotations

import json
import os

import dagster as dg
import duckdb
import pytest
from support.extract_harness import Extract

from sejahtera.warehouse import reset_work


def ledger(extract: Extract) -> list[tuple[str, str, str | None]]:
    return extract.query(
        "SELECT source || '.' || drop_id, status, reason FROM ops.drop_ledger ORDER BY processed_at"
    )


def test_first_run_loads_every_complete_drop_and_leaves_uploads_alone(extract: Extract) -> None:
    zone = extract.landing
    zone.deliver("dtks", "20261101")
    uploading = zone.root / "dtks" / "20261201"
    uploading.mkdir()
    (uploading / "keluarga.csv").write_text("ID_KELUARGA\n", encoding="utf-8")
    extract.run()
    assert extract.drops() == {"dtks.20261101": ("loaded", None)}


def test_untouched_manifests_are_skipped_and_nothing_is_written(extract: Extract) -> None:
    zone = extract.landing
    zone.deliver("dtks", "20261101")
    extract.run()
    extract.publish_ledger()
    before = extract.warehouse.stat().st_mtime_ns, extract.warehouse.read_bytes()

    result = extract.run()

    assert result.success
    assert (extract.warehouse.stat().st_mtime_ns, extract.warehouse.read_bytes()) == before
    metadata = extract.landed_drops_metadata(result)
    assert metadata["untouched (skipped)"] == 1
    assert metadata["loaded"] == 0
    assert all(c.passed for c in result.get_asset_check_evaluations())


def test_no_drops_and_no_warehouse_creates_no_file(extract: Extract) -> None:
    result = extract.run()
    assert result.success
    assert not extract.warehouse.exists()


def test_same_manifest_delivered_again_is_a_duplicate(extract: Extract) -> None:
    folder = extract.landing.deliver("dtks", "20261101")
    extract.run()
    extract.publish_ledger()

    extract.landing.rewrite_manifest(folder)  # same bytes, new modification time
    extract.run()

    status, reason = extract.drops()["dtks.20261101"]
    assert status == "duplicate"
    assert "already applied" in reason
    assert extract.query("SELECT count(*) FROM work.raw_dtks_anggota")[0][0] == 0
    assert extract.query("SELECT rows_in, rows_loaded FROM work.drop")[0] == (6, 0)


def test_different_manifest_under_an_applied_drop_id_is_rejected(extract: Extract) -> None:
    folder = extract.landing.deliver("dtks", "20261101")
    extract.run()
    extract.publish_ledger()

    extract.landing.rewrite_manifest(folder, lambda m: m.update(extracted_at="2026-11-28T08:00:00+07:00"))
    extract.run()

    status, reason = extract.drops()["dtks.20261101"]
    assert status == "rejected"
    assert reason == (
        "dtks.20261101: manifest.json differs from the one of the drop already applied under this drop_id "
        "(an applied drop is never replaced: deliver a new drop_id)"
    )


def test_an_older_full_is_stale_but_an_older_delta_still_loads(extract: Extract) -> None:
    zone = extract.landing
    zone.deliver("dtks", "20261101")
    zone.deliver("dukcapil", "20261101")
    zone.deliver("dukcapil", "20261105", "delta")
    extract.run()
    extract.publish_ledger()

    zone.deliver("dtks", "20261001")
    zone.deliver("dukcapil", "20261001")
    zone.deliver("dukcapil", "20261103T1200", "delta")
    zone.deliver("dtks", "20261201")
    extract.run()

    drops = extract.drops()
    assert drops["dtks.20261001"] == (
        "stale",
        "dtks.20261001: full drop older than dtks.20261101, already applied (not applied)",
    )
    assert drops["dukcapil.20261001"][0] == "stale"
    assert drops["dukcapil.20261103T1200"] == ("loaded", None)
    assert drops["dtks.20261201"] == ("loaded", None)
    assert extract.query("SELECT DISTINCT drop_id FROM work.raw_dtks_anggota") == [("20261201",)]


def test_drops_are_ordered_per_source_by_drop_id(extract: Extract) -> None:
    zone = extract.landing
    for drop_id, kind in [
        ("20261103", "delta"),
        ("20261101", "full"),
        ("20261102T0900", "delta"),
        ("20261102", "delta"),
    ]:
        zone.deliver("dukcapil", drop_id, kind)
    zone.deliver("dtks", "20261101")
    extract.run()
    order = extract.query("SELECT source || '.' || drop_id FROM work.drop ORDER BY apply_order")
    assert [key for (key,) in order] == [
        "dtks.20261101",
        "dukcapil.20261101",
        "dukcapil.20261102",
        "dukcapil.20261102T0900",
        "dukcapil.20261103",
    ]


def test_a_rejected_drop_is_looked_at_again_once_its_manifest_is_rewritten(extract: Extract) -> None:
    zone = extract.landing
    folder = zone.deliver("dtks", "20261101", edit_manifest=lambda m: m["files"][1].update(rows=99))
    first = extract.run()
    extract.publish_ledger()
    assert ledger(extract)[0][1] == "rejected"

    extract.run()  # untouched: skipped, the work area is still the first run's
    assert extract.query("SELECT run_id FROM work.run")[0][0] == first.run_id

    zone.rewrite_manifest(folder, lambda m: m["files"][1].update(rows=3))
    extract.run()
    assert extract.drops() == {"dtks.20261101": ("loaded", None)}


def test_reprocess_looks_at_an_untouched_drop_again(extract: Extract) -> None:
    zone = extract.landing
    folder = zone.deliver("dtks", "20261101")
    anggota = (folder / "anggota.csv").read_bytes()
    (folder / "anggota.csv").unlink()  # the agency forgot a file
    zone.deliver("p3ke", "20261101")
    extract.run()
    extract.publish_ledger()
    assert extract.drops()["dtks.20261101"][0] == "rejected"

    (folder / "anggota.csv").write_bytes(anggota)  # delivered later, manifest untouched
    extract.run()
    extract.publish_ledger()
    assert extract.query("SELECT count(*) FROM ops.drop_ledger")[0][0] == 2  # the night skipped it

    result = extract.run(reprocess=["dtks.20261101"])
    assert result.success
    assert extract.drops() == {"dtks.20261101": ("loaded", None)}  # p3ke stays untouched


def test_reprocess_of_an_applied_drop_is_a_duplicate(extract: Extract) -> None:
    extract.landing.deliver("dtks", "20261101")
    extract.run()
    extract.publish_ledger()
    extract.run(reprocess=["dtks.20261101"])
    assert extract.drops()["dtks.20261101"][0] == "duplicate"


def test_reprocess_of_an_unknown_drop_fails_the_run_before_writing(extract: Extract) -> None:
    extract.landing.deliver("dtks", "20261101")
    result = extract.run(reprocess=["dtks.2026110"], raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "reprocess: no complete drop dtks.2026110 in the landing zone" in failure.message
    assert not extract.warehouse.exists()


def test_a_manifest_rewritten_with_the_same_mtime_but_other_bytes_is_looked_at(extract: Extract) -> None:
    folder = extract.landing.deliver(
        "dtks", "20261101", edit_manifest=lambda m: m["files"][1].update(rows=99)
    )
    extract.run()
    extract.publish_ledger()
    manifest = folder / "manifest.json"
    stat = manifest.stat()
    fixed = json.loads(manifest.read_bytes())
    fixed["files"][1]["rows"] = 3
    manifest.write_bytes(json.dumps(fixed).encode())
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    extract.run()
    assert extract.drops() == {"dtks.20261101": ("loaded", None)}


def test_unknown_source_folders_are_ignored(extract: Extract) -> None:
    extract.landing.deliver("dtks", "20261101")
    stray = extract.landing.root / "bpjs" / "20261101"
    stray.mkdir(parents=True)
    (stray / "manifest.json").write_text("{}", encoding="utf-8")
    extract.run()
    assert set(extract.drops()) == {"dtks.20261101"}


def test_a_crashed_runs_work_area_is_replaced(extract: Extract) -> None:
    extract.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(extract.warehouse)) as con:
        reset_work(con, "crashed-run")
        con.execute("CREATE TABLE work.leftover AS SELECT 1 AS x")
    extract.landing.deliver("dtks", "20261101")
    result = extract.run()
    run_id = extract.query("SELECT run_id FROM work.run")[0][0]
    assert run_id == result.run_id
    assert not extract.query(
        "SELECT * FROM information_schema.tables WHERE table_schema = 'work' AND table_name = 'leftover'"
    )


@pytest.mark.parametrize("key", ["dtks.20261101"])
def test_each_drop_looked_at_becomes_a_partition_with_its_outcome(extract: Extract, key: str) -> None:
    extract.landing.deliver("dtks", "20261101")
    extract.landing.deliver("p3ke", "20261101", edit_manifest=lambda m: m.update(kind="delta"))
    result = extract.run()
    instance: dg.DagsterInstance = extract.instance
    assert set(instance.get_dynamic_partitions("drops")) == {key, "p3ke.20261101"}
    events = {
        e.partition: e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.partition
    }
    assert events[key]["status"].value == "loaded"
    assert events[key]["rows"].value == 6
    assert events[key]["files"].value == "keluarga.csv, anggota.csv"
    assert events["p3ke.20261101"]["status"].value == "rejected"
    assert "kind delta is not delivered by p3ke" in events["p3ke.20261101"]["reason"].value
    table = extract.landed_drops_metadata(result)["drops"]
    assert "| 1 | dtks.20261101 | full | loaded | 6 | 2 |  |" in table
