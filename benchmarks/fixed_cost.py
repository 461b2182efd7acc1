"""What a ``sejahtera run`` costs before it touches a row: the no-op run, and a full build of a tiny zone.

For each zone size (default 300 households; add a second, e.g. ``300 3000``, to split fixed from per-row cost),
in fresh processes and a fresh warehouse and Dagster instance per repeat:

1. ``sejahtera run`` on the fresh warehouse: the full build (wall and CPU seconds of the whole command);
2. ``sejahtera run`` again, nothing new: the no-op run;
3. the phases of each, read back from Dagster's run storage: the process before the run starts (interpreter,
   imports, the Dagster instance, the look at the landing zone), each step of the run, Dagster's own time
   between steps, and the process after the run ends (the summary);
4. ``python -c "import pipelines.definitions"`` alone: process start and imports.

Each measurement is repeated (``--repeat``, default 3; full builds ``--full-repeat``) and the median reported: the sprint machine is shared, so
single readings are noise. With two sizes the fixed cost is the full build's time extrapolated to zero
households (the line through both medians). ``--code DIR`` measures another checkout of the project (its code on
``PYTHONPATH``) with this script, for before/after numbers. ``make bench-fixed`` runs the default.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 5


@dataclass
class Timing:
    wall_s: float
    cpu_s: float


@dataclass
class RunPhases:
    """One ``sejahtera run``: the command's wall and CPU time and where its wall time went."""

    wall_s: float
    cpu_s: float
    before_run_s: float
    steps_s: dict[str, float] = field(default_factory=dict)
    between_steps_s: float = 0.0
    after_run_s: float = 0.0


def timed(command: list[str], env: dict[str, str]) -> tuple[Timing, subprocess.CompletedProcess]:
    """Wall and CPU (user + system) seconds of one child process; ``wait4`` reports the child alone.

    The child runs in the measured checkout: ``python -m`` and ``-c`` put the current folder first on the path.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, env=env, cwd=env["PYTHONPATH"], stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0), err.seek(0)
        done = subprocess.CompletedProcess(command, os.waitstatus_to_exitcode(status), out.read(), err.read())
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return Timing(wall, usage.ru_utime + usage.ru_stime), done


def run_phases(dagster_home: Path, started: float, timing: Timing) -> RunPhases:
    """Split one command's wall time with the instance's latest run: before it, its steps, between, after."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        (run,) = instance.get_runs(filters=dg.RunsFilter(job_name="nightly"), limit=1)
        stats = instance.get_run_stats(run.run_id)
        steps = instance.get_run_step_stats(run.run_id)
    run_start, run_end = stats.start_time or started, stats.end_time or started
    durations = {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in steps if s.start_time}
    return RunPhases(
        wall_s=timing.wall_s,
        cpu_s=timing.cpu_s,
        before_run_s=run_start - started,
        steps_s=durations,
        between_steps_s=(run_end - run_start) - sum(durations.values()),
        after_run_s=started + timing.wall_s - run_end,
    )


def one_build(zone: Path, work: Path, env: dict[str, str], no_ops: int) -> tuple[RunPhases, list[RunPhases]]:
    """A fresh warehouse and instance: the full build, then ``no_ops`` runs with nothing new."""
    shutil.rmtree(work, ignore_errors=True)
    env = {
        **env,
        "SEJAHTERA_LANDING": str(zone),
        "SEJAHTERA_WAREHOUSE": str(work / "warehouse" / "sejahtera.duckdb"),
        "DAGSTER_HOME": str(work / "dagster_home"),
    }
    command = [sys.executable, "-m", "pipelines.cli", "run", "--quiet"]
    phases = []
    for _ in range(1 + no_ops):
        started = time.time()
        timing, _ = timed(command, env)
        phases.append(run_phases(work / "dagster_home", started, timing))
    return phases[0], phases[1:]


def median_phases(runs: list[RunPhases]) -> RunPhases:
    steps = sorted({key for run in runs for key in run.steps_s}, key=lambda k: runs[0].steps_s.get(k, 0) * -1)
    return RunPhases(
        wall_s=statistics.median(r.wall_s for r in runs),
        cpu_s=statistics.median(r.cpu_s for r in runs),
        before_run_s=statistics.median(r.before_run_s for r in runs),
        steps_s={k: statistics.median(r.steps_s.get(k, 0.0) for r in runs) for k in steps},
        between_steps_s=statistics.median(r.between_steps_s for r in runs),
        after_run_s=statistics.median(r.after_run_s for r in runs),
    )


def phase_lines(title: str, phases: RunPhases) -> list[str]:
    lines = [
        f"{title}: {phases.wall_s:.1f} s wall, {phases.cpu_s:.1f} s CPU",
        f"  before the run (process start, imports, instance, landing look)  {phases.before_run_s:6.1f} s",
        f"  steps ({len(phases.steps_s)})                                                {sum(phases.steps_s.values()):6.1f} s",
    ]
    for key, seconds in list(phases.steps_s.items())[:8]:
        lines.append(f"    {key:<58} {seconds:6.1f} s")
    lines += [
        f"  Dagster between steps (events, run start and end)               {phases.between_steps_s:6.1f} s",
        f"  after the run (summary, process exit)                           {phases.after_run_s:6.1f} s",
    ]
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="*", type=int, default=[300])
    parser.add_argument("--repeat", type=int, default=3, help="no-op runs and imports measured")
    parser.add_argument("--full-repeat", type=int, default=3, help="full builds (fresh warehouses) measured")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose code is measured")
    parser.add_argument("--scratch", type=Path, default=None, help="folder for zones and warehouses")
    args = parser.parse_args(argv)

    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="fixed-cost-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEJAHTERA_", "DAGSTER_"))}
    env["PYTHONPATH"] = str(args.code.resolve())
    print(
        f"fixed cost of a run: code {args.code.resolve()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, median of {args.repeat}"
    )

    imports = [
        timed([sys.executable, "-c", "import pipelines.definitions"], env)[0] for _ in range(args.repeat)
    ]
    print(
        f"process start + imports (import pipelines.definitions): "
        f"{statistics.median(t.wall_s for t in imports):.1f} s wall, "
        f"{statistics.median(t.cpu_s for t in imports):.1f} s CPU"
    )

    fulls: dict[int, RunPhases] = {}
    for households in args.households:
        zone = scratch / f"zone-{households}"
        if not (zone / "dukcapil").is_dir():
            timed(
                [
                    sys.executable,
                    "-m",
                    "pipelines.cli",
                    "generate",
                    "--out",
                    str(zone),
                    "--households",
                    str(households),
                    "--seed",
                    str(SEED),
                ],
                env,
            )
        builds = [
            one_build(zone, scratch / f"run-{households}-{i}", env, args.repeat if i == 0 else 0)
            for i in range(args.full_repeat)
        ]
        fulls[households] = median_phases([full for full, _ in builds])
        print()
        print("\n".join(phase_lines(f"full build, {households:,} households", fulls[households])))
        print("\n".join(phase_lines("no-op run (nothing new)", median_phases(builds[0][1]))))

    if len(fulls) >= 2:
        (small, a), (large, b) = sorted(fulls.items())[:2]
        per_household = (b.wall_s - a.wall_s) / (large - small)
        print(
            f"\nfixed cost (full build extrapolated to 0 households): {a.wall_s - per_household * small:.1f} s "
            f"wall; per-row work {per_household * 1000:.1f} ms per household"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
