"""Finding complete drops in the landing zone, cheaply enough for a sensor tick.

A drop is complete when its ``manifest.json`` exists: agencies write it last, so a folder without one is still
uploading and is left alone. The scan only lists folders and stats manifests (no hashing, no reading of data
files), because the drop sensor calls it every tick; integrity is checked later, in the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from assets.extract.partitions import drop_key
from sejahtera.sources import SOURCES

MANIFEST = "manifest.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DropFolder:
    """One ``<source>/<drop_id>/`` folder holding a manifest, as found on disk (nothing validated yet)."""

    source: str
    drop_id: str
    path: Path
    manifest_path: Path
    manifest_mtime_ns: int
    manifest_size: int

    @property
    def key(self) -> str:
        """The drop's name everywhere: partition key, ``reprocess`` config, log lines."""
        return drop_key(self.source, self.drop_id)

    @property
    def signature(self) -> str:
        """Changes whenever the manifest is rewritten, so a sensor cursor notices a redelivered drop.

        Modification time alone would miss a rewrite within the file system's timestamp granularity that changed
        the manifest's length; size alone would miss an edit of equal length. Together they are cheap and enough.
        """
        return f"{self.manifest_mtime_ns}:{self.manifest_size}"


def scan(root: Path) -> list[DropFolder]:
    """Every complete drop folder under ``root``, sorted by source then ``drop_id`` (delivery order).

    Folders of an unknown source are ignored with a warning (a typo or a new agency nobody declared yet);
    a missing landing zone is an empty one, said in a warning (a mistyped ``SEJAHTERA_LANDING`` looks like a
    quiet night otherwise).
    """
    root = Path(root)
    if not root.is_dir():
        log.warning("landing zone %s is not a folder: no drops to look at", root)
        return []
    found: list[DropFolder] = []
    for source_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if source_dir.name not in SOURCES:
            if not source_dir.name.startswith("."):
                log.warning("landing zone: ignoring folder %r: not a known source", source_dir.name)
            continue
        for drop_dir in sorted(p for p in source_dir.iterdir() if p.is_dir()):
            manifest = drop_dir / MANIFEST
            try:
                stat = manifest.stat()
            except (FileNotFoundError, NotADirectoryError):
                continue  # still uploading
            found.append(
                DropFolder(
                    source=source_dir.name,
                    drop_id=drop_dir.name,
                    path=drop_dir,
                    manifest_path=manifest,
                    manifest_mtime_ns=stat.st_mtime_ns,
                    manifest_size=stat.st_size,
                )
            )
    return found
