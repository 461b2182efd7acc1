"""Finding complete drops in the landing zone, cheaply enough for a sensor tick.

A drop is complete when its ``manifest.json`` exists: agencies write it last, so a folder without one is still
uploading and is left alone. The scan only lists folders and stats manifests (no hashing, no reading of data
files), because the drop sensor calls it every tick; integrity is checked later, in the run.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from assets.extract.partitions import drop_key
from assets.extract.safe_files import is_real_folder
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
    quiet night otherwise). A source or drop folder that is a symbolic link is ignored with a warning: following
    it could read anything on the machine as if an agency had delivered it.
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
        if not is_real_folder(source_dir):
            log.warning("landing zone: ignoring %s/: a symbolic link (never followed)", source_dir.name)
            continue
        try:
            drop_dirs = sorted(p for p in source_dir.iterdir() if p.is_dir())
        except OSError as exc:  # unreadable: said, and the other sources are still scanned
            log.warning(
                "landing zone: cannot list %s/ (%s)", source_dir.name, exc.strerror or type(exc).__name__
            )
            continue
        for drop_dir in drop_dirs:
            if not is_real_folder(drop_dir):
                log.warning(
                    "landing zone: ignoring %s/%r: a symbolic link (never followed)",
                    source_dir.name,
                    drop_dir.name,
                )
                continue
            manifest = drop_dir / MANIFEST
            try:
                # lstat: a manifest that is a link or a FIFO is found (and rejected with its reason), never followed
                status = os.lstat(manifest)
            except (FileNotFoundError, NotADirectoryError):
                continue  # still uploading
            except OSError as exc:
                log.warning(
                    "landing zone: ignoring %s/%r: its manifest cannot be looked up (%s)",
                    source_dir.name,
                    drop_dir.name,
                    exc.strerror or type(exc).__name__,
                )
                continue
            found.append(
                DropFolder(
                    source=source_dir.name,
                    drop_id=drop_dir.name,
                    path=drop_dir,
                    manifest_path=manifest,
                    manifest_mtime_ns=status.st_mtime_ns,
                    manifest_size=status.st_size,
                )
            )
    return found
