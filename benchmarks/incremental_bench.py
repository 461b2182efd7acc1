"""What a night costs after a small Dukcapil delta, incremental vs full rebuild, step by step.

    python benchmarks/incremental_bench.py [HOUSEHOLDS] [--seed S]

Generates a landing zone, runs ``sejahtera run`` on everything but the last Dukcapil delta (the first night: a full
build), copies the warehouse and Dagster instance, then delivers the last delta to both copies and runs one
incrementally and the other with ``--full``. Prints each run's wall time and every step's duration, from the
Dagster run history. Scratch data goes to a temporary folder, removed after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

from sejahtera.generate import generate_landing_zone

SEJAHTERA = str(Path(sys.executable).with_name("sejahtera"))


def _run(root: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEJAHTERA_", "DAGSTER_"))}
    env.update(
        SEJAHTERA_LANDING=str(root / "landing"),
        SEJAHTERA_WAREHOUSE=str(root / "warehouse" / "sejahtera.duckdb"),
        DAGSTER_HOME=str(root / "dagster_home"),
    )
    started = time.perf_counter()
    subprocess.run([SEJAHTERA, "run", "--quiet", *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _last_run_steps(root: Path) -> dict[str, float]:
    with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
        record = max(instance.get_run_records(), key=lambda r: r.create_timestamp)
        return {
            s.step_key: (s.end_time or 0) - (s.start_time or 0)
            for s in instance.get_run_step_stats(record.dagster_run.run_id)
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", type=int, nargs="?", default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sejahtera-incremental-bench-") as folder:
        scratch = Path(folder)
        generated = scratch / "generated"
        generate_landing_zone(out=generated, households=args.households, seed=args.seed)
        last_delta = sorted((generated / "dukcapil").iterdir())[-1]
        incremental = scratch / "incremental"
        shutil.copytree(generated, incremental / "landing", ignore=shutil.ignore_patterns("ground_truth"))
        shutil.rmtree(incremental / "landing" / "dukcapil" / last_delta.name)
        first = _run(incremental)
        first_steps = _last_run_steps(incremental)
        full = scratch / "full"
        shutil.copytree(incremental, full)
        for root in (incremental, full):
            shutil.copytree(last_delta, root / "landing" / "dukcapil" / last_delta.name)
        times = {"first night (full build)": (first, first_steps)}
        times["delta night, incremental"] = (_run(incremental), _last_run_steps(incremental))
        times["delta night, --full"] = (_run(full, "--full"), _last_run_steps(full))
    steps = list(first_steps)
    print(f"{args.households} households, seed {args.seed}; seconds")
    print(f"| step | {' | '.join(times)} |")
    print(f"|---|{'---|' * len(times)}")
    for step in steps:
        print(f"| {step} | {' | '.join(f'{t[1].get(step, 0.0):.1f}' for t in times.values())} |")
    print(f"| **run (wall, process included)** | {' | '.join(f'{t[0]:.1f}' for t in times.values())} |")


if __name__ == "__main__":
    main()
