"""The installed package finds its rules: a wheel, installed into a new virtual environment, runs the nightly job
from a folder that is not the checkout.

The wheel carries ``config/``, ``expectations/``, ``reference/`` and the instance template (``setup.py`` copies
them into ``sejahtera/bundled/``). Installing every dependency from the package index would take minutes, so the
new environment borrows the test environment's third-party packages through a ``.pth`` line: sejahtera itself
comes only from the wheel, and the checkout is on no path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import duckdb
import pytest

from sejahtera import PROJECT_ROOT

pytestmark = pytest.mark.slow

NOT_SOURCE = (
    ".git",
    ".venv",
    "build",
    "data",
    "test-artifacts",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".dagster_home",
)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return {**env, **extra}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools builds in the source tree, and a stale build/ would ship deleted modules.
    source = root / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    wheels = root / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)],
        check=True,
        env=_clean_env(),
    )
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
            env=_clean_env(),
        ).stdout.strip()
    )
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (wheel,) = wheels.glob("sejahtera-*.whl")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        env=_clean_env(),
    )
    return venv


def test_the_wheel_carries_its_rules_and_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    probe = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import sejahtera, assets, pipelines; print(sejahtera.RULES_ROOT); print(assets.__file__)",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        env=_clean_env(),
    )
    rules_root, assets_file = (Path(line) for line in probe.stdout.split())
    assert rules_root.is_relative_to(installed) and rules_root.name == "bundled"
    assert not Path(assets_file).is_relative_to(PROJECT_ROOT)
    for needed in ("config/eligibility.yaml", "expectations/dtks.anggota.json", "reference/README.md"):
        assert (rules_root / needed).is_file(), needed


def test_the_installed_command_runs_the_nightly_job_from_another_folder(
    installed: Path, tmp_path: Path
) -> None:
    env = _clean_env(
        SEJAHTERA_LANDING=str(tmp_path / "landing"),
        SEJAHTERA_WAREHOUSE=str(tmp_path / "warehouse" / "sejahtera.duckdb"),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )
    command = str(installed / "bin" / "sejahtera")
    subprocess.run(
        [command, "generate", "--out", env["SEJAHTERA_LANDING"], "--households", "120", "--seed", "5"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env=env,
    )
    run = subprocess.run([command, "run", "--quiet"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    with duckdb.connect(env["SEJAHTERA_WAREHOUSE"], read_only=True) as con:
        applied = con.execute("SELECT count(*) FROM ops.drop_ledger WHERE status = 'applied'").fetchone()[0]
        persons = con.execute("SELECT count(*) FROM registry.person").fetchone()[0]
        ranked = con.execute(
            "SELECT count(*) FROM registry.household WHERE desil_nasional IS NOT NULL"
        ).fetchone()[0]
    assert applied >= 4 and persons > 100 and ranked > 20
