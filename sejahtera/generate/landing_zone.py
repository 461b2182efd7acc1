"""``generate_landing_zone``: the whole story, from families to files, in one seeded, reproducible pass."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np

from sejahtera.generate import dtks, dukcapil, p3ke, regsosek
from sejahtera.generate.config import Calendar, FamilyConfig, NoiseConfig
from sejahtera.generate.days import day
from sejahtera.generate.files import Drop, write_file, write_manifest
from sejahtera.generate.identity import assign_identity
from sejahtera.generate.life import Timeline, live
from sejahtera.generate.population import build_population
from sejahtera.generate.truth import write_ground_truth

MAX_FAILING_SHARE = 0.15
"""Refuse to write a drop with more failing rows than this: the contract rejects a drop above 20 %, and these
drops are meant to load with their defective rows quarantined (scale the noise down instead)."""
GROUND_TRUTH = "ground_truth"


def generate_landing_zone(
    out: Path,
    households: int,
    seed: int,
    *,
    noise: NoiseConfig | None = None,
    family: FamilyConfig | None = None,
    as_of: date = date(2026, 11, 27),
) -> str:
    """Write a synthetic landing zone of ``households`` families under ``out`` and its ground truth under
    ``out/ground_truth``; ``family`` sets how often families move, split and regroup (:class:`FamilyConfig`); return a short report (counts per source and file, time taken, no personal data).

    Same arguments, same bytes: every random draw comes from ``seed`` (one independent stream per stage, so a
    change in one stage does not reshuffle the others).
    """
    if households < 1:
        raise ValueError(f"households must be at least 1, got {households}")
    started = time.perf_counter()
    noise = noise or NoiseConfig.default()
    calendar = Calendar(as_of)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    population = build_population(streams[0], households, calendar)
    timeline = live(streams[1], population, calendar, noise, family)
    assign_identity(streams[2], timeline, noise)
    _coverage_scores(streams[3], timeline)
    drops = [
        regsosek.build(streams[4], timeline, noise, calendar),
        p3ke.build(streams[5], timeline, noise, calendar),
        dtks.build(streams[6], timeline, noise, calendar),
        *dukcapil.build(streams[7], timeline, noise, calendar),
    ]
    for drop in drops:
        _check_failing_share(drop)
    out = Path(out)
    truth_counts = write_ground_truth(
        out / GROUND_TRUTH,
        timeline,
        drops,
        views={
            "dtks": day(calendar.dtks_view),
            "regsosek": day(calendar.regsosek_view),
            "p3ke": day(calendar.p3ke_view),
        },
    )
    for drop in drops:
        folder = out / drop.source / drop.drop_id
        folder.mkdir(parents=True, exist_ok=True)
        entries = [write_file(folder, f) for f in drop.files]
        write_manifest(folder, drop.source, drop.drop_id, drop.kind, drop.extracted_at, entries)
    return _report(out, households, seed, drops, timeline, truth_counts, time.perf_counter() - started)


def _coverage_scores(rng: np.random.Generator, timeline: Timeline) -> None:
    """Each agency's view of a family's welfare, noisy in its own way: who gets listed is fuzzy, as in reality."""
    hh = timeline.households
    n = len(hh)
    hh["score_dtks"] = hh["welfare"].to_numpy() + rng.normal(0, 0.3, n)
    hh["score_p3ke"] = hh["welfare"].to_numpy() + rng.normal(0, 0.2, n)
    hh["draw_regsosek"] = rng.random(n)


def _check_failing_share(drop: Drop) -> None:
    rows = sum(f.rows for f in drop.files)
    failing = sum(int((f.frame["_rules"].map(len) > 0).sum()) for f in drop.files)
    if rows and failing / rows > MAX_FAILING_SHARE:
        raise ValueError(
            f"{drop.source}.{drop.drop_id}: {failing} of {rows} rows ({failing / rows:.0%}) would break row rules; "
            f"the noise rates are too high for a drop meant to load (limit {MAX_FAILING_SHARE:.0%})"
        )


def _report(
    out: Path,
    households: int,
    seed: int,
    drops: list[Drop],
    timeline: Timeline,
    truth: dict[str, int],
    seconds: float,
) -> str:
    people = timeline.people
    alive = int((people["death"].to_numpy() > day(timeline.calendar.as_of)).sum())
    lines = [
        f"sejahtera generate: {households:,} families (seed {seed}) -> {out}",
        f"  truth: {truth['persons']:,} persons ({alive:,} alive), {truth['households']:,} households now",
    ]
    for drop in drops:
        files = ", ".join(f"{f.name} {f.rows:,}" for f in drop.files)
        failing = sum(int((f.frame["_rules"].map(len) > 0).sum()) for f in drop.files)
        lines.append(
            f"  {drop.source}/{drop.drop_id} ({drop.kind}): {files}; {failing:,} rows break row rules"
        )
    kinds = Counter(label for drop in drops for _, label in drop.noise)
    if kinds:
        lines.append("  record noise: " + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items())))
    lines.append(
        f"  ground truth in {out / GROUND_TRUTH}: " + ", ".join(f"{k} {v:,}" for k, v in truth.items())
    )
    lines.append(f"  done in {seconds:.1f} s")
    return "\n".join(lines)
