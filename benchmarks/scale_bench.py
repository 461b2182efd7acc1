"""How the nightly run's cost grows with the data: the real ``nightly`` job at S, M (and on request L) sizes.

For each size, in fresh processes and a fresh folder:

1. ``sejahtera generate`` (wall time, peak memory);
2. ``sejahtera run`` on its own Dagster instance: wall time, the run process's peak resident set (the job runs
   in-process, so this is every step's peak), and each step's wall time read back from Dagster's run storage;
3. a second ``sejahtera run`` with nothing new: the no-op cost (process start, imports, the landing-zone scan);
4. the **I/O floor**, measured on the same files in the same sitting: DuckDB reading every drop file once and
   writing tables of the published registry's size (a copy of every published table into a new file). The
   pipeline's ratio to that floor says how much work the run does beyond moving its bytes;
5. person and household pairwise F1 of the published registry against the generator's ground truth.

Results go to ``benchmarks/results/scale.md`` (one table) and ``scale.json``; the L/M time ratio says how cost
grows with ten times the data (linear growth is 10). Sizes: S 10 000, M 100 000, L 1 000 000 households.
``python benchmarks/scale_bench.py S M`` (the default, ``make bench-scale``); add ``L`` for the large zone
(``make bench-scale SCALE_SIZES="S M L"``): it takes long and needs about 15 GB of disk. A number instead of a
size name runs that many households (``python benchmarks/scale_bench.py 500`` checks the harness itself).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SIZES = {"S": 10_000, "M": 100_000, "L": 1_000_000}
SEED = 42
STEPS = (
    "landed_drops",
    "validated_drops",
    "quality_report",
    "source_snapshots",
    "dukcapil_population",
    "standardised_records",
    "resolved_persons",
    "resolved_households",
    "survivorship",
    "welfare_ranking",
    "targeting_errors",
    "publish_registry",
    "province_exports",
)
PUBLISHED_SCHEMAS = ("registry", "ops", "quality", "snapshot")


@dataclass
class SizeResult:
    name: str
    households: int
    source_rows: int = 0
    generate_s: float = 0.0
    generate_peak_mb: float = 0.0
    run_s: float = 0.0
    run_peak_mb: float = 0.0
    steps_s: dict[str, float] = field(default_factory=dict)
    noop_run_s: float = 0.0
    floor_read_s: float = 0.0
    floor_write_s: float = 0.0
    persons_f1: float = 0.0
    households_f1: float = 0.0

    @property
    def floor_s(self) -> float:
        return self.floor_read_s + self.floor_write_s

    @property
    def rows_per_s(self) -> float:
        return self.source_rows / self.run_s if self.run_s else 0.0


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and peak resident megabytes of one child process (``wait4`` reports the child alone)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0), err.seek(0)
        done = subprocess.CompletedProcess(command, os.waitstatus_to_exitcode(status), out.read(), err.read())
    return seconds, usage.ru_maxrss / 1024, done


def data_files(landing: Path) -> list[Path]:
    """Every data file the manifests list (the generator's ground truth is not a drop)."""
    files = []
    for manifest in sorted(landing.glob("*/*/manifest.json")):
        files += [manifest.parent / entry["name"] for entry in json.loads(manifest.read_text())["files"]]
    return files


def step_seconds(dagster_home: Path) -> dict[str, float]:
    """Each step's wall time in the instance's latest run of ``nightly``, read from Dagster's run storage."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        (run,) = instance.get_runs(filters=dg.RunsFilter(job_name="nightly"), limit=1)
        stats = instance.get_run_step_stats(run.run_id)
    return {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in stats if s.start_time}


def io_floor(landing: Path, warehouse: Path, scratch: Path) -> tuple[float, float]:
    """Seconds for DuckDB to read every drop file once, and to write tables of the published registry's size."""
    con = duckdb.connect(str(scratch / "floor_read.duckdb"))
    started = time.perf_counter()
    for number, path in enumerate(data_files(landing)):
        reader = "read_parquet(?)" if path.suffix == ".parquet" else "read_csv(?, all_varchar = true)"
        con.execute(f"CREATE TABLE f{number} AS SELECT * FROM {reader}", [str(path)])
    read_seconds = time.perf_counter() - started
    con.close()
    con = duckdb.connect(str(scratch / "floor_write.duckdb"))
    con.execute("ATTACH ? AS published (READ_ONLY)", [str(warehouse)])
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'published' "
        "AND schema_name IN (SELECT unnest(?::VARCHAR[]))",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    for schema, _ in tables:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    # Materialise the published rows first so the write is timed alone.
    con.execute("SET preserve_insertion_order = false")
    started = time.perf_counter()
    for schema, table in tables:
        con.execute(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM published."{schema}"."{table}"')
    con.execute("CHECKPOINT")
    write_seconds = time.perf_counter() - started
    con.close()
    return read_seconds, write_seconds


def linkage_f1(landing: Path, warehouse: Path) -> tuple[float, float]:
    """Pairwise F1 of persons and households of the published registry against the generator's truth."""
    from benchmarks.linkage_bench import pairwise

    truth = landing / "ground_truth" / "person_records.parquet"
    con = duckdb.connect()
    con.execute("ATTACH ? AS wh (READ_ONLY)", [str(warehouse)])
    con.execute(
        """
        CREATE TEMP TABLE scored AS
        SELECT l.registry_id AS person_id, p.household_id, t.true_person_id, t.true_household_id
        FROM wh.registry.source_link AS l
        JOIN wh.registry.person AS p ON p.person_id = l.registry_id
        JOIN (SELECT DISTINCT source, source_record_id, true_person_id, true_household_id
              FROM read_parquet(?)) AS t USING (source, source_record_id)
        WHERE l.entity = 'person'
        """,
        [str(truth)],
    )
    persons = pairwise(con, "person_id", "true_person_id")["f1"]
    households = pairwise(con, "household_id", "true_household_id")["f1"]
    con.close()
    return persons, households


def one_size(name: str, work: Path) -> SizeResult:
    households = SIZES[name] if name in SIZES else int(name)
    result = SizeResult(name=name, households=households)
    folder = work / name
    landing, warehouse, home = (
        folder / "landing",
        folder / "warehouse" / "sejahtera.duckdb",
        folder / "dagster",
    )
    env = {
        **os.environ,
        "SEJAHTERA_LANDING": str(landing),
        "SEJAHTERA_WAREHOUSE": str(warehouse),
        "DAGSTER_HOME": str(home),
        "SEJAHTERA_EXPORT_KEY": os.environ.get("SEJAHTERA_EXPORT_KEY", "bench-" + "0" * 58),
        "PYTHONPATH": str(ROOT),
    }
    command = [str(Path(sys.executable).parent / "sejahtera")]
    gen = [*command, "generate", "--out", str(landing), "--households", str(households), "--seed", str(SEED)]
    result.generate_s, result.generate_peak_mb, done = timed(gen, env)
    _check(done, "generate")
    result.source_rows = sum(
        e["rows"] for m in landing.glob("*/*/manifest.json") for e in json.loads(m.read_text())["files"]
    )
    result.run_s, result.run_peak_mb, done = timed([*command, "run", "--quiet"], env)
    _check(done, "run")
    result.steps_s = step_seconds(home)
    result.noop_run_s, _, done = timed([*command, "run", "--quiet"], env)
    _check(done, "no-op run")
    scratch = folder / "floor"
    scratch.mkdir()
    result.floor_read_s, result.floor_write_s = io_floor(landing, warehouse, scratch)
    result.persons_f1, result.households_f1 = linkage_f1(landing, warehouse)
    shutil.rmtree(folder, ignore_errors=True)
    return result


def _check(done: subprocess.CompletedProcess, what: str) -> None:
    if done.returncode != 0:
        raise SystemExit(f"scale bench: {what} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")


def markdown(results: list[SizeResult]) -> str:
    """One table: a column per size, a row per figure; then the ratios the issue asks for."""
    header = "| figure | " + " | ".join(f"{r.name} ({r.households:,} households)" for r in results) + " |"
    lines = [header, "|---|" + "---|" * len(results)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("source rows", [f"{r.source_rows:,}" for r in results])
    row("generate", [f"{r.generate_s:.1f} s, {r.generate_peak_mb:,.0f} MB" for r in results])
    row("**full run**", [f"**{r.run_s:.1f} s**" for r in results])
    row("rows per second", [f"{r.rows_per_s:,.0f}" for r in results])
    row("peak RSS of the run", [f"{r.run_peak_mb:,.0f} MB" for r in results])
    for step in STEPS:
        row(f"step `{step}`", [f"{r.steps_s.get(step, 0.0):.1f} s" for r in results])
    row("no-op run (nothing new)", [f"{r.noop_run_s:.1f} s" for r in results])
    row("I/O floor: read every drop file", [f"{r.floor_read_s:.1f} s" for r in results])
    row("I/O floor: write the registry's tables", [f"{r.floor_write_s:.1f} s" for r in results])
    row("**run / I/O floor**", [f"**{r.run_s / r.floor_s:.1f}x**" if r.floor_s else "-" for r in results])
    row("person F1", [f"{r.persons_f1:.4f}" for r in results])
    row("household F1", [f"{r.households_f1:.4f}" for r in results])
    by_name = {r.name: r for r in results}
    notes = []
    for big, small in (("M", "S"), ("L", "M")):
        if big in by_name and small in by_name:
            notes.append(f"- {big}/{small} full-run time ratio: {by_name[big].run_s / by_name[small].run_s:.1f} "
                         f"(data x{by_name[big].households // by_name[small].households})")  # fmt: skip
    machine = f"{os.cpu_count()} cores, {_memory_gb():.0f} GB, {platform.python_implementation()} {platform.python_version()}"
    return "\n".join([f"# Scale benchmark ({machine}; seed {SEED})", "", *lines, "", *notes, ""])


def _memory_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3


def main(argv: list[str]) -> int:
    names = [a.upper() for a in argv] or ["S", "M"]
    unknown = sorted(n for n in names if n not in SIZES and not n.isdigit())
    if unknown:
        print(f"scale bench: unknown size(s) {unknown}; choose from {list(SIZES)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="sejahtera-scale-") as tmp:
        results = []
        for name in names:
            results.append(one_size(name, Path(tmp)))
            print(
                f"{name}: full run {results[-1].run_s:.1f} s, peak {results[-1].run_peak_mb:,.0f} MB",
                flush=True,
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = markdown(results)
    (RESULTS / "scale.md").write_text(text)
    (RESULTS / "scale.json").write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
