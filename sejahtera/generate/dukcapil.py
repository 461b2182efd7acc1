"""Dukcapil, the civil registry: a full snapshot of everyone (Parquet) and daily deltas of vital events (CSV).

The full is the state on its day, clean apart from the few wrong names, birth dates and missing places of birth
that a later ``UBAH_DATA`` event corrects. Each delta carries the events dated after the previous drop up to its
own day: ``LAHIR`` (a new person, all fields), ``MATI``, ``PINDAH`` (a family moved: new village, KK and
address; or a couple split off: new KK) and ``UBAH_DATA`` (the corrected field), only changed fields filled.

Defective event rows are extra rows, never the real events: an event for an NIK nobody has, or a real event
re-sent with one field broken (or its id repeated or missing). Quarantining them loses nothing; loading one
would be the pipeline's mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from sejahtera.generate import identity, names, regions
from sejahtera.generate.config import Calendar, NoiseConfig, drop_id
from sejahtera.generate.days import day, format_days, ymd
from sejahtera.generate.defects import CONTROL_CHARACTERS, stochastic_count
from sejahtera.generate.files import CsvLayout, Drop, SourceFile
from sejahtera.generate.life import Timeline
from sejahtera.rules import row_rules
from sejahtera.sources.arrow import arrow_schema
from sejahtera.sources.dukcapil import PENDUDUK, PERISTIWA

SOURCE = "dukcapil"
DATE_STYLE = "%Y-%m-%d"
SEX = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}
PENDUDUK_SCHEMA = arrow_schema(PENDUDUK)
"""The full is typed as declared (``sejahtera/sources/dukcapil.py``); the deltas' header is the declared one."""
PERISTIWA_COLUMNS = tuple(c.name for c in PERISTIWA.columns)
LAYOUT = CsvLayout(delimiter=",")
MAX_BAD_EVENTS = 0.12
"""Cap on defective event rows per delta, as a share of its real events."""


def address(street: pd.Series | np.ndarray, rt: np.ndarray, rw: np.ndarray) -> np.ndarray:
    """Dukcapil's address: street or hamlet, then RT and RW."""
    return (
        pd.Series(street, dtype=object).reset_index(drop=True)
        + " RT "
        + pd.Series(rt).astype(str).str.zfill(3)
        + " RW "
        + pd.Series(rw).astype(str).str.zfill(3)
    ).to_numpy(dtype=object)


@dataclass
class EventNumbering:
    """What the deltas of earlier chunks of households used: the last event id of each delta drop, and the
    unknown NIKs drawn (so no chunk draws one twice)."""

    last_id: dict[str, int] = field(default_factory=dict)
    unknown_niks: set[str] = field(default_factory=set)


def build(
    rng: np.random.Generator,
    timeline: Timeline,
    noise: NoiseConfig,
    calendar: Calendar,
    numbering: EventNumbering | None = None,
) -> list[Drop]:
    """Dukcapil's full and its deltas for the people of ``timeline``; ``numbering`` continues the event ids and
    unknown NIKs of earlier chunks."""
    numbering = numbering or EventNumbering()
    drops = [_full(rng, timeline, calendar)]
    lo = day(calendar.dukcapil_full)
    for delta_day in calendar.dukcapil_deltas:
        hi = day(delta_day)
        drops.append(_delta(rng, timeline, noise, delta_day, lo, hi, numbering))
        lo = hi
    return drops


def _full(rng: np.random.Generator, timeline: Timeline, calendar: Calendar) -> Drop:
    full = day(calendar.dukcapil_full)
    people = timeline.people
    listed = (people["birth"].to_numpy() <= full) & ~people["delta_birth"].to_numpy()
    p = people[listed]
    t = np.minimum(p["death"].to_numpy(), full)
    hh = _household_at(timeline, listed, t)
    v = timeline.versions.iloc[timeline.version_at(hh, t)]
    fix = timeline.corrections.set_index("pid")["field"]
    field = fix.reindex(p["pid"].to_numpy()).to_numpy(dtype=object)
    name = p["name"].to_numpy(dtype=object).copy()
    for i in np.flatnonzero(field == "name"):
        name[i] = names.spelling_variant(name[i], rng)
    birth = p["birth"].to_numpy().copy()
    for i in np.flatnonzero(field == "birth"):
        birth[i] = wrong_birth_day(int(birth[i]), full)
    birthplace = p["birthplace"].to_numpy(dtype=object).copy()
    birthplace[field == "birthplace"] = None
    dead = p["death"].to_numpy() <= full
    frame = pd.DataFrame(
        {
            "_uid": np.arange(len(p)),
            "_pid": p["pid"].to_numpy(),
            "nik": p["nik"].to_numpy(),
            "no_kk": v["kk"].to_numpy(),
            "nama_lengkap": name,
            "jenis_kelamin": p["sex"].map(SEX).to_numpy(),
            "tempat_lahir": birthplace,
            "tanggal_lahir": birth,
            "kode_wilayah": v["village"].to_numpy(),
            "alamat": address(v["street"].to_numpy(), v["rt"].to_numpy(), v["rw"].to_numpy()),
            "status_hidup": np.where(dead, "MATI", "HIDUP"),
            "tanggal_meninggal": pd.array(np.where(dead, p["death"].to_numpy(), 0), dtype="Int64"),
        }
    )
    frame.loc[~dead, "tanggal_meninggal"] = pd.NA
    frame = frame.sort_values(["kode_wilayah", "no_kk", "_pid"], kind="stable").reset_index(drop=True)
    frame["_rules"] = [()] * len(frame)
    frame["_copy_of"] = -1
    did = drop_id(calendar.dukcapil_full)
    file = SourceFile(
        SOURCE, did, "penduduk", "penduduk.parquet", "person", tuple(PENDUDUK_SCHEMA.names), frame, "nik",
        schema=PENDUDUK_SCHEMA,
    )  # fmt: skip
    # What the full gets wrong until a delta corrects it (the labels of record_noise.parquet).
    label = {
        "name": "corrected_later_name",
        "birth": "corrected_later_birth",
        "birthplace": "birthplace_missing",
    }
    pending = frame["_pid"].map(fix).dropna()
    noise = [(int(frame.at[i, "_uid"]), label[f]) for i, f in pending.items()]
    return Drop(SOURCE, did, "full", f"{calendar.dukcapil_full.isoformat()}T02:00:00+07:00", [file], noise)


def _household_at(timeline: Timeline, listed: np.ndarray, t: np.ndarray) -> np.ndarray:
    p = timeline.people[listed]
    return np.where(p["split_day"].to_numpy() <= t, p["hh1"].to_numpy(), p["hh0"].to_numpy())


def wrong_birth_day(birth: int, latest: int) -> int:
    """The birth date as a clerk got it wrong: day and month swapped when possible, else the year one off."""
    y, m, d = (int(x[0]) for x in ymd(np.array([birth])))
    if d <= 12 and m <= 12 and d != m and day(date(y, d, m)) <= latest:
        return day(date(y, d, m))
    return day(date(y - 1, m, min(d, 28)))


def _delta(
    rng: np.random.Generator,
    timeline: Timeline,
    noise: NoiseConfig,
    delta_day: date,
    lo: int,
    hi: int,
    numbering: EventNumbering,
) -> Drop:
    people = timeline.people
    versions = timeline.versions
    rows: list[pd.DataFrame] = []

    def in_window(days: np.ndarray) -> np.ndarray:
        return (days > lo) & (days <= hi)

    births = people[people["delta_birth"].to_numpy() & in_window(people["birth"].to_numpy())]
    if len(births):
        v = versions.iloc[timeline.version_at(births["hh0"].to_numpy(), births["birth"].to_numpy())]
        rows.append(
            _event_frame(
                "LAHIR",
                births,
                births["birth"].to_numpy(),
                no_kk=v["kk"].to_numpy(),
                nama_lengkap=births["name"].to_numpy(),
                jenis_kelamin=births["sex"].map(SEX).to_numpy(),
                tempat_lahir=births["birthplace"].to_numpy(),
                tanggal_lahir=format_days(births["birth"].to_numpy(), DATE_STYLE),
                kode_wilayah=v["village"].to_numpy(),
                alamat=address(v["street"].to_numpy(), v["rt"].to_numpy(), v["rw"].to_numpy()),
            )
        )
    deaths = people[in_window(people["death"].to_numpy())]
    rows.append(_event_frame("MATI", deaths, deaths["death"].to_numpy()))

    changes = versions[
        in_window(versions["valid_from"].to_numpy()) & versions["reason"].isin(["moved", "split"])
    ]
    for row in changes.itertuples(index=False):
        alive = timeline.alive_on(row.valid_from) & (timeline.household_at(row.valid_from) == row.hh)
        movers = people[alive]
        before_hh = movers["hh0"].to_numpy() if row.reason == "split" else np.full(len(movers), row.hh)
        before = versions.iloc[timeline.version_at(before_hh, np.full(len(movers), row.valid_from - 1))]
        rows.append(
            _event_frame(
                "PINDAH",
                movers,
                row.valid_from,
                no_kk=row.kk,
                kode_wilayah=np.where(before["village"].to_numpy() == row.village, "", row.village),
                alamat=address(
                    np.full(len(movers), row.street, dtype=object),
                    np.full(len(movers), row.rt),
                    np.full(len(movers), row.rw),
                ),
            )
        )

    fixes = timeline.corrections[in_window(timeline.corrections["day"].to_numpy())]
    if len(fixes):
        fixed = people.set_index("pid", drop=False).loc[fixes["pid"].to_numpy()]
        field = fixes["field"].to_numpy()
        rows.append(
            _event_frame(
                "UBAH_DATA",
                fixed,
                fixes["day"].to_numpy(),
                nama_lengkap=np.where(field == "name", fixed["name"].to_numpy(), ""),
                tempat_lahir=np.where(field == "birthplace", fixed["birthplace"].to_numpy(), ""),
                tanggal_lahir=np.where(
                    field == "birth", format_days(fixed["birth"].to_numpy(), DATE_STYLE), ""
                ),
            )
        )
    events = pd.concat(rows, ignore_index=True).reindex(columns=["_pid", "_day", *PERISTIWA_COLUMNS[1:]])
    text = list(PERISTIWA_COLUMNS[1:])
    events[text] = events[text].astype(object).fillna("")
    events = events.astype({"_pid": np.int64, "_day": np.int64})
    order = {"LAHIR": 0, "PINDAH": 1, "UBAH_DATA": 2, "MATI": 3}
    events["_kind_order"] = events["jenis_peristiwa"].map(order)
    events = events.sort_values(["_day", "_kind_order", "nik"], kind="stable").drop(columns="_kind_order")
    events["tanggal_peristiwa"] = format_days(events["_day"].to_numpy(), DATE_STYLE)
    did = drop_id(delta_day)
    first = numbering.last_id.get(did, 0) + 1
    events.insert(0, "id_peristiwa", [f"EV{did}{i:06d}" for i in range(first, first + len(events))])
    events["_rules"] = [()] * len(events)
    events["_copy_of"] = -1
    events, numbering.last_id[did] = _with_bad_events(
        rng, events.reset_index(drop=True), noise, numbering.unknown_niks, did, first + len(events)
    )
    events["_uid"] = np.arange(len(events))
    file = SourceFile(
        SOURCE,
        did,
        "peristiwa",
        "peristiwa.csv",
        "event",
        PERISTIWA_COLUMNS,
        events,
        "id_peristiwa",
        csv=LAYOUT,
    )
    return Drop(SOURCE, did, "delta", f"{delta_day.isoformat()}T01:00:00+07:00", [file], [])


def _event_frame(kind: str, who: pd.DataFrame, event_day: np.ndarray | int, **fields: object) -> pd.DataFrame:
    """One kind of event's rows for the people in ``who``: the four columns every event has, then that kind's fields.

    Only the fields an event changes are given (a ``MATI`` names just the NIK); the delta's header is laid over
    the union afterwards, so a field missing here becomes empty text there.
    """
    return pd.DataFrame(
        {
            "_pid": who["pid"].to_numpy(),
            "jenis_peristiwa": kind,
            "_day": event_day,
            "nik": who["nik"].to_numpy(),
            **fields,
        }
    )


def _with_bad_events(
    rng: np.random.Generator,
    events: pd.DataFrame,
    noise: NoiseConfig,
    known: set[str],
    did: str,
    next_id: int,
) -> tuple[pd.DataFrame, int]:
    """Add the defective event rows: unknown NIKs and garbled re-sends, each placed after a real event; return
    the events and the last id used.

    Extra rows get ids numbered after the real ones from ``next_id`` (a re-send comes later), except a repeated
    id (its original's) and a missing one (empty).
    """
    n = len(events)
    events["_order"] = np.arange(n, dtype=np.float64)
    extra: list[dict] = []
    # Small deltas stay far from the 20 % rejection share whatever the rates: at most MAX_BAD_EVENTS of the rows.
    budget = int(MAX_BAD_EVENTS * (n + 1))
    unknown = min(stochastic_count(rng, noise.unknown_nik_event, n), budget)
    garbled = min(stochastic_count(rng, noise.garbled_event, n), budget - unknown)
    for _ in range(unknown):
        kind = ["MATI", "PINDAH", "UBAH_DATA"][int(rng.integers(3))]
        at = int(rng.integers(n))
        row = {c: "" for c in events.columns if not c.startswith("_")}
        row.update(
            id_peristiwa=f"EV{did}{next_id:06d}",
            jenis_peristiwa=kind,
            tanggal_peristiwa=events.at[at, "tanggal_peristiwa"],
            nik=identity.random_unknown_niks(rng, 1, known)[0],
            _pid=-1, _day=events.at[at, "_day"], _order=at + 0.5, _rules=(row_rules.UNKNOWN_NIK_EVENT,), _copy_of=-1,
        )  # fmt: skip
        next_id += 1
        if kind == "PINDAH":
            row["kode_wilayah"] = regions.draw_villages(rng, 1)[0]
        if kind == "UBAH_DATA":
            row["alamat"] = "JL. BARU NO. 1 RT 001 RW 001"
        extra.append(row)
    real = np.flatnonzero(events["jenis_peristiwa"].to_numpy() != "LAHIR")
    for _ in range(garbled if real.size else 0):
        at = int(real[int(rng.integers(real.size))])
        row = events.loc[at].to_dict()
        rule = _garble(rng, row)
        if rule == row_rules.MISSING_RECORD_ID:
            row["id_peristiwa"] = ""
        elif rule != row_rules.DUPLICATE_RECORD_ID:
            row["id_peristiwa"] = f"EV{did}{next_id:06d}"
            next_id += 1
        row.update(_order=at + rng.uniform(0.1, 0.9), _pid=-1, _copy_of=-1, _rules=(rule,))
        extra.append(row)
    if extra:
        events = pd.concat([events, pd.DataFrame(extra)], ignore_index=True)
    return events.sort_values("_order", kind="stable").drop(columns="_order").reset_index(
        drop=True
    ), next_id - 1


def _garble(rng: np.random.Generator, row: dict) -> str:
    """Break one field of a re-sent event; return the rule it breaks."""
    kind = int(rng.integers(7))
    if kind == 0:
        y = int(rng.integers(2020, 2027))
        row["tanggal_peristiwa"] = (
            f"{y}-02-{int(rng.integers(30, 32))}"
            if rng.random() < 0.5
            else row["tanggal_peristiwa"][8:10]
            + "-"
            + row["tanggal_peristiwa"][5:7]
            + "-"
            + row["tanggal_peristiwa"][:4]
        )
        return row_rules.INVALID_DATE
    if kind == 1:
        row["kode_wilayah"] = regions.invalid_village_code(rng, regions.draw_villages(rng, 1)[0])
        return row_rules.UNKNOWN_REGION_CODE
    if kind == 2:
        if rng.random() < 0.5:
            row["jenis_peristiwa"] = ["CERAI", "NIKAH", "PINDAH_DATANG", "HAPUS"][int(rng.integers(4))]
        else:
            row["jenis_kelamin"] = ["L", "P", "X"][int(rng.integers(3))]
        return row_rules.CODE_NOT_IN_SET
    if kind == 3:
        char = CONTROL_CHARACTERS[int(rng.integers(len(CONTROL_CHARACTERS)))]
        column = "alamat" if row.get("alamat") else "nama_lengkap"
        base = row.get(column) or "RT"
        row[column] = base[:1] + char + base[1:]
        return row_rules.CONTROL_CHARACTER
    if kind == 4:
        year = int(rng.integers(2040, 2100)) if rng.random() < 0.5 else int(rng.integers(1800, 1900))
        row["tanggal_lahir"] = f"{year}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
        return row_rules.BIRTH_DATE_OUT_OF_RANGE
    if kind == 5:
        return row_rules.MISSING_RECORD_ID
    return row_rules.DUPLICATE_RECORD_ID
