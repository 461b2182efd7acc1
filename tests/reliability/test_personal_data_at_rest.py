"""No raw NIK or KK at rest outside the warehouse, and every file created readable by its owner only.

A small landing zone is generated and ``sejahtera run`` runs in a subprocess with its own DAGSTER_HOME, as an
operator runs it; a second run fails on purpose so that an alert file is written. Then every byte the runs left
outside the warehouse file is scanned for the generated NIKs and KKs: Dagster's run storage and event logs
(sqlite files, read as bytes), its compute logs, the Great Expectations validation results and Data Docs, the
alert file, the province exports and the commands' stdout and stderr. The count must be 0. The warehouse file
itself is the registry and holds them by design.
"""

from __future__ import annotations

import gzip
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest
from support.cli import Operator

from sejahtera import warehouse

NUMBER = re.compile(rb"\d(?:[ ./-]?\d){11,}")
"""An NIK- or KK-like number however written (the scrubber's own pattern, on bytes)."""


class Night(Operator):
    """One operator's machine (landing zone, warehouse, Dagster instance, all it printed), with an export key."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.env["SEJAHTERA_EXPORT_KEY"] = secrets.token_hex(32)

    def files_at_rest(self) -> list[Path]:
        """Everything the runs wrote except the warehouse file (and its write-ahead log)."""
        written = [*self.dagster_home.rglob("*"), *self.warehouse.parent.rglob("*")]
        return [p for p in written if p.is_file() and not p.name.startswith(self.warehouse.name)]


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> Night:
    night = Night(tmp_path_factory.mktemp("at_rest"))
    night.generate(households=300, seed=5)
    night.run()
    failed = night.sejahtera("run", "--reprocess", "dtks.19990101")  # no such drop: the run fails, an alert
    assert failed.returncode != 0
    return night


def landing_numbers(landing: Path) -> set[str]:
    """Every NIK and KK of the generated data: the numbers in the delivered files and in the ground truth."""
    found: set[str] = set()
    for path in landing.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            found |= {n for n in numbers_in(path) if len(n) >= 15}
    truth = landing / "ground_truth"
    found |= {str(v) for v in pq.read_table(truth / "persons.parquet").column("nik").to_pylist() if v}
    found |= {str(v) for v in pq.read_table(truth / "households.parquet").column("no_kk").to_pylist() if v}
    return found


def numbers_in(path: Path) -> set[str]:
    """The digits of every NIK-like number in a file: Parquet by its values, gzip decompressed, else raw bytes."""
    data = path.read_bytes()
    if data[:4] == b"PAR1":
        table = pq.read_table(path)
        data = "\n".join(str(v) for column in table.columns for v in column.to_pylist()).encode()
    elif data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return {re.sub(rb"\D", b"", m.group()).decode() for m in NUMBER.finditer(data)}


def leaks(numbers: Iterable[str], personal: set[str]) -> list[str]:
    return [n for n in numbers if any(p in n for p in personal)]


@pytest.mark.slow
def test_no_nik_or_kk_is_at_rest_outside_the_warehouse(night: Night) -> None:
    personal = landing_numbers(night.landing)
    assert len(personal) > 500, "the generated data should hold hundreds of NIKs and KKs"
    some_csv = next(night.landing.glob("dtks/*/anggota.csv"))
    assert leaks(numbers_in(some_csv), personal), "the scan must find the NIKs where they are"

    scanned = night.files_at_rest()
    kinds = {p.suffix for p in scanned}
    assert {".db", ".parquet", ".csv", ".json", ".html"} <= kinds, kinds  # event logs, exports, GX, alert
    assert list((night.dagster_home / "alerts").glob("*.json")), "the failed run wrote no alert"
    found = {str(p): leaks(numbers_in(p), personal) for p in scanned}
    found["stdout/stderr"] = leaks(
        (re.sub(r"\D", "", m.group()) for text in night.outputs for m in NUMBER.finditer(text.encode())),
        personal,
    )
    assert {where: n for where, n in found.items() if n} == {}


@pytest.mark.slow
def test_every_file_the_runs_created_is_readable_by_its_owner_only(night: Night) -> None:
    created = [
        night.warehouse,
        *night.dagster_home.rglob("*"),
        *night.warehouse.parent.rglob("*"),
    ]
    assert any(p.suffix == ".html" for p in created) and any("exports" in p.parts for p in created)
    open_to_others = sorted(
        f"{stat.filemode(p.stat().st_mode)} {p}" for p in created if p.stat().st_mode & 0o077
    )
    assert open_to_others == []


def test_a_library_error_quoting_data_reaches_the_event_log_scrubbed(tmp_path: Path) -> None:
    raw, name = "3201-0101-9999-0042", "SITI AMINAH"

    @dg.asset
    def converts() -> None:
        with warehouse.connect(tmp_path / "wh.duckdb") as con:  # the value comes from data, not from code
            con.execute("SELECT CAST(? AS INTEGER)", [f"{raw} {name}"]).fetchall()

    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([converts], instance=instance, raise_on_error=False)
        assert not result.success
        logged = [
            entry.dagster_event.event_specific_data.error
            for entry in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
        ]
    assert logged
    text = "\n".join(error.to_string() for error in logged)
    assert "ConversionException" in text  # the type survives, for the retry policy and the operator
    assert "S*** A*****" in text
    for secret in (raw, raw.replace("-", ""), "SITI", "AMINAH"):
        assert secret not in text
