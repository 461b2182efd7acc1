"""Dagster's UI processes started by a test (``dagster-webserver``, ``dagster dev``): on a free loopback port,
in their own process group, waited for until they serve, and stopped whole afterwards.

``env --default-signal`` undoes an ignored SIGINT inherited from a backgrounded shell, without which Dagster
ignores SIGTERM too (dagster-notes.md).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sejahtera import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def dagster_process(
    program: list[str], env: dict[str, str], log: Path, start_timeout_seconds: int = 300
) -> Iterator[str]:
    """``program`` (e.g. ``["dagster", "dev"]``, the executable taken from this venv) serving this project's
    workspace on a free port; yields its base URL once ``/server_info`` answers, and on exit stops its whole
    process group (SIGTERM, then SIGKILL after a minute)."""
    port = free_port()
    executable = str(Path(sys.executable).with_name(program[0]))
    command = ["env", "--default-signal=INT,TERM,QUIT", executable, *program[1:], "-w", "workspace.yaml"]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [*command, "-h", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_served(base, process, log, start_timeout_seconds)
            yield base
        finally:
            _stop_group(process)


def _wait_until_served(base: str, process: subprocess.Popen, log: Path, timeout_seconds: int) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, f"{base} did not start serving; see {log}"
        with suppress(OSError), urllib.request.urlopen(f"{base}/server_info", timeout=5) as answer:
            if answer.status == 200:
                return
        time.sleep(1)


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the group, then wait until every process of it is gone (not only the leader)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        process.poll()  # reaps the leader once it exits: a zombie would keep the group alive
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
