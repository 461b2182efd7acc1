"""Registry stage benchmark: how well the welfare score recovers the generator's true welfare, and publish time.

For each size (default 100 000 households, default noise, seed 42):

1. ``sejahtera generate`` into a tmp folder (or ``--landing DIR`` to reuse one);
2. the registry's inputs are built from the generated files and the ground truth with PERFECT linkage (every
   accepted record carries its true person and household; defective rows left out, as the gate would): this
   isolates the registry stage from linkage quality, which ``linkage_bench.py`` measures;
3. the registry steps run on a tmp warehouse, each timed: survivorship, welfare ranking with eligibility,
   targeting errors, and the one atomic publish (first run: empty warehouse; second run: the same data again, so
   history and changelog compare against a published registry of that size);
4. Spearman correlation between ``registry.household.welfare_score`` and ``households.parquet`` ``welfare``, over
   all ranked households and per ``welfare_source`` (aim >= 0.8; the PMT is not tuned to this generator).

``--pipeline`` instead runs the whole nightly job (extract, validate, reconcile, registry) on the landing zone
and scores the registry households it publishes (mapped to true households through their members' NIKs).
``python benchmarks/registry_bench.py 10000`` runs one size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from sejahtera import warehouse  # noqa: E402
from sejahtera.sources import SOURCES  # noqa: E402
from sejahtera.warehouse import Publication  # noqa: E402

LINEAGE = "source VARCHAR, drop_id VARCHAR, file VARCHAR, row_number BIGINT"


def generate(out: Path, households: int, seed: int) -> None:
    from sejahtera.generate import generate_landing_zone

    started = time.perf_counter()
    generate_landing_zone(out=out, households=households, seed=seed)
    print(f"  generated {households:,} households in {time.perf_counter() - started:.1f} s", flush=True)


def _drop(landing: Path, source: str, kind_file: str) -> Path:
    found = sorted(landing.glob(f"{source}/*/{kind_file}"))
    if not found:
        raise SystemExit(f"no {source} {kind_file} under {landing}")
    return found[-1]


def _csv(path: Path, sep: str) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [c.lower() for c in frame.columns]
    frame.insert(0, "row_number", range(1, len(frame) + 1))
    return frame.replace({"": None})


def _parquet(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame.insert(0, "row_number", range(1, len(frame) + 1))
    return frame


def build_inputs(con: duckdb.DuckDBPyConnection, landing: Path, run_id: str) -> None:
    """The upstream work tables of docs/architecture.md, from the files and the ground truth (perfect linkage)."""
    truth = landing / "ground_truth"
    warehouse.reset_work(con, run_id)
    for spec in SOURCES.values():
        for entity in spec.all_entities:
            columns = ", ".join(f"{c.key} {c.snapshot_type}" for c in entity.columns)
            con.execute(f"CREATE TABLE work.snapshot_{spec.table(entity.entity)} ({LINEAGE}, {columns})")
    con.register("defects", pd.read_parquet(truth / "row_defects.parquet"))
    con.execute("CREATE TEMP TABLE defect AS SELECT DISTINCT source, file, row_number FROM defects")

    def load(table: str, frame: pd.DataFrame, path: Path, select: str) -> None:
        con.register("frame", frame)
        con.execute(
            f"INSERT INTO work.snapshot_{table} BY NAME SELECT ? AS source, ? AS drop_id, ? AS file, "
            f"f.row_number, {select} FROM frame AS f WHERE NOT EXISTS (SELECT 1 FROM defect AS d "
            "WHERE d.source = ? AND d.file = ? AND d.row_number = f.row_number)",
            [table.split("_")[0], path.parent.name, path.name, table.split("_")[0], path.name],
        )
        con.unregister("frame")

    rt = _drop(landing, "regsosek", "rumah_tangga.parquet")
    load("regsosek_rumah_tangga", _parquet(rt), rt, "f.* EXCLUDE (row_number)")
    ind = _drop(landing, "regsosek", "individu.parquet")
    load("regsosek_individu", _parquet(ind), ind, "f.* EXCLUDE (row_number)")
    kel = _drop(landing, "dtks", "keluarga.csv")
    load(
        "dtks_keluarga",
        _csv(kel, ";"),
        kel,
        "f.id_keluarga, f.no_kk, f.kode_wilayah, f.penerima_pkh = 'Y' AS penerima_pkh, "
        "f.penerima_bpnt = 'Y' AS penerima_bpnt, f.penerima_pbi = 'Y' AS penerima_pbi, "
        "try_strptime(f.tgl_update, '%d-%m-%Y')::DATE AS tgl_update",
    )
    ang = _drop(landing, "dtks", "anggota.csv")
    load("dtks_anggota", _csv(ang, ";"), ang, "f.id_art, f.id_keluarga, f.nik, f.nama")
    pk = _drop(landing, "p3ke", "keluarga.csv.gz")
    load(
        "p3ke_keluarga",
        _csv(pk, ","),
        pk,
        "f.id_keluarga_p3ke, f.no_kk, f.kode_kemendagri, TRY_CAST(f.desil_kesejahteraan AS INTEGER) AS "
        "desil_kesejahteraan, f.status_miskin_ekstrem = 'Ya' AS status_miskin_ekstrem, f.penerima_program",
    )
    pi = _drop(landing, "p3ke", "individu.csv.gz")
    load("p3ke_individu", _csv(pi, ","), pi, "f.id_individu_p3ke, f.id_keluarga_p3ke, f.nik, f.nama")

    con.register("t_persons", pd.read_parquet(truth / "persons.parquet"))
    con.register("t_households", pd.read_parquet(truth / "households.parquet"))
    con.register("t_person_records", pd.read_parquet(truth / "person_records.parquet"))
    con.register("t_household_records", pd.read_parquet(truth / "household_records.parquet"))
    con.execute(
        """
        CREATE TABLE work.person_resolved AS
        SELECT 'P' || lpad(CAST(true_person_id AS VARCHAR), 9, '0') AS person_id,
               'H' || lpad(CAST(true_household_id AS VARCHAR), 9, '0') AS household_id,
               nik, 'padan' AS nik_status
        FROM t_persons
        """
    )
    con.execute(
        """
        CREATE TABLE work.person_record AS
        SELECT 'dukcapil' AS source, '20261127' AS drop_id, 'penduduk.parquet' AS file,
               row_number() OVER (ORDER BY p.true_person_id) AS row_number, p.nik AS source_record_id,
               h.no_kk AS source_household_id, p.nik, NULL AS nik_problem, 'WARGA' AS nama, 'WARGA' AS nama_raw,
               NULL AS gelar, p.sex AS jenis_kelamin, CAST(p.birth_date AS DATE) AS tanggal_lahir,
               NULL::INTEGER AS hubungan, h.no_kk, p.kode_wilayah, NULL AS alamat,
               CASE WHEN p.alive THEN 'HIDUP' ELSE 'MATI' END AS status_hidup,
               CAST(p.death_date AS DATE) AS tanggal_meninggal, DATE '2026-11-27' AS observed_at,
               'P' || lpad(CAST(p.true_person_id AS VARCHAR), 9, '0') AS person_id,
               'truth' AS match_method, 1.0 AS match_probability
        FROM t_persons AS p JOIN t_households AS h USING (true_household_id)
        UNION ALL BY NAME
        SELECT r.source, r.drop_id, r.file, r.row_number, r.source_record_id,
               coalesce(i.id_rt, a.id_keluarga, q.id_keluarga_p3ke) AS source_household_id,
               'WARGA' AS nama, DATE '2026-09-15' AS observed_at,
               'P' || lpad(CAST(r.true_person_id AS VARCHAR), 9, '0') AS person_id, 'truth' AS match_method
        FROM t_person_records AS r
        LEFT JOIN work.snapshot_regsosek_individu AS i ON r.source = 'regsosek' AND i.row_number = r.row_number
        LEFT JOIN work.snapshot_dtks_anggota AS a ON r.source = 'dtks' AND a.row_number = r.row_number
        LEFT JOIN work.snapshot_p3ke_individu AS q ON r.source = 'p3ke' AND q.row_number = r.row_number
        WHERE r.source <> 'dukcapil' AND coalesce(i.id_art, a.id_art, q.id_individu_p3ke) IS NOT NULL
        """
    )
    con.execute(
        """
        CREATE TABLE work.household_record AS
        SELECT r.source, r.drop_id, r.file, r.row_number, r.source_record_id,
               coalesce(k.no_kk, t.no_kk, p.no_kk) AS no_kk,
               coalesce(k.kode_wilayah, t.kode_desa, replace(p.kode_kemendagri, '.', '')) AS kode_wilayah,
               NULL AS alamat,
               coalesce(k.tgl_update, t.tanggal_pencacahan, DATE '2026-10-01') AS observed_at,
               'H' || lpad(CAST(r.true_household_id AS VARCHAR), 9, '0') AS household_id,
               'truth' AS match_method, 1.0 AS match_probability
        FROM t_household_records AS r
        LEFT JOIN work.snapshot_dtks_keluarga AS k ON r.source = 'dtks' AND k.row_number = r.row_number
        LEFT JOIN work.snapshot_regsosek_rumah_tangga AS t ON r.source = 'regsosek' AND t.row_number = r.row_number
        LEFT JOIN work.snapshot_p3ke_keluarga AS p ON r.source = 'p3ke' AND p.row_number = r.row_number
        WHERE coalesce(k.id_keluarga, t.id_rt, p.id_keluarga_p3ke) IS NOT NULL
        """
    )
    con.execute(
        """
        CREATE TABLE work.source_link AS
        SELECT source, drop_id, 'person' AS entity, source_record_id, person_id AS registry_id, match_method,
               1.0 AS match_probability FROM work.person_record
        UNION ALL
        SELECT source, drop_id, 'household', source_record_id, household_id, match_method, 1.0
        FROM work.household_record
        """
    )
    con.execute(
        "CREATE TABLE work.ledger AS SELECT 'bench' AS source, '20261127' AS drop_id, 'full' AS kind, "
        "'applied' AS status, NULL AS reason, 0 AS rows_in, 0 AS rows_loaded, 0 AS rows_quarantined, "
        "now() AS processed_at, ? AS run_id",
        [run_id],
    )
    con.execute("CREATE TABLE work.quarantine (source VARCHAR, rule VARCHAR, run_id VARCHAR)")


BENCH_UPSTREAM = [
    Publication("ops.drop_ledger", "work.ledger", "append"),
    Publication("quality.quarantine", "work.quarantine", "append"),
]


def run_registry(path: Path, landing: Path, run_id: str) -> dict[str, float]:
    from assets.registry.eligibility import build_eligibility
    from assets.registry.publish import PUBLICATIONS, build_registry_tables
    from assets.registry.survivorship import build_survivors
    from assets.registry.targeting import build_targeting_errors
    from assets.registry.welfare import build_welfare

    timings: dict[str, float] = {}
    with warehouse.connect(path) as con:
        started = time.perf_counter()
        build_inputs(con, landing, run_id)
        timings["inputs (not the registry)"] = time.perf_counter() - started
    for name, step in (
        ("survivorship", build_survivors),
        ("welfare ranking + eligibility", lambda con: (build_welfare(con), build_eligibility(con))),
        ("targeting errors", build_targeting_errors),
    ):
        with warehouse.connect(path) as con:
            started = time.perf_counter()
            step(con)
            timings[name] = time.perf_counter() - started
    with warehouse.connect(path) as con:
        started = time.perf_counter()
        build_registry_tables(con)
        built = time.perf_counter()
        warehouse.publish(con, [*BENCH_UPSTREAM, *PUBLICATIONS])
        done = time.perf_counter()
    timings["publish: registry tables, history and changelog"] = built - started
    timings["publish: the one transaction"] = done - built
    timings["publish step in all"] = done - started
    return timings


def spearman(path: Path, landing: Path, mapping_sql: str) -> list[tuple]:
    """(welfare_source, households, Spearman) over all ranked households, then per welfare_source."""
    with warehouse.connect(path, read_only=True) as con:
        con.register("t_households", pd.read_parquet(landing / "ground_truth" / "households.parquet"))
        con.register("t_persons", pd.read_parquet(landing / "ground_truth" / "persons.parquet"))
        frame = con.execute(mapping_sql).df()
    rows = [("all ranked", len(frame), frame["welfare_score"].corr(frame["welfare"], method="spearman"))]
    for source, group in frame.groupby("welfare_source"):
        if len(group) >= 10:
            rows.append(
                (source, len(group), group["welfare_score"].corr(group["welfare"], method="spearman"))
            )
    return rows


TRUTH_IDS = """
    SELECT h.welfare_score, h.welfare_source, t.welfare
    FROM registry.household AS h
    JOIN t_households AS t ON h.household_id = 'H' || lpad(CAST(t.true_household_id AS VARCHAR), 9, '0')
    WHERE h.desil_nasional IS NOT NULL
"""
BY_MEMBERS = """
    WITH votes AS (
        SELECT p.household_id, t.true_household_id, count(*) AS members
        FROM registry.person AS p JOIN t_persons AS t ON t.nik = p.nik
        GROUP BY p.household_id, t.true_household_id
        QUALIFY row_number() OVER (PARTITION BY p.household_id ORDER BY members DESC, t.true_household_id) = 1
    )
    SELECT h.welfare_score, h.welfare_source, t.welfare
    FROM registry.household AS h JOIN votes AS v USING (household_id)
    JOIN t_households AS t ON t.true_household_id = v.true_household_id
    WHERE h.desil_nasional IS NOT NULL
"""


@contextmanager
def bench_folders(households: int, seed: int, landing: Path | None) -> Iterator[tuple[Path, Path]]:
    """(landing zone, warehouse file) in a scratch folder removed afterwards; the landing zone is generated
    there unless one is given, so both benchmarks measure the same kind of input."""
    with tempfile.TemporaryDirectory(prefix="registry_bench_") as tmp:
        if landing is None:
            landing = Path(tmp) / "landing"
            generate(landing, households, seed)
        yield landing, Path(tmp) / "warehouse" / "sejahtera.duckdb"


def bench_registry(households: int, seed: int, landing: Path | None) -> None:
    with bench_folders(households, seed, landing) as (landing, path):
        for run_id in ("bench-run-1", "bench-run-2"):
            timings = run_registry(path, landing, run_id)
            print(f"  {run_id}:")
            for name, seconds in timings.items():
                print(f"    {name:<64} {seconds:7.2f} s")
        with warehouse.connect(path, read_only=True) as con:
            persons, households_n = con.execute(
                "SELECT (SELECT count(*) FROM registry.person), count(*) FROM registry.household"
            ).fetchall()[0]
        print(
            f"  registry: {persons:,} persons, {households_n:,} households; file {path.stat().st_size / 1e6:.0f} MB"
        )
        _print_spearman(spearman(path, landing, TRUTH_IDS))


def bench_pipeline(households: int, seed: int, landing: Path | None) -> None:
    import os

    import dagster as dg

    with bench_folders(households, seed, landing) as (landing, path):
        os.environ["SEJAHTERA_LANDING"] = str(landing)
        os.environ["SEJAHTERA_WAREHOUSE"] = str(path)
        from pipelines.definitions import defs
        from pipelines.launch import nightly_run_config

        started = time.perf_counter()
        with dg.DagsterInstance.ephemeral() as instance:
            result = defs.resolve_job_def("nightly").execute_in_process(
                instance=instance, run_config=nightly_run_config([], "WARNING"), raise_on_error=False
            )
            steps = {
                s.step_key: (s.end_time or 0) - (s.start_time or 0)
                for s in instance.get_run_step_stats(result.run_id)
            }
        print(
            f"  nightly job: {'succeeded' if result.success else 'FAILED'} in {time.perf_counter() - started:.1f} s"
        )
        for key in ("survivorship", "welfare_ranking", "targeting_errors", "publish_registry"):
            if key in steps:
                print(f"    {key:<24} {steps[key]:7.2f} s")
        if result.success:
            _print_spearman(spearman(path, landing, BY_MEMBERS))


def _print_spearman(rows: list[tuple]) -> None:
    print("  Spearman(welfare_score, true welfare)  [aim >= 0.8]")
    for source, n, rho in rows:
        print(f"    {source:<20} {n:>9,} households   rho = {rho:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="*", type=int, default=[100_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--landing", type=Path, help="reuse a generated landing zone (with ground_truth/)")
    parser.add_argument("--pipeline", action="store_true", help="run the whole nightly job instead")
    args = parser.parse_args()
    for households in args.households:
        print(f"registry benchmark: {households:,} households, seed {args.seed}", flush=True)
        (bench_pipeline if args.pipeline else bench_registry)(households, args.seed, args.landing)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
