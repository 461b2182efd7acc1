"""Opening files of the landing zone without ever following a link out of it or blocking on a special file.

A landing zone is written by others. A symbolic link named ``anggota.csv`` could point at ``/etc/shadow`` or at
another agency's drop; a FIFO named ``manifest.json`` would block the reader forever; a device file never ends.
So a file is looked at with ``lstat`` (the link itself, never its target), opened with ``O_NOFOLLOW`` (a link
swapped in after the check fails to open) and ``O_NONBLOCK`` (a FIFO swapped in does not block the open), and
checked again on the open descriptor. Only regular files are ever read.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

DataSource = Path | BinaryIO
"""A file for a reader to decode: its path (tests, tools), or a handle :func:`open_regular` opened on it."""


class UnsafeFile(Exception):
    """A file that is not read, with why: ``reason`` completes a sentence starting with the file's name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def regular_file_size(path: Path) -> int:
    """The size of ``path`` when it is a regular file itself (not a link to one); else :class:`UnsafeFile`."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        raise UnsafeFile("missing") from None
    except (OSError, ValueError) as exc:  # ValueError: a name no file system takes (NUL, lone surrogate)
        raise UnsafeFile(f"cannot be looked up ({_why(exc)})") from None
    _require_regular(status)
    return status.st_size


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading in binary, only if it is a regular file reached without following a link."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise UnsafeFile("missing") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile("is a symbolic link (never followed)") from None
        raise UnsafeFile(f"cannot be opened ({_why(exc)})") from None
    except ValueError as exc:
        raise UnsafeFile(f"cannot be opened ({_why(exc)})") from None
    try:
        _require_regular(os.fstat(descriptor))
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


def read_regular(path: Path, max_bytes: int) -> bytes:
    """All of a small regular file (a manifest), refusing one larger than ``max_bytes`` without reading it all."""
    with open_regular(path) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafeFile(f"is larger than {max_bytes:,} bytes")
    return data


@contextmanager
def at_start(source: DataSource) -> Iterator[BinaryIO]:
    """``source`` as a binary stream at its start: opened (and closed) here for a path, rewound for a handle,
    which stays open for its owner (a reader may go through a file twice)."""
    if isinstance(source, Path):
        with open(source, "rb") as handle:
            yield handle
    else:
        source.seek(0)
        yield source


def is_real_folder(path: Path) -> bool:
    """A folder that is not a link to one (a linked folder could lead anywhere); False when it cannot be looked up."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _require_regular(status: os.stat_result) -> None:
    if stat.S_ISLNK(status.st_mode):
        raise UnsafeFile("is a symbolic link (never followed)")
    if not stat.S_ISREG(status.st_mode):
        raise UnsafeFile("is not a regular file (a folder, pipe, socket or device is never read)")


def _why(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__
