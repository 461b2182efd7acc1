"""``deploy/spark/spark-defaults.conf`` reaches the linkage's Spark session the way the runbook says it does.

The runbook mounts the file and points ``SPARK_CONF_DIR`` at it; pyspark's spark-submit then reads it before the
session exists, and :func:`assets.reconcile.spark_linkage.spark_session` adds its own settings on top. Checked in
a fresh process (the JVM reads the file once, when it starts) on a local master: the executor settings arrive as
written, the driver's address is taken from the pod's ``POD_IP``, and the session's own local shuffle setting
still wins over the file's cluster value. Skipped where Java or pyspark is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from sejahtera import PROJECT_ROOT

if shutil.which("java") is None:
    pytest.skip("Java is missing: Spark needs Java 17 or later", allow_module_level=True)
pytest.importorskip("pyspark", reason="pyspark is missing: install the optional extra 'spark'")

SPARK_DIR = PROJECT_ROOT / "deploy" / "spark"
SETTINGS = (
    "spark.executor.memory",
    "spark.executor.cores",
    "spark.sql.shuffle.partitions",
    "spark.driver.host",
)


def file_settings() -> dict[str, str]:
    """The settings of spark-defaults.conf, as Spark reads them (key, whitespace, value; # starts a comment)."""
    settings = {}
    for line in (SPARK_DIR / "spark-defaults.conf").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split(maxsplit=1)
            settings[key] = value.strip()
    return settings


def test_linkage_env_names_the_folder_of_the_settings_and_the_spark_engine():
    env = dict(
        line.split("=", 1)
        for line in (SPARK_DIR / "linkage.env").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert env["SEJAHTERA_LINKAGE_ENGINE"] == "spark"
    assert env["SEJAHTERA_SPARK_MASTER"].startswith("k8s://")
    assert (
        env["SEJAHTERA_SPARK_EXCHANGE_DIR"]
        == file_settings()["spark.kubernetes.executor.volumes.persistentVolumeClaim.exchange.mount.path"]
    )
    assert "SPARK_CONF_DIR" in env


def test_the_session_reads_the_settings_file(tmp_path):
    probe = (
        "import json\n"
        "from assets.reconcile.spark_linkage import spark_session\n"
        "session = spark_session('local[1]')\n"
        "conf = session.sparkContext.getConf()\n"
        f"print(json.dumps({{key: conf.get(key) for key in {SETTINGS!r}}}))\n"
        "session.stop()\n"
    )
    env = {
        **os.environ,
        "SPARK_CONF_DIR": str(SPARK_DIR),
        "POD_IP": "127.0.0.1",
        "SEJAHTERA_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb"),
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    written = file_settings()
    assert seen["spark.executor.memory"] == written["spark.executor.memory"]
    assert seen["spark.executor.cores"] == written["spark.executor.cores"]
    assert seen["spark.driver.host"] == "127.0.0.1"
    assert seen["spark.sql.shuffle.partitions"] == "2"
