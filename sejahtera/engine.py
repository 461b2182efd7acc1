"""How much of the machine DuckDB may use: memory limit, threads and the folder it spills to.

DuckDB's defaults suit a database used alone: 80 % of the machine's memory and, for a connection that is not a
file (the warehouse is attached to an in-memory connection, scratch databases are in memory), a ``.tmp`` folder
in whatever the current directory is. The pipeline runs DuckDB beside Python, pandas, Great Expectations and
Splink in one process, so the limit is lower by default and spilling goes to a known folder: a large night
spills to disk instead of failing or being killed. Every DuckDB connection the pipeline opens is configured here.

| variable | default |
|---|---|
| ``SEJAHTERA_DUCKDB_MEMORY_LIMIT`` | half the machine's memory, e.g. ``12GB`` on 24 GB |
| ``SEJAHTERA_DUCKDB_THREADS`` | the machine's cores |
| ``SEJAHTERA_DUCKDB_TEMP_DIR`` | ``sejahtera-duckdb`` in the system's temporary folder |
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

MEMORY_LIMIT_ENV = "SEJAHTERA_DUCKDB_MEMORY_LIMIT"
THREADS_ENV = "SEJAHTERA_DUCKDB_THREADS"
TEMP_DIR_ENV = "SEJAHTERA_DUCKDB_TEMP_DIR"


def duckdb_config() -> dict[str, str]:
    """The settings every connection is opened with, read from the environment at each call."""
    temp_dir = Path(
        os.environ.get(TEMP_DIR_ENV, "").strip() or Path(tempfile.gettempdir()) / "sejahtera-duckdb"
    )
    temp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return {
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV, "").strip() or _half_the_memory(),
        "threads": os.environ.get(THREADS_ENV, "").strip() or str(os.cpu_count() or 1),
        "temp_directory": str(temp_dir),
    }


def connect_memory() -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with :func:`duckdb_config`."""
    return duckdb.connect(config=duckdb_config())


def _half_the_memory() -> str:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(total // 2 // 1024**2, 256)}MB"
