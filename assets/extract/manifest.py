"""Reading a drop's ``manifest.json`` and the drop-level rules it alone can break (contract section 1).

Everything here is decided from the manifest bytes and the folder names, before any data file is opened, so a
malformed delivery is rejected without hashing gigabytes. Each failure raises :class:`DropRejected` with a
one-line reason naming the field or file and the rule.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from assets.extract.landing import DropFolder
from assets.extract.outcome import DropRejected
from sejahtera.sources import SOURCES, EntitySpec, SourceSpec

MANIFEST_FIELDS = ("source", "drop_id", "kind", "extracted_at", "files")
FILE_FIELDS = ("name", "entity", "rows", "sha256")
KINDS = ("full", "delta")
DROP_ID = re.compile(r"^(\d{8})(T\d{4})?$")
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
MAX_FILE_NAME_BYTES = 255
"""The longest file name Linux file systems hold; asking for a longer one raises ``OSError``, not "missing"."""


@dataclass(frozen=True)
class ManifestFile:
    name: str
    entity: str
    rows: int
    sha256: str
    """Lower-case hex."""


@dataclass(frozen=True)
class Manifest:
    source: str
    drop_id: str
    kind: str
    extracted_at: datetime
    files: tuple[ManifestFile, ...]

    @property
    def rows_in(self) -> int:
        """The drop's data rows as the agency counted them."""
        return sum(f.rows for f in self.files)


def parse_manifest(raw: bytes) -> Manifest:
    """The manifest's fields, typed; rejects a manifest that is not JSON or misses or mistypes a field."""
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DropRejected("manifest.json is not valid JSON") from None
    except RecursionError:
        raise DropRejected("manifest.json is nested too deeply to be a manifest") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits (CVE-2020-10735)
        raise DropRejected("manifest.json holds a number too long to read") from None
    if not isinstance(document, dict):
        raise DropRejected("manifest.json is not a JSON object")
    missing = [f for f in MANIFEST_FIELDS if f not in document or document[f] is None]
    if missing:
        raise DropRejected(f"manifest.json is missing field(s): {', '.join(missing)}")
    for name in ("source", "drop_id", "kind", "extracted_at"):
        if not isinstance(document[name], str) or not document[name].strip():
            raise DropRejected(f"manifest.json: field {name} must be a non-empty string")
    extracted_at = _timestamp(document["extracted_at"])
    files = document["files"]
    if not isinstance(files, list) or not files:
        raise DropRejected("manifest.json: field files must be a non-empty list")
    parsed = tuple(_file_entry(entry, position) for position, entry in enumerate(files, start=1))
    names = [f.name for f in parsed]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DropRejected(f"manifest.json lists file {_show(repeated[0])} more than once")
    return Manifest(
        source=document["source"],
        drop_id=document["drop_id"],
        kind=document["kind"],
        extracted_at=extracted_at,
        files=parsed,
    )


def check_manifest(manifest: Manifest, folder: DropFolder) -> SourceSpec:
    """The rules that relate the manifest to where it was delivered and to the source's declaration.

    Returns the source's adapter for the file checks that follow. Rows of every file are known by now, so a
    rejection here carries the drop's ``rows_in``.
    """
    rows_in = manifest.rows_in
    if manifest.source != folder.source:
        raise DropRejected(
            f"manifest.json names source {_show(manifest.source)} but the drop is in folder {folder.source}/",
            rows_in,
        )
    if manifest.drop_id != folder.drop_id:
        raise DropRejected(
            f"manifest.json names drop_id {_show(manifest.drop_id)} but the drop is in folder "
            f"{folder.source}/{_show(folder.drop_id, quoted=False)}/",
            rows_in,
        )
    if not is_valid_drop_id(manifest.drop_id):
        raise DropRejected(
            f"drop_id {_show(manifest.drop_id)} is not a valid YYYYMMDD or YYYYMMDDTHHMM timestamp", rows_in
        )
    source = SOURCES[folder.source]
    if manifest.kind not in KINDS:
        raise DropRejected(f"kind {_show(manifest.kind)} is unknown (expected full or delta)", rows_in)
    if manifest.kind not in source.kinds:
        raise DropRejected(
            f"kind {manifest.kind} is not delivered by {source.name} "
            f"(only {' or '.join(sorted(source.kinds))} drops)",
            rows_in,
        )
    for entry in manifest.files:
        if not is_safe_file_name(entry.name):
            raise DropRejected(f"file name {_show(entry.name)} holds a path separator or '..'", rows_in)
        if len(entry.name.encode("utf-8", "surrogatepass")) > MAX_FILE_NAME_BYTES:
            raise DropRejected(
                f"file name {_show(entry.name)} is longer than {MAX_FILE_NAME_BYTES} bytes (no file system holds it)",
                rows_in,
            )
        if source.entity(manifest.kind, entry.entity) is None:
            raise DropRejected(
                f"{entry.name}: entity {_show(entry.entity)} is unknown for {source.name} {manifest.kind} drops "
                f"(expected {', '.join(e.entity for e in source.entities_by_kind[manifest.kind])})",
                rows_in,
            )
    delivered = {entry.entity for entry in manifest.files}
    absent = [e.entity for e in source.entities_by_kind[manifest.kind] if e.entity not in delivered]
    if absent:
        raise DropRejected(
            f"entity {', '.join(absent)} absent: a {manifest.kind} {source.name} drop must hold "
            f"{', '.join(e.entity for e in source.entities_by_kind[manifest.kind])}",
            rows_in,
        )
    return source


def entity_of(source: SourceSpec, manifest: Manifest, entry: ManifestFile) -> EntitySpec:
    """The declaration of a listed file's entity (only after :func:`check_manifest` accepted the manifest)."""
    spec = source.entity(manifest.kind, entry.entity)
    assert spec is not None, "check_manifest accepts only declared entities"
    return spec


def is_valid_drop_id(drop_id: str) -> bool:
    """``YYYYMMDD`` or ``YYYYMMDDTHHMM`` naming a real day and time: the form that sorts in delivery order."""
    match = DROP_ID.match(drop_id)
    if not match:
        return False
    try:
        datetime.strptime(drop_id, "%Y%m%dT%H%M" if match.group(2) else "%Y%m%d")
    except ValueError:
        return False
    return True


def is_safe_file_name(name: str) -> bool:
    """A plain name inside the drop folder: no separator, no ``..``, nothing that could reach another folder."""
    return (
        bool(name)
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and ".." not in name
        and "\x00" not in name
        and not re.match(r"^[A-Za-z]:", name)
    )


def _file_entry(entry: object, position: int) -> ManifestFile:
    if not isinstance(entry, dict):
        raise DropRejected(f"manifest.json: file #{position} is not a JSON object")
    missing = [f for f in FILE_FIELDS if f not in entry or entry[f] is None]
    if missing:
        raise DropRejected(f"manifest.json: file #{position} is missing field(s): {', '.join(missing)}")
    name, entity, rows, sha256 = (entry[f] for f in FILE_FIELDS)
    if not isinstance(name, str) or not isinstance(entity, str):
        raise DropRejected(f"manifest.json: file #{position}: name and entity must be strings")
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise DropRejected(f"manifest.json: file {_show(name)}: rows must be a non-negative integer")
    if not isinstance(sha256, str) or not SHA256.match(sha256):
        raise DropRejected(f"manifest.json: file {_show(name)}: sha256 must be 64 hexadecimal digits")
    return ManifestFile(name=name, entity=entity, rows=rows, sha256=sha256.lower())


def _timestamp(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise DropRejected(
            f"manifest.json: extracted_at {_show(text)} is not an ISO 8601 timestamp"
        ) from None


def _show(value: object, *, quoted: bool = True, limit: int = 40) -> str:
    """A manifest value fit for a one-line reason: short, printable, never a multi-line surprise."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return f"'{text}'" if quoted else text
