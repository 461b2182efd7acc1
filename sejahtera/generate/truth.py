"""The ground truth written under ``OUT/ground_truth/`` (described in the package docstring).

Everything here is derived from the timeline and from the rows exactly as written (after defects were injected
and rows reordered), so row numbers and record ids match the files byte for byte. A landing zone is written
chunk by chunk of households: each chunk's truth is computed on its own and shifted by :class:`Offsets` (the
rows and the people and households of the chunks before it) so that it reads as one table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from sejahtera.generate.days import NO_DAY, day
from sejahtera.generate.files import Drop, SourceFile
from sejahtera.generate.life import Timeline
from sejahtera.generate.views import stale_labels

LOCATION = (
    ("source", pa.string()),
    ("drop_id", pa.string()),
    ("file", pa.string()),
    ("row_number", pa.int64()),
)
PERSON_RECORDS = pa.schema(
    [
        *LOCATION,
        ("source_record_id", pa.string()),
        ("true_person_id", pa.int64()),
        ("true_household_id", pa.int64()),
    ]
)
HOUSEHOLD_RECORDS = pa.schema(
    [*LOCATION, ("source_record_id", pa.string()), ("true_household_id", pa.int64())]
)
PERSONS = pa.schema(
    [
        ("true_person_id", pa.int64()),
        ("true_household_id", pa.int64()),
        ("nik", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("alive", pa.bool_()),
        ("death_date", pa.date32()),
        ("kode_wilayah", pa.string()),
    ]
)
HOUSEHOLDS = pa.schema(
    [
        ("true_household_id", pa.int64()),
        ("welfare", pa.float64()),
        ("kode_wilayah", pa.string()),
        ("province", pa.string()),
        ("no_kk", pa.string()),
    ]
)
ROW_DEFECTS = pa.schema([*LOCATION, ("source_record_id", pa.string()), ("rule", pa.string())])
RECORD_NOISE = pa.schema([*LOCATION, ("source_record_id", pa.string()), ("noise", pa.string())])
SCHEMAS = {
    "person_records": PERSON_RECORDS,
    "household_records": HOUSEHOLD_RECORDS,
    "row_defects": ROW_DEFECTS,
    "record_noise": RECORD_NOISE,
    "persons": PERSONS,
    "households": HOUSEHOLDS,
}
"""The six ground-truth tables (``<name>.parquet``) and their schemas."""


@dataclass(frozen=True)
class Offsets:
    """Where a chunk starts in the whole landing zone: the data rows already written to each file (by
    ``(source, drop_id, file name)``) and the true person and household ids already used."""

    rows: Mapping[tuple[str, str, str], int] = field(default_factory=dict)
    persons: int = 0
    households: int = 0


def _located(file: SourceFile, offsets: Offsets, id_column: str | None = None) -> pd.DataFrame:
    """The file's rows with their location columns (row_number: 1-based data row of the whole file, header
    excluded) and the record id (``id_column``, by default the file's own record id)."""
    frame = file.frame
    record_id = frame[id_column or file.record_id].astype(object)
    first = offsets.rows.get((file.source, file.drop_id, file.name), 0) + 1
    return pd.DataFrame(
        {
            "source": file.source,
            "drop_id": file.drop_id,
            "file": file.name,
            "row_number": np.arange(first, first + len(frame), dtype=np.int64),
            "source_record_id": record_id.where(record_id.notna() & (record_id != ""), None).to_numpy(
                dtype=object
            ),
        }
    )


def truth_tables(
    timeline: Timeline, drops: list[Drop], views: dict[str, int], offsets: Offsets | None = None
) -> dict[str, pd.DataFrame]:
    """The six ground-truth tables of one chunk (:data:`SCHEMAS`), rows and ids shifted by ``offsets``."""
    offsets = offsets or Offsets()
    current = timeline.current_household()
    person_rows, household_rows, defect_rows, noise_rows = [], [], [], []
    for drop in drops:
        noise = pd.DataFrame(drop.noise, columns=["uid", "noise"])
        for file in drop.files:
            located = _located(file, offsets)
            frame = file.frame
            rules = frame["_rules"].to_numpy()
            has = np.flatnonzero([len(r) > 0 for r in rules])
            if has.size:
                exploded = located.iloc[has].copy()
                exploded["rule"] = [rules[i] for i in has]
                defect_rows.append(exploded.explode("rule"))
            if file.role == "person" or (file.role == "event" and len(frame)):
                is_person = frame["_pid"].to_numpy() >= 0
                if file.role == "event":
                    is_person &= frame["jenis_peristiwa"].to_numpy() == "LAHIR"
                # A LAHIR event is a Dukcapil person record: its source_record_id is the NIK (contract).
                pr = (_located(file, offsets, "nik") if file.role == "event" else located)[is_person].copy()
                pid = frame.loc[is_person, "_pid"].to_numpy(np.int64)
                pr["true_person_id"] = pid
                pr["true_household_id"] = current[pid]
                person_rows.append(pr)
            if file.role == "household":
                hr = located.copy()
                hr["true_household_id"] = _household_truth(frame, drop, current)
                household_rows.append(hr)
            if drop.source in views:
                members = next(f for f in drop.files if f.role == "person").frame
                noise_rows.append(
                    _noise_rows(file, located, noise, timeline, views[drop.source], current, members)
                )
            elif len(noise):
                position = pd.Series(np.arange(len(frame)), index=frame["_uid"].to_numpy())
                labelled = located.iloc[position.loc[noise["uid"].to_numpy()].to_numpy()].copy()
                labelled["noise"] = noise["noise"].to_numpy()
                noise_rows.append(labelled.sort_values(["row_number", "noise"], kind="stable"))
    parts = {
        "person_records": person_rows,
        "household_records": household_rows,
        "row_defects": defect_rows,
        "record_noise": noise_rows,
    }
    tables = {
        name: pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=SCHEMAS[name].names)
        for name, rows in parts.items()
    }
    tables["persons"] = _persons(timeline, current)
    tables["households"] = _households(timeline)
    for frame in tables.values():
        # Ids are numbered per chunk; the chunks before this one used the ids below the offsets.
        if "true_person_id" in frame:
            frame["true_person_id"] = frame["true_person_id"].astype(np.int64) + offsets.persons
        if "true_household_id" in frame:
            frame["true_household_id"] = frame["true_household_id"].astype(np.int64) + offsets.households
    return {name: frame[SCHEMAS[name].names] for name, frame in tables.items()}


def _household_truth(frame: pd.DataFrame, drop: Drop, current: np.ndarray) -> np.ndarray:
    """The family each household record was made for (``_rec_hh``).

    A family keeps its identity through a move, a new KK and a split (the part that kept the head and the KK
    is the family; the split-off couple is a new one), so a record made before a pecah KK describes the parent
    family even when most of its listed members now sit in the child's. Only where none of the listed members
    is in that family any more (a widowed parent who joined a child's family) does the record describe the
    current household most of them belong to (ties: the smaller id).
    """
    members = next(f for f in drop.files if f.role == "person").frame
    originals = members[members["_copy_of"].to_numpy() < 0]
    votes = pd.DataFrame(
        {"rec_hh": originals["_rec_hh"].to_numpy(), "now": current[originals["_pid"].to_numpy()]}
    )
    counts = votes.groupby(["rec_hh", "now"]).size().rename("n").reset_index()
    still_there = set(counts.loc[counts["rec_hh"] == counts["now"], "rec_hh"])
    moved_on = counts[~counts["rec_hh"].isin(still_there)]
    best = moved_on.sort_values(["rec_hh", "n", "now"], ascending=[True, False, True]).drop_duplicates(
        "rec_hh"
    )
    winner = pd.Series(best["now"].to_numpy(), index=best["rec_hh"].to_numpy())
    rec = frame["_rec_hh"].to_numpy(np.int64)
    found = winner.reindex(rec).to_numpy(dtype=np.float64)
    return np.where(np.isnan(found), rec, found).astype(np.int64)


def _noise_rows(
    file: SourceFile,
    located: pd.DataFrame,
    noise: pd.DataFrame,
    timeline: Timeline,
    view_day: int,
    current: np.ndarray,
    members: pd.DataFrame,
) -> pd.DataFrame:
    """Record noise of an agency file: injected labels (copies inherit their original's) plus the staleness
    that follows from life (``dead_listed``, ``moved``, ``kk_reissued``, ``split``)."""
    frame = file.frame
    key = np.where(frame["_copy_of"].to_numpy() >= 0, frame["_copy_of"].to_numpy(), frame["_uid"].to_numpy())
    position = pd.DataFrame({"uid": key, "pos": np.arange(len(frame))})
    injected = position.merge(noise, on="uid")[["pos", "noise"]]
    parts = [injected]
    rec_hh = frame["_rec_hh"].to_numpy()
    stale = stale_labels(timeline, rec_hh, view_day)
    for label in ("moved", "kk_reissued"):
        parts.append(pd.DataFrame({"pos": np.flatnonzero(stale[label].to_numpy()), "noise": label}))
    if file.role == "person":
        pid = frame["_pid"].to_numpy()
        death = timeline.people["death"].to_numpy()[pid]
        dead = (death != NO_DAY) & (death <= day(timeline.calendar.as_of))
        parts.append(pd.DataFrame({"pos": np.flatnonzero(dead), "noise": "dead_listed"}))
        parts.append(pd.DataFrame({"pos": np.flatnonzero(current[pid] != rec_hh), "noise": "split"}))
    else:
        # A household record is stale when part of the family it lists has split off since.
        originals = members[members["_copy_of"].to_numpy() < 0]
        split_off = set(
            originals.loc[current[originals["_pid"].to_numpy()] != originals["_rec_hh"].to_numpy(), "_rec_hh"]
        )
        parts.append(
            pd.DataFrame({"pos": np.flatnonzero(np.isin(rec_hh, list(split_off))), "noise": "split"})
        )
    labels = pd.concat(parts, ignore_index=True).sort_values(["pos", "noise"], kind="stable")
    out = located.iloc[labels["pos"].to_numpy()].copy()
    out["noise"] = labels["noise"].to_numpy()
    return out


def _persons(timeline: Timeline, current: np.ndarray) -> pd.DataFrame:
    people = timeline.people
    as_of = day(timeline.calendar.as_of)
    death = people["death"].to_numpy()
    dead = death <= as_of
    version = timeline.version_at(current, np.minimum(death, as_of))
    return pd.DataFrame(
        {
            "true_person_id": people["pid"].to_numpy(np.int64),
            "true_household_id": current.astype(np.int64),
            "nik": people["nik"].to_numpy(),
            "sex": people["sex"].to_numpy(),
            "birth_date": people["birth"].to_numpy(),
            "alive": ~dead,
            "death_date": pd.Series(np.where(dead, death, 0), dtype="Int64").mask(~dead),
            "kode_wilayah": timeline.versions["village"].to_numpy()[version],
        }
    )


def _households(timeline: Timeline) -> pd.DataFrame:
    hh = timeline.households
    as_of = day(timeline.calendar.as_of)
    version = timeline.versions.iloc[timeline.version_at(hh["hh"].to_numpy(), np.full(len(hh), as_of))]
    return pd.DataFrame(
        {
            "true_household_id": hh["hh"].to_numpy(np.int64),
            "welfare": hh["welfare"].to_numpy(np.float64),
            "kode_wilayah": version["village"].to_numpy(),
            "province": version["village"].str[:2].to_numpy(),
            "no_kk": version["kk"].to_numpy(),
        }
    )
