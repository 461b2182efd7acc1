"""An incremental night publishes exactly what a full rebuild publishes from the same drops.

Two warehouses receive the same sequence of generated nights: one runs the nightly job as every night runs it
(reusing the pairs earlier runs scored: ``assets/reconcile/pair_cache.py``), the other with ``full: true`` (every
pair scored again). After each night every published table must be equal, row for row, apart from the columns
naming a run or a moment. The nights bring what a real week brings: the fulls of three agencies and of Dukcapil,
Dukcapil deltas (births, deaths, moves, corrections), a new DTKS full that drops, corrects and moves records,
and a redelivered drop.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from support.landing import DataFile, csv_bytes, touch_later, write_drop

from assets import extract, reconcile, registry, validate
from pipelines.jobs import nightly_job
from pipelines.launch import nightly_run_config
from sejahtera.generate import generate_landing_zone
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource

pytestmark = pytest.mark.slow

SEEDS = (3, 8)
HOUSEHOLDS = 120
RUN_COLUMNS = {"data_docs"}
"""Columns naming a run (``run_id``, ``closed_by_run_id``, ... : every ``*run_id``) or the Data Docs page of a
validation (under the warehouse's own folder). They, and every timestamp (when a run started, a model was
trained, a file was processed), differ between any two runs; everything else must be equal."""

STAGES = (extract, validate, reconcile, registry)


def _definitions(root: Path) -> dg.Definitions:
    return dg.Definitions(
        assets=[a for stage in STAGES for a in stage.asset_defs],
        asset_checks=[c for stage in STAGES for c in stage.asset_checks],
        jobs=[nightly_job],
        resources={
            "warehouse": WarehouseResource(path=str(root / "warehouse.duckdb")),
            "landing": LandingZoneResource(root=str(root / "landing")),
            "rules": RulesResource(),
        },
    )


def _run_night(root: Path, full: bool) -> dict[str, object]:
    """Run the nightly job on ``root``'s landing zone and warehouse; the metadata of ``resolved_persons``."""
    with dg.DagsterInstance.ephemeral() as instance:
        result = (
            _definitions(root)
            .resolve_job_def("nightly")
            .execute_in_process(
                instance=instance,
                run_config=nightly_run_config([], "CRITICAL", full=full),
                raise_on_error=False,
            )
        )
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    metadata = result.asset_materializations_for_node("resolved_persons")[0].metadata
    return {key: value.value for key, value in metadata.items()}


def _published(warehouse: Path) -> dict[str, list[tuple]]:
    """Every published table (all schemas but ``work``), sorted, without run/time columns."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() AND table_schema NOT IN ('work', 'state') ORDER BY 1"
            ).fetchall()
        ]
        tables = {}
        for name in names:
            schema, table = name.split(".")
            columns = [
                c
                for (c, data_type) in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? "
                    "AND table_name = ? AND table_catalog = current_database() ORDER BY ordinal_position",
                    [schema, table],
                ).fetchall()
                if c not in RUN_COLUMNS and not c.endswith("run_id") and not data_type.startswith("TIMESTAMP")
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f"SELECT {listed} FROM {name} ORDER BY ALL").fetchall()
            if "model_json" in columns:
                at = columns.index("model_json")
                rows = [(*r[:at], _without_linker_uid(r[at]), *r[at + 1 :]) for r in rows]
            tables[name] = rows
        return tables


def _without_linker_uid(model_json: str) -> dict:
    """A stored model without the random id Splink gives each linker (the trained parameters are seeded)."""
    model = json.loads(model_json)
    model.pop("linker_uid", None)
    return model


def _copy_drop(generated: Path, landing: Path, source: str, drop_id: str) -> None:
    shutil.copytree(generated / source / drop_id, landing / source / drop_id)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    return rows[0], rows[1:]


def _new_dtks_full(generated: Path, landing: Path, drop_id: str, rng: random.Random) -> None:
    """A later DTKS full: some members gone, some names corrected, some families moved to another village."""
    folder = generated / "dtks" / "20261115"
    k_header, keluarga = _read_csv(folder / "keluarga.csv")
    a_header, anggota = _read_csv(folder / "anggota.csv")
    name, village = a_header.index("NAMA"), k_header.index("KODE_WILAYAH")
    kept = [row for row in anggota if rng.random() > 0.08]
    for row in rng.sample(kept, k=max(1, len(kept) // 20)):
        row[name] = row[name].title() if rng.random() < 0.5 else row[name] + " BINTI SALEH"
    movers = rng.sample(keluarga, k=max(1, len(keluarga) // 15))
    for row in movers:
        row[village] = keluarga[rng.randrange(len(keluarga))][village]
    write_drop(
        landing,
        "dtks",
        drop_id,
        "full",
        [
            DataFile("keluarga.csv", "keluarga", csv_bytes(k_header, keluarga, delimiter=";"), len(keluarga)),
            DataFile("anggota.csv", "anggota", csv_bytes(a_header, kept, delimiter=";"), len(kept)),
        ],
    )


def _nights(generated: Path, seed: int):
    """Each night as a function that delivers that night's drops into a landing zone."""
    deltas = sorted(p.name for p in (generated / "dukcapil").iterdir() if p.name != "20261120")
    rng_seed = seed * 1000

    def night_1(landing: Path) -> None:
        for source, drop_id in (("regsosek", "20260915"), ("p3ke", "20261001"), ("dukcapil", "20261120")):
            _copy_drop(generated, landing, source, drop_id)
        _copy_drop(generated, landing, "dukcapil", deltas[0])

    def night_2(landing: Path) -> None:  # a small new drop of one agency, and a day of civil events
        _copy_drop(generated, landing, "dtks", "20261115")
        _copy_drop(generated, landing, "dukcapil", deltas[1])

    staged = generated.parent / "staged"

    def night_3(landing: Path) -> None:  # a new DTKS full: members dropped, names corrected, families moved
        if not (staged / "dtks" / "20261126").exists():  # written once, delivered as the same bytes and times
            _new_dtks_full(generated, staged, "20261126", random.Random(rng_seed))
        _copy_drop(staged, landing, "dtks", "20261126")

    def night_4(landing: Path) -> None:  # a redelivered drop and the last delta
        touch_later(landing / "p3ke" / "20261001" / "manifest.json")
        _copy_drop(generated, landing, "dukcapil", deltas[2])

    return [night_1, night_2, night_3, night_4]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_night_the_incremental_run_publishes_what_a_full_rebuild_does(
    tmp_path: Path, seed: int
) -> None:
    generated = tmp_path / "generated"
    generate_landing_zone(out=generated, households=HOUSEHOLDS, seed=seed)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    for root in (incremental, full):
        (root / "landing").mkdir(parents=True)

    for number, deliver in enumerate(_nights(generated, seed), start=1):
        for root in (incremental, full):
            deliver(root / "landing")
        scored_incrementally = _run_night(incremental, full=False)
        scored_in_full = _run_night(full, full=True)
        assert scored_in_full["full_rebuild"] is True
        if number > 1:  # the first night has no state to reuse; every later one must reuse it
            assert scored_incrementally["full_rebuild"] is False, f"night {number}"
            assert scored_incrementally["pairs_reused"] > 0, f"night {number}"
            assert scored_incrementally["records_scored"] < scored_in_full["records_scored"], (
                f"night {number}"
            )

        got, expected = _published(incremental / "warehouse.duckdb"), _published(full / "warehouse.duckdb")
        assert got.keys() == expected.keys(), f"night {number}"
        for table in expected:
            assert got[table] == expected[table], f"night {number}: {table} differs"
