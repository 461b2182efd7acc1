"""Extract speed: a synthetic DTKS drop (1 M anggota rows, 250 k keluarga rows) through the real code path.

Prints the decode rate of the anggota file alone, then the rate of the whole ``landed_drops`` asset (scan,
sha256, strict CSV pass, PyArrow decode, DuckDB load, row-accounting check), and the process's peak memory.
The file is written here with PyArrow (the demo generator is not needed): BOM, ``;``-separated, every value
quoted, and one address in a thousand holding a line break inside its quotes.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets.extract import asset_checks, asset_defs  # noqa: E402
from assets.extract.csv_reader import read_csv_file  # noqa: E402
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource  # noqa: E402
from sejahtera.sources import SOURCES  # noqa: E402

ANGGOTA_ROWS = 1_000_000
KELUARGA_ROWS = 250_000
NAMES = ["SITI AMINAH", "MUHAMMAD RIZKI", "NURHAYATI", "AHMAD", "DEWI LESTARI", "BUDI SANTOSO", "PUTU ARIANI"]
PLACES = ["BOGOR", "JAKARTA", "BANDUNG", "SURABAYA", "MAKASSAR", "KUPANG"]


def padded(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, pa.scalar(""))


def pick(rng: np.random.Generator, values: list[str], n: int) -> pa.Array:
    return pa.array(np.array(values)[rng.integers(0, len(values), n)])


def dates(rng: np.random.Generator, n: int) -> pa.Array:
    days = pa.array(rng.integers(-20_000, 19_000, n).astype("datetime64[D]"))
    return pc.strftime(days.cast(pa.timestamp("s")), format="%d-%m-%Y")


def anggota(rng: np.random.Generator, n: int) -> pa.Table:
    addresses = pick(rng, PLACES, n)
    with_break = rng.random(n) < 0.001
    addresses = pc.if_else(
        pa.array(with_break), pc.binary_join_element_wise(addresses, "KAB.", "\n"), addresses
    )
    return pa.table(
        {
            "ID_ART": padded("ART", np.arange(n), 9),
            "ID_KELUARGA": padded("KEL", np.arange(n) // 4, 9),
            "NIK": padded("3201", rng.integers(10**11, 10**12, n), 12),
            "NAMA": pick(rng, NAMES, n),
            "JNS_KEL": pick(rng, ["LAKI-LAKI", "PEREMPUAN"], n),
            "TMP_LAHIR": addresses,
            "TGL_LAHIR": dates(rng, n),
            "HUB_KEL": pa.array(rng.integers(1, 9, n)).cast(pa.string()),
            "DISABILITAS": pick(rng, ["Y", "T", "T", "T"], n),
        }
    )


def keluarga(rng: np.random.Generator, n: int) -> pa.Table:
    return pa.table(
        {
            "ID_KELUARGA": padded("KEL", np.arange(n), 9),
            "NO_KK": padded("3201", rng.integers(10**11, 10**12, n), 12),
            "KODE_WILAYAH": pick(rng, ["3201012001", "3201012002", "3273010001"], n),
            "ALAMAT": pick(rng, ["JL. MELATI NO. 1", "GG. MAWAR", "DUSUN KRAJAN"], n),
            "RT": pick(rng, ["001", "002", "013"], n),
            "RW": pick(rng, ["001", "004"], n),
            "PENERIMA_PKH": pick(rng, ["Y", "T"], n),
            "PENERIMA_BPNT": pick(rng, ["Y", "T"], n),
            "PENERIMA_PBI": pick(rng, ["Y", "T"], n),
            "TGL_UPDATE": dates(rng, n),
        }
    )


def write_csv(table: pa.Table, path: Path) -> dict:
    with open(path, "wb") as sink:
        sink.write("\ufeff".encode())
        pacsv.write_csv(table, sink, pacsv.WriteOptions(delimiter=";", quoting_style="all_valid"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"name": path.name, "entity": path.stem, "rows": table.num_rows, "sha256": digest}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory(prefix="extract_bench_") as tmp:
        folder = Path(tmp) / "landing" / "dtks" / "20261101"
        folder.mkdir(parents=True)
        files = [
            write_csv(keluarga(rng, KELUARGA_ROWS), folder / "keluarga.csv"),
            write_csv(anggota(rng, ANGGOTA_ROWS), folder / "anggota.csv"),
        ]
        manifest = {
            "source": "dtks",
            "drop_id": "20261101",
            "kind": "full",
            "extracted_at": "2026-11-01T18:00:00+07:00",
            "files": files,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        size_mb = (folder / "anggota.csv").stat().st_size / 1e6
        print(f"anggota.csv: {ANGGOTA_ROWS:,} rows, {size_mb:.0f} MB; keluarga.csv: {KELUARGA_ROWS:,} rows")
        print(f"peak memory after writing the files: {peak_mb():,.0f} MB")

        spec = SOURCES["dtks"].entity("full", "anggota")
        started = time.perf_counter()
        table = read_csv_file(folder / "anggota.csv", "anggota.csv", spec)
        seconds = time.perf_counter() - started
        assert table.num_rows == ANGGOTA_ROWS
        del table
        print(
            f"decode anggota.csv (strict pass + PyArrow): {seconds:.2f} s, {ANGGOTA_ROWS / seconds:,.0f} rows/s"
        )

        rows = ANGGOTA_ROWS + KELUARGA_ROWS
        started = time.perf_counter()
        result = dg.materialize(
            [*asset_defs, *asset_checks],
            resources={
                "warehouse": WarehouseResource(path=str(Path(tmp) / "warehouse.duckdb")),
                "landing": LandingZoneResource(root=str(Path(tmp) / "landing")),
                "rules": RulesResource(),
            },
            instance=dg.DagsterInstance.ephemeral(),
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        seconds = time.perf_counter() - started
        assert result.success
        assert all(check.passed for check in result.get_asset_check_evaluations())
        print(
            f"landed_drops + row-accounting check, whole drop ({rows:,} rows): {seconds:.2f} s, "
            f"{rows / seconds:,.0f} rows/s"
        )
        print(f"peak memory of the process: {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
