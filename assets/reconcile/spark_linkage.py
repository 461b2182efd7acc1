"""Scoring candidate pairs on Splink's Spark backend instead of DuckDB, for a linkage past one machine.

Which backend scores the pairs is chosen by ``SEJAHTERA_LINKAGE_ENGINE`` (``duckdb``, the default, or ``spark``).
Only the scoring (Splink's ``predict``) moves: it grows with the candidate pairs, while training samples a
bounded number of pairs (``u_max_pairs``, ``em_max_pairs``), runs once and is stored, so it stays on DuckDB.
The model declaration is the same on both (:mod:`assets.reconcile.linkage_settings` is dialect-neutral), and so
is everything around the scoring: the records are handed to Spark as Parquet written from the scratch DuckDB
database, and the scored pairs come back as Parquet into a table of that same database, where the identity
guards, clustering, stable ids and evidence read them exactly as they read DuckDB's.

| variable | default |
|---|---|
| ``SEJAHTERA_LINKAGE_ENGINE`` | ``duckdb`` |
| ``SEJAHTERA_SPARK_MASTER`` | ``local[N]``, N = ``SEJAHTERA_DUCKDB_THREADS`` or the machine's cores |
| ``SEJAHTERA_SPARK_EXCHANGE_DIR`` | the system's temporary folder (on a cluster: a folder every node reads) |

pyspark is the optional extra ``spark`` (``pip install -e '.[spark]'``) and needs Java 17 or later. Splink's
similarity functions (Jaro-Winkler, Damerau-Levenshtein) are Scala UDFs in a jar shipped with Splink; the session
loads that jar (``spark.jars``) and Splink registers the functions when it connects.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from assets.reconcile import linkage_settings
from sejahtera.engine import THREADS_ENV
from sejahtera.settings import env_choice

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from splink import Linker
    from splink.internals.splink_dataframe import SplinkDataFrame

ENGINE_ENV = "SEJAHTERA_LINKAGE_ENGINE"
SPARK_MASTER_ENV = "SEJAHTERA_SPARK_MASTER"
EXCHANGE_DIR_ENV = "SEJAHTERA_SPARK_EXCHANGE_DIR"
ENGINES = ("duckdb", "spark")
"""The linkage engines, the default first."""
APP_NAME = "sejahtera-linkage"


class LinkageEngineError(RuntimeError):
    """The configured linkage engine cannot run (unknown name, pyspark or Java missing)."""


def linkage_engine() -> str:
    """The backend that scores candidate pairs, from ``SEJAHTERA_LINKAGE_ENGINE`` (read at each call)."""
    return env_choice(ENGINE_ENV, ENGINES, LinkageEngineError)


def spark_master() -> str:
    """``SEJAHTERA_SPARK_MASTER``, else a local Spark with as many threads as DuckDB is given."""
    master = os.environ.get(SPARK_MASTER_ENV, "").strip()
    if master:
        return master
    threads = os.environ.get(THREADS_ENV, "").strip() or str(os.cpu_count() or 1)
    return f"local[{int(threads)}]"


def spark_session(master: str | None = None) -> SparkSession:
    """The Spark session the linkage runs in: the active one if there is one (it must have loaded Splink's jar, as
    this function's sessions do), else a new one with Splink's jar on ``master`` (default :func:`spark_master`).

    Shuffles are split in two partitions per local thread (Spark's default of 200 is meant for a cluster and
    makes a small local job slow); on a cluster the cluster's own setting applies.
    """
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise LinkageEngineError(
            f"{ENGINE_ENV}=spark needs pyspark: install the optional extra 'spark' ({exc})"
        ) from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise LinkageEngineError(
            f"{ENGINE_ENV}=spark needs Java 17 or later (no 'java' on PATH, no JAVA_HOME)"
        )
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    master = master or spark_master()
    builder = (
        SparkSession.builder.appName(APP_NAME)
        .master(master)
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if master.startswith("local"):
        threads = master.removeprefix("local[").removesuffix("]")
        cores = (os.cpu_count() or 1) if threads in ("*", "local") else int(threads)
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def exchange_folder() -> Iterator[Path]:
    """An owner-only folder for the Parquet files DuckDB and Spark hand each other (person data: removed after)."""
    parent = os.environ.get(EXCHANGE_DIR_ENV, "").strip() or None
    if parent:
        Path(parent).mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sejahtera-spark-", dir=parent) as folder:
        yield Path(folder)


def predict_on_spark(
    scratch: duckdb.DuckDBPyConnection,
    input_table: str,
    model_settings: dict,
    predict: Callable[[Linker], SplinkDataFrame],
    output_table: str,
    log_level: int,
) -> None:
    """Score the records of ``input_table`` (in ``scratch``) with Splink on Spark; write the pairs ``predict``
    returns (the caller's one way of calling Splink's predict, for either backend) to ``output_table`` in
    ``scratch``, in the columns Splink's DuckDB predict has."""
    from splink import Linker
    from splink.backends.spark import SparkAPI

    spark = spark_session()
    with exchange_folder() as folder:
        records_path = folder / "linkage_input.parquet"
        scored_path = folder / "scored_pairs"
        scratch.execute(f"COPY {input_table} TO '{records_path}' (FORMAT parquet)")
        spark.sparkContext.setCheckpointDir(str(folder / "checkpoints"))
        db_api = SparkAPI(spark_session=spark, break_lineage_method=_break_lineage_method(spark))
        spark.catalog.dropTempView(input_table)  # a previous scoring in this session registered it
        try:
            records = db_api.register(spark.read.parquet(str(records_path)), dataset_display_name=input_table)
            spark_settings = linkage_settings.trained_settings_for(model_settings, "spark")
            predictions = predict(Linker(records, spark_settings, log_level=log_level))
            names = [c["output_column_name"] for c in model_settings["comparisons"]]
            columns = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
            columns += [c for name in names for c in (f"gamma_{name}", f"mw_{name}")]
            predictions.as_spark_dataframe().select(*columns).write.parquet(str(scored_path))
        finally:
            # Splink's intermediate tables are cached views of this scoring: a long-lived session must not keep them.
            spark.catalog.dropTempView(input_table)
            spark.catalog.clearCache()
        scratch.execute(
            f"CREATE OR REPLACE TABLE {output_table} AS SELECT * FROM read_parquet('{scored_path}/*.parquet')"
        )


def _break_lineage_method(spark: SparkSession) -> str:
    """How Splink cuts Spark's query plans between its steps: cached in memory on a local Spark (one machine,
    nothing to share), written as Parquet to the exchange folder on a cluster (Splink's default there)."""
    return "persist" if spark.sparkContext.master.startswith("local") else "parquet"
