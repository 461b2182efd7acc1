"""Validation speed: a DTKS drop with a 1 M-row anggota file (and 250 k keluarga rows) through the real gate.

The raw tables are filled the way ``landed_drops`` leaves them (VARCHAR columns, lineage first), straight in
DuckDB: this measures validation, not CSV decoding (``extract_bench.py`` does that). About 0.5 % of rows carry
a defect (bad dates, codes, control characters, repeated ids, unknown regions, members without a household),
and NIKs carry the usual noise (blank, malformed, mismatched). Prints, for the anggota file alone and for the
whole drop: rows per second; then the process's peak memory. The bar: >= 100 k rows/s on 2 cores.

``python benchmarks/validate_bench.py [anggota_rows]``
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets.extract.bookkeeping import create_drop_tables  # noqa: E402
from assets.extract.raw_tables import create_raw_tables  # noqa: E402
from assets.validate import gate as gate_module  # noqa: E402
from assets.validate.gx_runner import GxRunner, data_docs_root  # noqa: E402
from assets.validate.suites import EXPECTATIONS_DIR  # noqa: E402
from sejahtera import warehouse  # noqa: E402
from sejahtera.reference import region_codes  # noqa: E402

ANGGOTA_ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
KELUARGA_ROWS = ANGGOTA_ROWS // 4
TODAY = dt.date(2026, 11, 27)

FILL_KELUARGA = """
INSERT INTO work.raw_dtks_keluarga
SELECT 'dtks', '20261115', 'keluarga.csv', i + 1,
       CASE WHEN i % 997 = 5 THEN 'K' || lpad(CAST(i - 1 AS VARCHAR), 8, '0')
            ELSE 'K' || lpad(CAST(i AS VARCHAR), 8, '0') END,
       v.kode[1:6] || lpad(CAST(i % 9000 + 1 AS VARCHAR), 10, '0'),
       CASE WHEN i % 1009 = 7 THEN '9999999999' ELSE v.kode END,
       CASE WHEN i % 1013 = 3 THEN 'JL. MAWAR' || chr(7) ELSE 'JL. MAWAR NO. ' || i END,
       lpad(CAST(i % 20 AS VARCHAR), 3, '0'), lpad(CAST(i % 9 AS VARCHAR), 3, '0'),
       CASE WHEN i % 3 = 0 THEN 'Y' ELSE 'T' END, 'T', CASE WHEN i % 1019 = 1 THEN 'N' ELSE 'Y' END,
       CASE WHEN i % 1021 = 9 THEN '31-02-2026' ELSE '15-10-2026' END
FROM range($n) AS t(i)
JOIN villages AS v ON v.pos = i % $villages
"""

FILL_ANGGOTA = """
INSERT INTO work.raw_dtks_anggota
SELECT 'dtks', '20261115', 'anggota.csv', i + 1,
       CASE WHEN i % 1031 = 11 THEN 'A' || lpad(CAST(i - 1 AS VARCHAR), 9, '0')
            ELSE 'A' || lpad(CAST(i AS VARCHAR), 9, '0') END,
       CASE WHEN i % 1033 = 13 THEN 'K99999999' ELSE 'K' || lpad(CAST(i // 4 AS VARCHAR), 8, '0') END,
       CASE WHEN i % 50 = 0 THEN NULL
            WHEN i % 53 = 0 THEN '0000000000000000'
            ELSE d.kode || lpad(CAST(b.day + CASE WHEN i % 2 = 1 THEN 40 ELSE 0 END AS VARCHAR), 2, '0')
                 || strftime(b.born, '%m%y') || lpad(CAST(i % 9999 + 1 AS VARCHAR), 4, '0') END,
       CASE WHEN i % 1039 = 17 THEN 'SITI' || chr(27) || 'AMINAH' ELSE 'SITI AMINAH' END,
       CASE WHEN i % 1049 = 19 THEN 'X' WHEN i % 2 = 1 THEN 'PEREMPUAN' ELSE 'LAKI-LAKI' END,
       'BOGOR',
       CASE WHEN i % 1051 = 23 THEN '30-02-1980' WHEN i % 1061 = 29 THEN '01-01-2062'
            ELSE strftime(b.born, '%d-%m-%Y') END,
       CASE WHEN i % 1063 = 31 THEN '9' ELSE CAST(i % 8 + 1 AS VARCHAR) END,
       CASE WHEN i % 10 = 0 THEN 'Y' ELSE 'T' END
FROM range($n) AS t(i)
JOIN districts AS d ON d.pos = i % $districts
JOIN (SELECT j, DATE '1940-01-01' + CAST(j * 7 AS INTEGER) AS born, day(DATE '1940-01-01' + CAST(j * 7 AS INTEGER)) AS day
      FROM range(3600) AS s(j)) AS b ON b.j = i % 3600
"""


def build(path: Path) -> None:
    codes = region_codes()
    with warehouse.connect(path) as con:
        warehouse.reset_work(con, "bench")
        create_drop_tables(con)
        create_raw_tables(con)
        con.execute(
            "CREATE TEMP TABLE villages AS SELECT row_number() OVER () - 1 AS pos, kode FROM "
            "(SELECT unnest(?) AS kode)",
            [sorted(codes.villages)[:5000]],
        )
        con.execute(
            "CREATE TEMP TABLE districts AS SELECT row_number() OVER () - 1 AS pos, kode FROM "
            "(SELECT unnest(?) AS kode)",
            [sorted(codes.districts)[:2000]],
        )
        con.execute(FILL_KELUARGA, {"n": KELUARGA_ROWS, "villages": 5000})
        con.execute(FILL_ANGGOTA, {"n": ANGGOTA_ROWS, "districts": 2000})
        con.execute(
            "INSERT INTO work.drop VALUES ('dtks', '20261115', 'full', 'loaded', NULL, ?, NULL, NULL, now(), "
            "'0', 1, 1)",
            [ANGGOTA_ROWS + KELUARGA_ROWS],
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warehouse" / "bench.duckdb"
        started = time.perf_counter()
        build(path)
        print(
            f"raw tables: {KELUARGA_ROWS:,} keluarga + {ANGGOTA_ROWS:,} anggota rows in {time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        import great_expectations  # noqa: F401  (the one-off import cost, reported apart)

        print(f"import great_expectations: {time.perf_counter() - started:.1f} s (once per process)")

        timings: dict[str, float] = {}
        original = gate_module.Gate._validate_entity

        def timed(self, frame, drop_id):
            t0 = time.perf_counter()
            result = original(self, frame, drop_id)
            timings[frame.suite_name] = time.perf_counter() - t0
            return result

        gate_module.Gate._validate_entity = timed
        runner = GxRunner(EXPECTATIONS_DIR, data_docs_root(path), TODAY)
        started = time.perf_counter()
        cpu_started = time.process_time()
        with warehouse.connect(path) as con, warehouse.transaction(con):
            [verdict] = gate_module.Gate(
                con, runner, max_failing_row_share=0.2, run_id="bench", today=TODAY
            ).run()
        runner.build_index()
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        anggota = timings["dtks.anggota"]
        print(
            f"anggota file: {ANGGOTA_ROWS:,} rows validated in {anggota:.1f} s = {ANGGOTA_ROWS / anggota:,.0f} rows/s "
            "(frame in DuckDB, GX suite, quarantine with details, Data Docs)"
        )
        rows = ANGGOTA_ROWS + KELUARGA_ROWS
        print(
            f"whole drop: {rows:,} rows in {total:.1f} s = {rows / total:,.0f} rows/s "
            f"(both files, typed accepted rows, ledger); {verdict.status}, {verdict.rows_quarantined:,} rows quarantined "
            f"({verdict.failing_share:.2%})"
        )
        print(
            f"CPU time of the whole drop: {cpu:.1f} s (all threads; wall time above includes waiting for the "
            f"cores when other processes run: load average {os.getloadavg()[0]:.1f})"
        )
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak memory (process RSS): {peak_kib / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
