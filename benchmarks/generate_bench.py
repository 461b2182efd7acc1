"""Generator speed: ``sejahtera generate`` at 200 and 100 000 households, each in a fresh process.

Prints wall seconds, the process's CPU seconds (imports included; the honest figure when other jobs share the
cores) and peak memory (maximum resident set) per size, rows written and the size of the landing zone on disk. The brief's bars: 100 k households in under a minute on 2 cores; 200 in about a second.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (200, 100_000)
SEED = 42


def one_run(households: int) -> None:
    """Generate once into a tmp folder and print one line of figures (runs in its own process)."""
    sys.path.insert(0, str(ROOT))
    from sejahtera.generate import generate_landing_zone

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "landing"
        started = time.perf_counter()
        generate_landing_zone(out, households, SEED)
        seconds = time.perf_counter() - started
        rows = sum(
            entry["rows"]
            for manifest in out.glob("*/*/manifest.json")
            for entry in json.loads(manifest.read_text())["files"]
        )
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"generate {households:>7,} households: {seconds:6.1f} s wall ({cpu:.1f} s CPU, whole process), "
        f"peak memory {peak_mb:,.0f} MB, "
        f"{rows:,} data rows, {size / 1e6:,.1f} MB on disk",
        flush=True,
    )


def main() -> int:
    if len(sys.argv) > 1:
        one_run(int(sys.argv[1]))
        return 0
    failed = 0
    for households in SIZES:
        failed |= subprocess.run([sys.executable, __file__, str(households)], check=False).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
