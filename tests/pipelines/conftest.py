"""Small landing zones for the automation tests: folders and manifests only (the sensor never reads data files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.landing import touch_later


class Landing:
    """A landing zone in a tmp dir, with the moves an agency makes: start an upload, finish it, redeliver."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def upload_started(self, source: str, drop_id: str) -> Path:
        """A drop folder with a data file but no manifest yet: still uploading."""
        folder = self.root / source / drop_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "keluarga.csv").write_text("ID_KELUARGA\n", encoding="utf-8")
        return folder

    def deliver(self, source: str, drop_id: str, kind: str = "full", note: str = "") -> Path:
        """Write the manifest (last, as agencies do); ``note`` changes its bytes for a redelivery."""
        folder = self.upload_started(source, drop_id)
        manifest = folder / "manifest.json"
        manifest.write_text(
            json.dumps({"source": source, "drop_id": drop_id, "kind": kind, "files": [], "note": note}),
            encoding="utf-8",
        )
        return manifest

    def touch_later(self, manifest: Path, seconds: int = 60) -> None:
        """Move a manifest's modification time forward, as a rewrite does (independent of clock resolution)."""
        touch_later(manifest, seconds)


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    root = tmp_path / "landing"
    root.mkdir()
    return Landing(root)
