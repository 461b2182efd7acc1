"""The landing-zone scan the drop sensor calls every tick: complete drops only, cheap, and a signature that moves."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from support.extract_harness import LandingZone

from assets.extract.landing import scan


def test_scan_finds_complete_drops_in_delivery_order(landing_zone: LandingZone) -> None:
    landing_zone.deliver("dukcapil", "20261102", "delta")
    landing_zone.deliver("dukcapil", "20261101T0900", "delta")
    landing_zone.deliver("dtks", "20261101")
    found = scan(landing_zone.root)
    assert [d.key for d in found] == ["dtks.20261101", "dukcapil.20261101T0900", "dukcapil.20261102"]
    drop = found[0]
    assert (drop.source, drop.drop_id) == ("dtks", "20261101")
    assert drop.path == landing_zone.root / "dtks" / "20261101"
    assert drop.manifest_path == drop.path / "manifest.json"
    assert drop.manifest_mtime_ns == drop.manifest_path.stat().st_mtime_ns


def test_a_folder_without_manifest_is_still_uploading(landing_zone: LandingZone) -> None:
    folder = landing_zone.root / "p3ke" / "20261101"
    folder.mkdir(parents=True)
    (folder / "keluarga.csv.gz").write_bytes(b"partial")
    assert scan(landing_zone.root) == []


def test_unknown_sources_are_ignored_with_a_warning(landing_zone: LandingZone, caplog) -> None:
    stray = landing_zone.root / "bpjs" / "20261101"
    stray.mkdir(parents=True)
    (stray / "manifest.json").write_text("{}", encoding="utf-8")
    (landing_zone.root / "README.txt").write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert scan(landing_zone.root) == []
    assert "ignoring folder 'bpjs': not a known source" in caplog.text


def test_missing_landing_zone_is_empty_with_a_warning(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        assert scan(tmp_path / "nowhere") == []
    assert "nowhere is not a folder: no drops to look at" in caplog.text


def test_signature_changes_when_the_manifest_is_rewritten(landing_zone: LandingZone) -> None:
    folder = landing_zone.deliver("dtks", "20261101")
    before = scan(landing_zone.root)[0].signature
    assert scan(landing_zone.root)[0].signature == before  # stable while untouched

    landing_zone.rewrite_manifest(folder)  # same bytes, later mtime
    touched = scan(landing_zone.root)[0].signature
    assert touched != before

    manifest = folder / "manifest.json"
    stat = manifest.stat()
    manifest.write_bytes(manifest.read_bytes() + b"\n")  # longer, same mtime
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert scan(landing_zone.root)[0].signature != touched
