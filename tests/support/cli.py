"""An operator's machine in a tmp dir, and the ``sejahtera`` command run on it in a fresh process.

End-to-end tests (``tests/end_to_end/``) judge what the command publishes, so they start it the way an operator
does: a new Python process whose only configuration is its environment. :class:`Operator` owns that environment
(landing zone, warehouse, Dagster home under one root, nothing inherited from the developer's shell) and keeps
every output, so a test can check that no raw identity number was ever printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sejahtera import PROJECT_ROOT
from support import duck

TIMEOUT_SECONDS = 900


def operator_env(landing: Path, warehouse: Path, dagster_home: Path) -> dict[str, str]:
    """This process's environment without any ``SEJAHTERA_*`` / ``DAGSTER_*`` setting, pointed at tmp paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEJAHTERA_", "DAGSTER_"))}
    env.update(
        SEJAHTERA_LANDING=str(landing), SEJAHTERA_WAREHOUSE=str(warehouse), DAGSTER_HOME=str(dagster_home)
    )
    return env


class Operator:
    """A landing zone, a warehouse and a Dagster instance under ``root``, and ``sejahtera`` run on them.

    ``warehouse_name`` lets a test name the file like one of its schemas (the code must not depend on the name);
    ``deployed`` copies ``deploy/dagster.yaml`` into the Dagster home (the production run queue and storage).
    """

    def __init__(
        self, root: Path, *, warehouse_name: str = "sejahtera.duckdb", deployed: bool = False
    ) -> None:
        self.landing = root / "landing"
        self.warehouse = root / "warehouse" / warehouse_name
        self.dagster_home = root / "dagster_home"
        self.landing.mkdir(parents=True, exist_ok=True)
        if deployed:
            self.dagster_home.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", self.dagster_home / "dagster.yaml")
        self.env = operator_env(self.landing, self.warehouse, self.dagster_home)
        self.outputs: list[str] = []

    def _completed(
        self, command: list[str], extra_env: dict[str, str] | None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            command,
            env={**self.env, **(extra_env or {})},
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        self.outputs += [result.stdout, result.stderr]
        return result

    def sejahtera(
        self, *args: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``sejahtera ARGS`` in a fresh process; the test judges the exit code."""
        return self._completed([sys.executable, "-m", "pipelines.cli", *args], extra_env)

    def script(self, code: str) -> subprocess.CompletedProcess[str]:
        """Python ``code`` in a fresh process with this machine's environment (to inject a fault into a run)."""
        return self._completed([sys.executable, "-c", code], None)

    def start(self, *args: str) -> subprocess.Popen[str]:
        """The installed ``sejahtera`` script started in the background (output on the pipe, merged)."""
        command = [str(Path(sys.executable).with_name("sejahtera")), *args]
        return subprocess.Popen(
            command,
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def generate(self, households: int, seed: int) -> None:
        """The generator's landing zone of ``households`` families, written into this machine's landing folder."""
        result = self.sejahtera(
            "generate", "--out", str(self.landing), "--households", str(households), "--seed", str(seed)
        )
        assert result.returncode == 0, result.stderr[-2000:]

    def run(self, **kwargs) -> subprocess.CompletedProcess[str]:
        """``sejahtera run``; fails the test with the tail of its output when the run fails."""
        result = self.sejahtera("run", **kwargs)
        assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
        return result

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return duck.query(self.warehouse, sql, params)

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return duck.frame(self.warehouse, sql, params)
